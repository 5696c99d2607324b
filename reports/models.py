"""The monthly report package (月度报表包, SPEC §9): a frozen snapshot that the CR manager hands up and
the general manager approves."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PackageState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("已退回")


# States in which the CR manager may (re)generate and submit the package; see reports.packages.approval.
EDITABLE_STATES = (PackageState.DRAFT, PackageState.RETURNED)
# The states the general manager approves or returns from.
APPROVABLE_STATES = (PackageState.SUBMITTED,)


class ReportPackage(models.Model):
    """One store's report package for one month (月度报表包): every registered report table and the
    dashboard's figures, frozen when generated. Once approved it never changes — the approval
    services refuse every write, so later data (a late import, a reopened complaint) leaves it as
    the general manager signed it.

    `figures` holds the dashboard's counts (small, read by the dashboard); `tables` the report
    tables (large, read only by the package page and its download)."""

    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"), help_text=_("当月第一天"))
    state = models.CharField(_("状态"), max_length=20, choices=PackageState.choices, default=PackageState.DRAFT)
    figures = models.JSONField(_("看板数据"), default=dict, blank=True)
    tables = models.JSONField(_("报表快照"), default=list, blank=True)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("退回人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_comment = models.TextField(_("退回意见"), blank=True)
    # Every step (generate / submit / return / approve) with who, when and the comment, oldest first.
    history = models.JSONField(_("处理记录"), default=list, blank=True)

    class Meta:
        verbose_name = _("月度报表包")
        verbose_name_plural = _("月度报表包")
        ordering = ["-month", "store"]
        constraints = [
            models.UniqueConstraint(fields=["store", "month"], name="report_package_one_per_store_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="report_package_month_first_day"),
            models.CheckConstraint(
                condition=~Q(state=PackageState.APPROVED) | Q(approved_at__isnull=False),
                name="report_package_approved_has_time",
            ),
        ]
        indexes = [models.Index(fields=["month", "state"], name="report_package_month_state")]
        permissions = [
            ("view_dashboard", _("查看总经理看板")),
            ("approve_reportpackage", _("批准或退回月度报表包")),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.month:%Y-%m} {self.get_state_display()}"

    @property
    def history_entries(self) -> list[dict]:
        """The history with `at` as a datetime (stored as ISO text in JSON) for display."""
        return [{**entry, "at": dt.datetime.fromisoformat(entry["at"])} for entry in self.history]

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def awaits_approval(self) -> bool:
        return self.state in APPROVABLE_STATES


class StoreMonthFigures(models.Model):
    """The dashboard's counts of one store and month (门店月度看板数据), as computed at `computed_at`:
    what the general manager's page reads instead of aggregating a year of callbacks per request.

    `counts` is the month's entry of the 12-month trend (callbacks by kind, complaints, SLA clocks);
    `detail` the month's staff rows, question counts and per-staff question counts (read only for
    the month in view). Both are COUNTS, in the shape reports.dashboard.kpis returns them, so stores add up.
    Filled by reports.dashboard.figures (beat, and on the spot for a store-month nobody computed yet); a row
    is only a copy of what the database says, rewritten whole by every refresh."""

    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"), help_text=_("当月第一天"))
    # reports.dashboard.figures.FIGURES_VERSION when computed: a row of another version is recomputed.
    version = models.PositiveSmallIntegerField(_("数据版本"))
    counts = models.JSONField(_("月度计数"))
    detail = models.JSONField(_("员工与题目计数"))
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("门店月度看板数据")
        verbose_name_plural = _("门店月度看板数据")
        constraints = [
            models.UniqueConstraint(fields=["store", "month"], name="store_month_figures_one_per_store_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="store_month_figures_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.month:%Y-%m} @ {self.computed_at:%Y-%m-%d %H:%M}"
