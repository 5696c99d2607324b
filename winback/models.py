"""The win-back list (流失客户, SPEC §10.3, seed 001 table 16 流失客户联络表).

A `WinbackEntry` is one customer put on the list by the monthly scan because their last visit was
12 months (a per-store setting) or more before the scan date. It carries a snapshot of what made
them lost — the last visit date, the last repair order and its service advisor — and one win-back
call (`retention.OutreachTask`, kind winback) that agents work from the queue or from the win-back
page. Its contacts are that task's `OutreachAttempt` rows; the entry reads them rather than copying
them, so a contact recorded from the queue's call page and one recorded here agree.

An entry stays "open" until the customer comes back (an RO opened on or after the day they were
found lost): then it is recovered (是否挽回 = 是) with that date, and a later loss adds a new entry.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WinbackSettings(models.Model):
    """Per-store rules of the win-back list; a store without a row uses the defaults (SPEC §10)."""

    store = models.OneToOneField(
        "crm.Store", verbose_name=_("门店"), on_delete=models.CASCADE, related_name="winback_settings"
    )
    lost_after_months = models.PositiveSmallIntegerField(
        _("流失月数"), default=12, help_text=_("最近来店时间距今满该月数即为流失客户")
    )
    at_risk_after_months = models.PositiveSmallIntegerField(
        _("即将流失月数"), default=9, help_text=_("最近来店时间距今满该月数、未满流失月数为即将流失")
    )

    class Meta:
        verbose_name = _("流失客户设置")
        verbose_name_plural = _("流失客户设置")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(at_risk_after_months__lt=models.F("lost_after_months"), at_risk_after_months__gt=0),
                name="winback_settings_at_risk_before_lost",
            )
        ]

    def __str__(self) -> str:
        return f"{self.store_id}: {self.lost_after_months}/{self.at_risk_after_months}"


SNAPSHOT = {"related_name": "+", "db_constraint": False, "db_index": False}


class WinbackEntry(models.Model):
    """One customer on the win-back list (流失客户联络表 row), added by the scan of `month`."""

    # Indexes: the composite ones below lead with store and customer, so the columns need none of
    # their own. The snapshot columns (last RO, its advisor, the vehicle, the come-back RO) carry no
    # database constraint or index: they record what the scan saw, their rows are never deleted
    # (repair orders PROTECT their vehicle and advisor), and a constraint would cost the monthly
    # scan a locked row per column and entry (seconds at SPEC §12 scale).
    store = models.ForeignKey(
        "crm.Store", verbose_name=_("门店"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="winback_entries",
        db_index=False,
    )
    month = models.DateField(_("流失月份"), help_text=_("加入流失名单的月份（该月第一天）"))
    lost_on = models.DateField(_("判定日期"))
    last_visit_on = models.DateField(_("最近来店时间"))
    last_repair_order = models.ForeignKey(
        "crm.RepairOrder",
        verbose_name=_("最近工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    service_advisor = models.ForeignKey(
        "crm.Staff", verbose_name=_("服务顾问"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vehicle = models.ForeignKey(
        "crm.Vehicle", verbose_name=_("车辆"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task = models.OneToOneField(
        "retention.OutreachTask",
        verbose_name=_("挽回任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="winback_entry",
    )
    recovered_on = models.DateField(_("挽回日期"), null=True, blank=True)
    recovered_by = models.ForeignKey(
        "crm.RepairOrder",
        verbose_name=_("回厂工单"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("流失客户")
        verbose_name_plural = _("流失客户")
        ordering = ["-month", "-last_visit_on", "-id"]
        permissions = [("view_reasons", "Can read the monthly summary of lost customers' reasons")]
        constraints = [
            # The scan's idempotence lives here, not in Python: a rerun or a second worker inserts
            # nothing (INSERT … ON CONFLICT DO NOTHING).
            models.UniqueConstraint(fields=["customer", "month"], name="winback_entry_one_per_customer_month"),
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(recovered_on__isnull=True),
                name="winback_entry_one_open_per_customer",
            ),
        ]
        indexes = [
            # The list's order (oldest last visit first) within a month: a page is read off the index.
            models.Index(fields=["store", "month", "last_visit_on", "id"], name="winback_store_month_idx"),
            models.Index(fields=["month", "last_visit_on", "id"], include=["store"], name="winback_month_idx"),
            models.Index(fields=["store", "service_advisor", "month"], name="winback_store_sa_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month:%Y-%m}"

    @property
    def is_recovered(self) -> bool:
        return self.recovered_on is not None
