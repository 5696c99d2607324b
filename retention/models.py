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

from retention.choices import (
    DEFAULT_CHANNELS,
    DEFAULT_LEAD_DAYS,
    REMINDER_KINDS,
    Festival,
    OutreachChannel,
    OutreachKind,
    OutreachResult,
    OutreachState,
    ReasonCategory,
    ReminderChannel,
    ReminderStatus,
)


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
    # The opener's idempotency key ("reminder:12", "winback:34"): one task per key (blank: no key).
    key = models.CharField(_("关联"), max_length=80, blank=True)

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
            # The queue header's due count (retention.queue.outreach_queue_counts): open tasks whose
            # window has opened. The queue index above also holds the year's future reminder calls,
            # whose windows have not opened yet, and every one of them cost a heap visit per page.
            models.Index(
                fields=["store", "window_opens_at"],
                condition=models.Q(state="open"),
                name="outreach_open_due_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=~models.Q(key=""), name="outreach_task_unique_key"),
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


class Reminder(models.Model):
    """A reminder (提醒, SPEC §10.2): one kind, one subject — a vehicle with its current owner, or a
    customer — one due date and a send date (due date minus the kind's lead).

    One per (subject, kind, due date), by the two partial unique constraints below: generation runs
    INSERT … ON CONFLICT DO NOTHING, so running it twice, or by two workers at once, adds nothing.
    """

    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(
        _("提醒类型"), max_length=20, choices=[(k, label) for k, label in OutreachKind.choices if k in REMINDER_KINDS]
    )
    customer = models.ForeignKey(
        "crm.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="reminders"
    )
    vehicle = models.ForeignKey(
        "crm.Vehicle", verbose_name=_("车辆"), null=True, blank=True, on_delete=models.PROTECT, related_name="reminders"
    )
    due_on = models.DateField(_("到期日"))
    send_on = models.DateField(_("发送日"))
    festival = models.CharField(_("节日"), max_length=20, choices=Festival.choices, blank=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=ReminderChannel.choices)
    status = models.CharField(_("状态"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.NEW)
    # SkipReason codes, comma-separated: the channels that could not be used (all of them when skipped).
    skip_reason = models.CharField(_("跳过原因"), max_length=100, blank=True)
    sms_message = models.ForeignKey(
        "crm.SmsMessage", verbose_name=_("短信"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outreach_task = models.OneToOneField(
        OutreachTask,
        verbose_name=_("电话任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reminder",
    )
    # A service reminder's vehicle came back (an RO opened within the return window after the send date).
    returned_on = models.DateField(_("回厂日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-send_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle", "kind", "due_on"],
                condition=models.Q(vehicle__isnull=False),
                name="reminder_unique_vehicle_kind_due",
            ),
            models.UniqueConstraint(
                fields=["customer", "kind", "due_on"],
                condition=models.Q(vehicle__isnull=True),
                name="reminder_unique_customer_kind_due",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "send_on"], name="reminder_store_send_idx"),
            models.Index(fields=["store", "id"], condition=models.Q(status="new"), name="reminder_new_idx"),
            models.Index(fields=["vehicle", "send_on"], name="reminder_vehicle_send_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class ReminderSettings(models.Model):
    """A store's reminder rule numbers (SPEC §10.2); no row means the defaults below."""

    store = models.OneToOneField(
        "crm.Store", verbose_name=_("门店"), on_delete=models.CASCADE, related_name="reminder_settings"
    )
    first_service_months = models.PositiveSmallIntegerField(_("首保：交车后月数"), default=3)
    periodic_service_months = models.PositiveSmallIntegerField(_("定保：上次进厂后月数"), default=5)
    inspection_interval_years = models.PositiveSmallIntegerField(_("年审间隔（年）"), default=2)
    warranty_years = models.PositiveSmallIntegerField(_("质保年限"), default=2)
    warranty_km = models.PositiveIntegerField(_("质保里程（公里）"), default=60000)
    return_window_days = models.PositiveSmallIntegerField(_("回厂判定天数"), default=30)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("提醒设置")
        verbose_name_plural = _("提醒设置")

    def __str__(self) -> str:
        return str(self.store)


class ReminderKindSetting(models.Model):
    """Per store and kind: on or off, lead days and channel (SPEC §10.2 defaults when no row)."""

    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(
        _("提醒类型"), max_length=20, choices=[(k, label) for k, label in OutreachKind.choices if k in REMINDER_KINDS]
    )
    enabled = models.BooleanField(_("启用"), default=True)
    lead_days = models.PositiveSmallIntegerField(_("提前天数"))
    channel = models.CharField(_("渠道"), max_length=10, choices=ReminderChannel.choices)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("提醒类型设置")
        verbose_name_plural = _("提醒类型设置")
        constraints = [models.UniqueConstraint(fields=["store", "kind"], name="reminder_kind_setting_unique")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.kind}"

    @classmethod
    def default(cls, store_id: int, kind: str) -> "ReminderKindSetting":
        return cls(store_id=store_id, kind=kind, lead_days=DEFAULT_LEAD_DAYS[kind], channel=DEFAULT_CHANNELS[kind])


class FestivalDate(models.Model):
    """One festival on a store's greeting calendar (节日祝福): seeded from the calendar library (lunar
    festivals converted to their solar date), editable by the CR manager."""

    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.CASCADE, related_name="+")
    festival = models.CharField(_("节日"), max_length=20, choices=Festival.choices)
    date = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("节日")
        verbose_name_plural = _("节日")
        ordering = ["date", "festival"]
        constraints = [models.UniqueConstraint(fields=["store", "festival", "date"], name="festival_date_unique")]

    def __str__(self) -> str:
        return f"{self.get_festival_display()} {self.date}"


class ReminderRun(models.Model):
    """One generation run of a day over some stores (a record per background run): a run of the same
    day again, when no customer, vehicle, delivery, RO or setting changed since this one started,
    has no candidate to read (SPEC §10.2's rule gives the same reminders for the same data)."""

    day = models.DateField(_("日期"))
    store_ids = models.JSONField(_("门店"))
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"))

    class Meta:
        verbose_name = _("提醒生成记录")
        verbose_name_plural = _("提醒生成记录")
        indexes = [models.Index(fields=["day", "-started_at"], name="reminder_run_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.started_at:%H:%M}"
