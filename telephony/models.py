"""Telephone system (CTI) records: agents' extensions, dial requests, calls with their events and
recordings, and each store's recording retention."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from telephony.choices import CallEventKind, DialStatus, Direction, RecordingState

DEFAULT_RETENTION_MONTHS = 24


class AgentExtension(models.Model):
    """An agent's extension (分机号) on the telephone system: where click-to-call rings first, and
    how a CTI event names the agent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="extension"
    )
    extension = models.CharField(_("分机号"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("坐席分机")
        verbose_name_plural = _("坐席分机")

    def __str__(self) -> str:
        return f"{self.extension} · {self.user}"


class StoreRecordingSettings(models.Model):
    """How long a store keeps call recordings (录音保存期); a daily beat deletes older files."""

    store = models.OneToOneField(
        "crm.Store", verbose_name=_("门店"), on_delete=models.CASCADE, related_name="recording_settings"
    )
    retention_months = models.PositiveSmallIntegerField(_("录音保存月数"), default=DEFAULT_RETENTION_MONTHS)

    class Meta:
        verbose_name = _("录音保存设置")
        verbose_name_plural = _("录音保存设置")

    def __str__(self) -> str:
        return f"{self.store} · {self.retention_months}"


class DialRequest(models.Model):
    """One click-to-call (点击拨号): the agent's extension and the customer's number, handed to the
    CTI backend, with what the page was working on so that the call's events find it again."""

    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("坐席"), on_delete=models.CASCADE, related_name="dial_requests"
    )
    extension = models.CharField(_("分机号"), max_length=20)
    number = models.CharField(_("号码"), max_length=20)
    customer = models.ForeignKey("crm.Customer", verbose_name=_("客户"), on_delete=models.CASCADE, related_name="+")
    callback_task = models.ForeignKey(
        "callbacks.CallbackTask",
        verbose_name=_("回访任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outreach_task = models.ForeignKey(
        "retention.OutreachTask",
        verbose_name=_("维系任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("请求时间"))
    status = models.CharField(_("状态"), max_length=10, choices=DialStatus.choices)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    # The CTI's id for the call when its answer carries one (events then name it).
    call_id = models.CharField(_("通话编号"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("拨号请求")
        verbose_name_plural = _("拨号请求")
        indexes = [
            models.Index(fields=["extension", "number", "-requested_at"], name="dial_ext_number_idx"),
            models.Index(fields=["call_id"], condition=~models.Q(call_id=""), name="dial_call_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.extension} → {self.number} @ {self.requested_at:%Y-%m-%d %H:%M}"


RECORDINGS_DIR = "private/recordings"


def recording_path(record: "CallRecord", filename: str) -> str:
    """Under MEDIA_ROOT/private/recordings/: never under STATIC_ROOT (whitenoise serves static
    files only), and never served from MEDIA_URL, not even by the development server (config.urls
    serves MEDIA_URL in DEBUG except private/); the recording view checks who listens."""
    ext = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    when = record.started_at
    return f"{RECORDINGS_DIR}/{record.store_id or 0}/{when:%Y/%m}/call-{record.pk}.{ext}"


def reported_by_field() -> models.ForeignKey:
    """The API client (the CTI) whose events made a call or an event: calls and events are its own."""
    return models.ForeignKey(
        "api.ApiClient",
        verbose_name=_("上报客户端"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )


class CallRecord(models.Model):
    """One telephone call (通话记录) as the CTI reported it, attached to what the agent was working
    on (telephony.attach explains the rule), with its talk time and recording."""

    # The CTI's id of the call: unique per reporting API client, as two stores' telephone systems
    # may number their calls alike (the constraints below).
    call_id = models.CharField(_("通话编号"), max_length=100)
    # The API client (the CTI) whose events made the call; it alone may post events for it. Null:
    # a call from before the client was recorded, an upload on the call page, or an internal caller.
    reported_by = reported_by_field()
    direction = models.CharField(_("方向"), max_length=3, choices=Direction.choices)
    store = models.ForeignKey(
        "crm.Store", verbose_name=_("门店"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("坐席"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_records",
    )
    extension = models.CharField(_("分机号"), max_length=20, blank=True)
    number = models.CharField(_("客户号码"), max_length=20, blank=True)
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_records",
    )
    dial_request = models.ForeignKey(
        DialRequest, verbose_name=_("拨号请求"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    callback_task = models.ForeignKey(
        "callbacks.CallbackTask",
        verbose_name=_("回访任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_records",
    )
    call_attempt = models.ForeignKey(
        "callbacks.CallAttempt",
        verbose_name=_("回访记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_records",
    )
    outreach_task = models.ForeignKey(
        "retention.OutreachTask",
        verbose_name=_("维系任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_records",
    )
    outreach_attempt = models.ForeignKey(
        "retention.OutreachAttempt",
        verbose_name=_("联络记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="call_records",
    )
    started_at = models.DateTimeField(_("开始时间"))
    answered_at = models.DateTimeField(_("接通时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # Talk time (通话时长): seconds from answer to hang-up, as the CTI reports it; 0 if never answered.
    duration_seconds = models.PositiveIntegerField(_("通话时长(秒)"), default=0)
    # An inbound call answered by an agent pops the customer's page for that agent until seen.
    pop_seen_at = models.DateTimeField(_("弹屏已查看"), null=True, blank=True)
    recording = models.FileField(_("录音"), upload_to=recording_path, blank=True, max_length=200)
    recording_url = models.URLField(_("录音地址"), max_length=500, blank=True)
    recording_state = models.CharField(
        _("录音状态"), max_length=10, choices=RecordingState.choices, default=RecordingState.NONE, blank=True
    )
    recording_error = models.CharField(_("录音错误"), max_length=300, blank=True)
    recording_content_type = models.CharField(_("录音类型"), max_length=50, blank=True)
    recording_size = models.PositiveBigIntegerField(_("录音大小"), default=0)
    recording_stored_at = models.DateTimeField(_("录音保存时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通话记录")
        verbose_name_plural = _("通话记录")
        permissions = [("listen_recording", _("可收听通话录音"))]
        indexes = [
            models.Index(fields=["agent", "answered_at"], name="call_agent_answered_idx"),
            models.Index(fields=["customer", "-started_at"], name="call_customer_started_idx"),
            models.Index(
                fields=["agent", "-answered_at"],
                condition=models.Q(direction="in", pop_seen_at__isnull=True, answered_at__isnull=False),
                name="call_unseen_pop_idx",
            ),
            models.Index(
                fields=["recording_stored_at"], condition=models.Q(recording_state="stored"), name="call_rec_stored_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reported_by", "call_id"], name="call_unique_per_client"),
            models.UniqueConstraint(
                fields=["call_id"], condition=models.Q(reported_by__isnull=True), name="call_unique_without_client"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.call_id}"


class CallEvent(models.Model):
    """One event the CTI posted (ringing / answered / ended); one row per (client, call, event), so
    a repeated post changes nothing."""

    call_id = models.CharField(_("通话编号"), max_length=100)
    reported_by = reported_by_field()
    event = models.CharField(_("事件"), max_length=10, choices=CallEventKind.choices)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    payload = models.JSONField(_("内容"), default=dict)

    class Meta:
        verbose_name = _("通话事件")
        verbose_name_plural = _("通话事件")
        # Per reporting client; events with no client (before it was recorded, internal callers)
        # stay unique per (call, event) among themselves.
        constraints = [
            models.UniqueConstraint(fields=["reported_by", "call_id", "event"], name="call_event_unique_per_client"),
            models.UniqueConstraint(
                fields=["call_id", "event"],
                condition=models.Q(reported_by__isnull=True),
                name="call_event_unique_without_client",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.event}"
