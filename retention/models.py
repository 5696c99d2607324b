"""Outreach tasks: the reminder and win-back calls agents work in the same queue as callbacks.

An `OutreachTask` is one piece of outreach work for one customer (and vehicle, when the kind has one):
a reminder call (SPEC §10.2, kinds other than win-back) or a win-back call (§10.3). Its contacts are
`OutreachAttempt` rows — a call or an SMS, with the result, the booked date and, for win-back, the
customer's words and their reason category. What the task is about is owned by the other side of the
link: a reminder points at its task, and a win-back entry points at its task.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from retention.choices import OutreachChannel, OutreachKind, OutreachResult, OutreachState, ReasonCategory


class OutreachTask(models.Model):
    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=OutreachKind.choices)
    customer = models.ForeignKey(
        "crm.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="outreach_tasks"
    )
    vehicle = models.ForeignKey(
        "crm.Vehicle",
        verbose_name=_("车辆"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outreach_tasks",
    )
    window_opens_at = models.DateTimeField(_("联系开始"))
    window_closes_at = models.DateTimeField(_("联系截止"))
    state = models.CharField(_("状态"), max_length=10, choices=OutreachState.choices, default=OutreachState.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指派给"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_outreach_tasks",
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("锁定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_outreach_tasks",
    )
    claimed_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次可拨时间"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("失败次数"), default=0)
    # The final result (the last attempt's, once the task is done or closed) and, for 已预约, the date.
    result = models.CharField(_("结果"), max_length=20, choices=OutreachResult.choices, blank=True)
    booked_on = models.DateField(_("预约日期"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("维系任务")
        verbose_name_plural = _("维系任务")
        ordering = ["window_closes_at", "id"]
        indexes = [
            models.Index(
                fields=["store", "window_closes_at", "id"],
                condition=models.Q(state="open"),
                name="outreach_open_queue_idx",
            ),
            models.Index(fields=["store", "kind", "state"], name="outreach_store_kind_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class OutreachAttempt(models.Model):
    """One contact of an outreach task: a call or an SMS, and what came of it."""

    task = models.ForeignKey(
        OutreachTask, verbose_name=_("维系任务"), on_delete=models.CASCADE, related_name="attempts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联络担当"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=OutreachChannel.choices, default=OutreachChannel.CALL)
    contacted_at = models.DateTimeField(_("联络时间"))
    result = models.CharField(_("联络结果"), max_length=20, choices=OutreachResult.choices)
    booked_on = models.DateField(_("预约日期"), null=True, blank=True)
    customer_words = models.TextField(_("客户意见"), blank=True)
    reason_category = models.CharField(_("原因类别"), max_length=20, choices=ReasonCategory.choices, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("联络记录")
        verbose_name_plural = _("联络记录")
        ordering = ["task", "contacted_at", "id"]
        indexes = [models.Index(fields=["task", "-contacted_at"], name="outreach_attempt_latest_idx")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.get_result_display()} @ {self.contacted_at:%Y-%m-%d %H:%M}"
