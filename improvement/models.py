"""File audits (客户档案检核, table 14) and improvement meetings with their EQC actions (table 15).

A `FileAudit` is one sampled file of one store's audit week: a delivery (sales file) or a repair
order (service file), with what the agent found. `week` is the Monday of the audited week (the
previous calendar week of the Monday the sample was drawn). One row per (store, week, file): a
uniqueness constraint makes the weekly sampling safe to run twice or by two workers.

An `ImprovementMeeting` (改善讨论会) is the monthly meeting of one store, chaired by the CR manager;
its `EqcAction` rows are what it decided about one weak survey item each.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callbacks.choices import CallbackKind
from improvement.choices import AuditStatus, FileKind
from surveys.choices import QuestionType


class FileAudit(models.Model):
    """One file of a store's weekly audit sample (客户档案检核表的一行)."""

    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.PROTECT, related_name="+")
    week = models.DateField(_("检核周"), help_text=_("被检核那一周的星期一"))
    kind = models.CharField(_("档案类别"), max_length=10, choices=FileKind.choices)
    delivery = models.ForeignKey(
        "crm.Delivery", verbose_name=_("交车"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    repair_order = models.ForeignKey(
        "crm.RepairOrder", verbose_name=_("工单"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Order within the store's week: sales files first, each kind by its number (序号 of the page).
    position = models.PositiveSmallIntegerField(_("序号"))
    status = models.CharField(_("检核状态"), max_length=10, choices=AuditStatus.choices, blank=True)
    abnormal_description = models.TextField(_("异常状态描述"), blank=True)
    improvement_measure = models.TextField(_("改进建议和措施"), blank=True)
    responsible = models.ForeignKey(
        "crm.Staff", verbose_name=_("问题责任人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("检核人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    checked_at = models.DateTimeField(_("检核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("档案检核")
        verbose_name_plural = _("档案检核")
        ordering = ["store", "-week", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "week", "delivery"],
                condition=models.Q(delivery__isnull=False),
                name="file_audit_unique_delivery_week",
            ),
            models.UniqueConstraint(
                fields=["store", "week", "repair_order"],
                condition=models.Q(repair_order__isnull=False),
                name="file_audit_unique_ro_week",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind=FileKind.SALES, delivery__isnull=False, repair_order__isnull=True)
                    | models.Q(kind=FileKind.SERVICE, delivery__isnull=True, repair_order__isnull=False)
                ),
                name="file_audit_one_file_of_its_kind",
            ),
        ]
        indexes = [models.Index(fields=["store", "week"], name="file_audit_store_week_idx")]

    def __str__(self) -> str:
        return f"{self.week} {self.file_no}"

    @property
    def file_no(self) -> str:
        """销售协议号 / 维修工单号."""
        if self.kind == FileKind.SALES:
            return self.delivery.delivery_no if self.delivery_id else ""
        return self.repair_order.ro_no if self.repair_order_id else ""


class ImprovementMeeting(models.Model):
    """A monthly improvement meeting (改善讨论会) of one store, chaired by the CR manager. It opens with
    the figures of `figures_month` (the month before the meeting's), prepared by the system, and keeps
    them as they were when it was held (`figures_snapshot`): late imports, re-tagged verbatims or a
    changed rule do not rewrite the record of what the meeting discussed."""

    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("会议日期"))
    figures_month = models.DateField(_("数据月份"))
    attendees = models.TextField(_("参会人员"))
    minutes = models.TextField(_("会议纪要"), blank=True)
    chaired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("主持人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    # The prepared figures as the meeting was held with them, taken once (improvement.services.
    # meeting_figures_freeze) on or after `held_on`; until then the page computes them live.
    figures_snapshot = models.JSONField(_("会议数据快照"), null=True, blank=True, editable=False)
    figures_frozen_at = models.DateTimeField(_("快照时间"), null=True, blank=True, editable=False)

    # A snapshot taken up to this long after the meeting's day still shows what it was held with
    # (recorded the next morning; the beat's 23:50 run). One taken later — a meeting recorded well
    # after its date, or one held before snapshots existed and frozen by the first beat run — holds
    # the figures of the day it was taken, and says so.
    MEETING_TIME_GRACE = dt.timedelta(days=1)

    class Meta:
        verbose_name = _("改善讨论会")
        verbose_name_plural = _("改善讨论会")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["store", "held_on"], name="improvement_meeting_store_idx")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.store_id}"

    @property
    def figures_of_meeting_time(self) -> bool:
        """Whether the snapshot was taken on the meeting's day (or within MEETING_TIME_GRACE), so
        it may be labelled the figures the meeting was held with."""
        if self.figures_frozen_at is None:
            return False
        return timezone.localdate(self.figures_frozen_at) <= self.held_on + self.MEETING_TIME_GRACE


class EqcAction(models.Model):
    """An improvement action on one weak survey item (EQC弱项), decided at a meeting in month M0
    (`decision_month`). Its results are computed from survey data (improvement.eqc), never stored."""

    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        ImprovementMeeting, verbose_name=_("改善讨论会"), on_delete=models.PROTECT, related_name="actions"
    )
    kind = models.CharField(_("问卷"), max_length=10, choices=CallbackKind.choices)
    question_code = models.CharField(_("题号"), max_length=10)
    # The question as it read when the action was decided (a later template version may reword it).
    question_text = models.CharField(_("弱项名称"), max_length=300)
    question_type = models.CharField(_("题型"), max_length=10, choices=QuestionType.choices)
    cause_analysis = models.TextField(_("原因分析"))
    measure = models.TextField(_("整改措施"))
    owner = models.CharField(_("责任人"), max_length=60)
    due_on = models.DateField(_("完成时间"))
    decision_month = models.DateField(_("决议月份"))
    completed_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("总经理检核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_off_at = models.DateTimeField(_("总经理检核时间"), null=True, blank=True)
    sign_off_note = models.CharField(_("总经理意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("EQC改善措施")
        verbose_name_plural = _("EQC改善措施")
        ordering = ["-decision_month", "id"]
        permissions = [("sign_off_eqcaction", _("总经理检核EQC改善措施"))]
        indexes = [
            models.Index(fields=["store", "decision_month"], name="eqc_action_store_month_idx"),
            models.Index(fields=["store", "due_on"], name="eqc_action_store_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.question_code} {self.question_text}"
