"""Callback tasks (回访任务), their attempts, hot alerts and the data-fix queue (SPEC §6, tables 3, 4)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from callbacks.choices import AttemptSource, Bucket, CallbackKind, Disposition, Mood, TaskState
from complaints.choices import Category


class StoreCallbackSettings(models.Model):
    """Per-store callback rules (回访设置): windows, retries and the claim timeout."""

    store = models.OneToOneField(
        "crm.Store", verbose_name=_("门店"), on_delete=models.CASCADE, related_name="callback_settings"
    )
    sales_window_start_days = models.PositiveSmallIntegerField(_("销售回访开始(交车后天数)"), default=7)
    sales_window_end_days = models.PositiveSmallIntegerField(_("销售回访截止(交车后天数)"), default=10)
    service_window_start_days = models.PositiveSmallIntegerField(_("售后回访开始(交车后天数)"), default=3)
    service_window_end_days = models.PositiveSmallIntegerField(_("售后回访截止(交车后天数)"), default=7)
    max_failed_attempts = models.PositiveSmallIntegerField(_("最多失败次数"), default=4)
    retry_gap_minutes = models.PositiveIntegerField(_("重拨间隔(分钟)"), default=120)
    claim_idle_minutes = models.PositiveIntegerField(_("锁定超时(分钟)"), default=15)

    class Meta:
        verbose_name = _("回访设置")
        verbose_name_plural = _("回访设置")

    def __str__(self) -> str:
        return str(self.store)


class CallbackTask(models.Model):
    """One follow-up call (回访任务) after a delivery (销售回访) or a repair order (售后回访).

    A service task may stand for several repair orders of one vehicle whose windows overlapped: the
    latest repair order owns it (`repair_order`) and every merged one is linked through
    `CallbackTaskRepairOrder`, whose unique repair order keeps generation safe to repeat.
    """

    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("回访类型"), max_length=10, choices=CallbackKind.choices)
    customer = models.ForeignKey(
        "crm.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="callback_tasks"
    )
    vehicle = models.ForeignKey(
        "crm.Vehicle", verbose_name=_("车辆"), on_delete=models.PROTECT, related_name="callback_tasks"
    )
    delivery = models.OneToOneField(
        "crm.Delivery",
        verbose_name=_("交车"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callback_task",
    )
    repair_order = models.OneToOneField(
        "crm.RepairOrder",
        verbose_name=_("工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_callback_task",
    )
    merged_repair_orders = models.ManyToManyField(
        "crm.RepairOrder",
        verbose_name=_("合并工单"),
        through="CallbackTaskRepairOrder",
        related_name="callback_tasks",
        blank=True,
    )
    window_opens_at = models.DateTimeField(_("回访开始"))
    window_closes_at = models.DateTimeField(_("回访截止"))
    state = models.CharField(_("状态"), max_length=20, choices=TaskState.choices, default=TaskState.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指派给"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_callback_tasks",
    )
    appointment_at = models.DateTimeField(_("约定时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次可拨时间"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("失败次数"), default=0)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("锁定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_callback_tasks",
    )
    claimed_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("最后操作时间"), null=True, blank=True)
    final_disposition = models.CharField(_("最终结果"), max_length=20, blank=True)
    # What the reports count a task by (tables 3, 7, 8, SPEC §9), stored by the one service that
    # applies outcomes (callbacks.services.callback_task_outcome_refresh) so that no report
    # re-derives it: a finished task's final disposition (none for 未回访), else its latest
    # attempt's; and that disposition's bucket (callbacks.choices.DISPOSITION_RULES). Empty: none.
    last_disposition = models.CharField(_("最后回访结果"), max_length=20, blank=True)
    last_bucket = models.CharField(_("回访结果分类"), max_length=20, choices=Bucket.choices, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    sms_survey_sent_at = models.DateTimeField(_("短信问卷发送时间"), null=True, blank=True)
    has_grumble = models.BooleanField(_("有抱怨"), default=False)
    # The task's questionnaire answers; `overall_score` repeats the overall answer so the reports
    # (satisfaction per consultant, advisor, team) aggregate tasks without joining the answers.
    response = models.OneToOneField(
        "surveys.Response",
        verbose_name=_("问卷结果"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callback_task",
    )
    overall_score = models.PositiveSmallIntegerField(_("总体满意度"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回访任务")
        verbose_name_plural = _("回访任务")
        ordering = ["window_closes_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind=CallbackKind.SALES, delivery__isnull=False, repair_order__isnull=True)
                    | models.Q(kind=CallbackKind.SERVICE, delivery__isnull=True, repair_order__isnull=False)
                ),
                name="callback_task_source_matches_kind",
            ),
        ]
        indexes = [
            # The queue: open tasks of a store by closing window. The included columns are all the
            # queue header's counts read (callback_queue_counts), so they count from the index alone
            # (an index-only scan) instead of visiting the heap page of each of the store's ~17,000
            # open tasks at scale (issue 17: 40–60 ms of the database's time per queue view).
            models.Index(
                fields=["store", "window_closes_at", "id"],
                include=["window_opens_at", "assigned_to", "appointment_at"],
                condition=models.Q(state="open"),
                name="cbtask_open_queue_idx",
            ),
            # The queue's first step: the few open tasks with an appointment, by closing window
            # (without it, that step filters every open task of the store — ~17,000 at scale).
            models.Index(
                fields=["store", "window_closes_at", "id"],
                condition=models.Q(state="open", appointment_at__isnull=False),
                name="cbtask_open_appt_idx",
            ),
            models.Index(fields=["store", "state", "completed_at"], name="cbtask_store_state_done_idx"),
            models.Index(fields=["vehicle", "kind", "state"], name="cbtask_vehicle_kind_state_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def source(self):
        return self.delivery if self.kind == CallbackKind.SALES else self.repair_order


class CallbackTaskRepairOrder(models.Model):
    """A repair order covered by a service callback task (its own, or merged into a later one)."""

    task = models.ForeignKey(CallbackTask, on_delete=models.CASCADE, related_name="repair_order_links")
    repair_order = models.OneToOneField("crm.RepairOrder", on_delete=models.CASCADE, related_name="callback_task_link")

    class Meta:
        verbose_name = _("回访任务工单")
        verbose_name_plural = _("回访任务工单")

    def __str__(self) -> str:
        return f"{self.task_id}:{self.repair_order_id}"


class CallAttempt(models.Model):
    """One attempt (回访记录) on a task: a call, an SMS reply or an imported row, with its disposition."""

    task = models.ForeignKey(
        CallbackTask, verbose_name=_("回访任务"), on_delete=models.CASCADE, related_name="attempts"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callback_attempts",
    )
    at = models.DateTimeField(_("回访时间"))
    disposition = models.CharField(_("回访结果"), max_length=20, choices=Disposition.choices)
    note = models.TextField(_("备注"), blank=True)
    mood = models.CharField(_("客户心情"), max_length=10, choices=Mood.choices, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=AttemptSource.choices, default=AttemptSource.CALL)

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["-at", "-id"]
        constraints = [
            # An imported row is identified by its task and time, so re-importing a sheet is harmless.
            models.UniqueConstraint(
                fields=["task", "at"],
                condition=models.Q(source="import"),
                name="call_attempt_unique_import_row",
            )
        ]
        indexes = [
            models.Index(fields=["agent", "at"], name="call_attempt_agent_at_idx"),
            # A task's last attempt (tables 7/8 split the unsuccessful by its bucket) from the index alone.
            models.Index(fields=["task", "-at", "-id"], include=["disposition"], name="call_attempt_task_last_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.disposition}"


class HotAlert(models.Model):
    """A hot alert (热线预警): a successful callback with a negative answer or a grumble."""

    task = models.OneToOneField(
        CallbackTask, verbose_name=_("回访任务"), on_delete=models.CASCADE, related_name="hot_alert"
    )
    raised_at = models.DateTimeField(_("预警时间"))
    reasons = models.JSONField(_("预警原因"), default=list)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关闭人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    close_note = models.TextField(_("关闭说明"), blank=True)

    class Meta:
        verbose_name = _("回访预警")
        verbose_name_plural = _("回访预警")
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["closed_at", "raised_at"], name="hot_alert_open_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.task_id}"


class DataFixRecord(models.Model):
    """A wrong number to correct (客户资料修正表, table 4)."""

    task = models.ForeignKey(
        CallbackTask, verbose_name=_("回访任务"), on_delete=models.CASCADE, related_name="data_fixes"
    )
    customer = models.ForeignKey(
        "crm.Customer", verbose_name=_("客户"), on_delete=models.CASCADE, related_name="data_fixes"
    )
    reported_at = models.DateTimeField(_("发现时间"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发现人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    wrong_number = models.CharField(_("错误号码"), max_length=20)
    corrected_name = models.CharField(_("修正姓名"), max_length=50, blank=True)
    corrected_mobile = models.CharField(_("修正手机"), max_length=11, blank=True)
    corrected_landline = models.CharField(_("修正固话"), max_length=20, blank=True)
    corrected_other = models.CharField(_("其他联系方式"), max_length=100, blank=True)
    fixed_at = models.DateTimeField(_("修正时间"), null=True, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修正人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("客户资料修正")
        verbose_name_plural = _("客户资料修正")
        ordering = ["fixed_at", "-reported_at"]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.wrong_number}"


class Grumble(models.Model):
    """The handling of a grumble (抱怨客户联系处理表, seed 001 table 5): a hot alert raised on a
    call that was NOT turned into a complaint case. One row per alert, made when the CR staff first
    record its handling; an alert without a row is a grumble not yet handled.

    It lives in callbacks, beside its HotAlert (a real one-to-one key, unique in the database):
    the grumble is the call's follow-through (SPEC §6: "the callback carries a grumble") and its
    再次回访 is callback work; complaints' only link to callbacks stays Case's keys to the alert
    and the task."""

    alert = models.OneToOneField(HotAlert, verbose_name=_("回访预警"), on_delete=models.CASCADE, related_name="grumble")
    category = models.CharField(_("内容分类"), max_length=20, choices=Category.choices, blank=True)
    content = models.TextField(_("用户抱怨内容和用户要求"), blank=True)
    handling = models.TextField(_("处理过程及情况"), blank=True)
    responsible_staff = models.ForeignKey(
        "crm.Staff",
        verbose_name=_("处理责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grumbles",
    )
    department = models.ForeignKey(
        "crm.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_on = models.DateField(_("处理完毕日期"), null=True, blank=True)
    result_summary = models.TextField(_("处理结果总结"), blank=True)
    recall_note = models.TextField(_("再次回访记录"), blank=True)
    recall_at = models.DateTimeField(_("再次回访时间"), null=True, blank=True)
    recall_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("再次回访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("抱怨处理")
        verbose_name_plural = _("抱怨处理")
        ordering = ["-alert__raised_at"]
        constraints = [
            # Done (处理完毕) means the handling and its summary are written: the register's
            # open/done filter reads handled_on alone.
            models.CheckConstraint(
                condition=models.Q(handled_on__isnull=True) | (~models.Q(handling="") & ~models.Q(result_summary="")),
                name="grumble_done_has_handling",
            )
        ]

    def __str__(self) -> str:
        return f"{self.alert_id}"
