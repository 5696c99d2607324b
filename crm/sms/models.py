"""The SMS log (短信发送记录, table 13 of seed 001): every message out and every reply in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.sms.choices import Direction, ReplyOutcome, SmsReason, SmsStatus


class SmsMessage(models.Model):
    """One SMS (短信), outbound or inbound.

    Outbound: created `queued` by `sms_send`, claimed `sending` by exactly one worker (conditional
    UPDATE), then `sent` or `failed`. `send_after` holds it through quiet hours (21:00–08:00).
    `(reason, related_key)` is unique so that a caller that runs twice sends once.
    Inbound: `received`, linked to the outbound message it answers (`reply_to`), with what it was
    understood as (`outcome`, `score`); `handled` is False while it waits for a person.
    """

    store = models.ForeignKey(
        "crm.Store", verbose_name=_("门店"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sms_messages",
    )
    mobile = models.CharField(_("号码"), max_length=20)
    body = models.TextField(_("内容"))
    # A body that carries a secret (the customer's survey-link token) also has this copy with the
    # secret blanked out. Pages and the API show it (`shown_body`), and once the message has left
    # the outbox (sent or failed) it replaces `body`, so the token lives on in the customer's SMS only.
    body_redacted = models.TextField(_("内容（隐去口令）"), blank=True)
    reason = models.CharField(_("原因类型"), max_length=40, blank=True, choices=SmsReason.choices)
    related_key = models.CharField(_("关联"), max_length=100, blank=True)
    direction = models.CharField(_("方向"), max_length=3, choices=Direction.choices, default=Direction.OUTBOUND)
    status = models.CharField(_("发送状态"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    queued_at = models.DateTimeField(_("创建时间"))
    send_after = models.DateTimeField(_("最早发送时间"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("开始发送时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    provider_id = models.CharField(_("网关编号"), max_length=100, blank=True)
    error = models.TextField(_("错误"), blank=True)
    # Outbound: the customer's reply (客户回复内容), as table 13 shows it.
    reply_text = models.TextField(_("客户回复内容"), blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    # Inbound: the message it answers, what it meant, and whether a person still has to read it.
    reply_to = models.ForeignKey(
        "self", verbose_name=_("回复的短信"), null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    outcome = models.CharField(_("识别结果"), max_length=10, choices=ReplyOutcome.choices, blank=True)
    score = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    applied = models.BooleanField(_("已记入回访"), default=False)
    handled = models.BooleanField(_("已处理"), default=True)
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("人工录入的回复"),
    )

    class Meta:
        verbose_name = _("短信")
        verbose_name_plural = _("短信")
        ordering = ["-queued_at", "-id"]
        constraints = [
            # One message per (reason, related_key): the caller's idempotency key.
            models.UniqueConstraint(
                fields=["reason", "related_key"],
                condition=models.Q(direction="out") & ~models.Q(related_key=""),
                name="sms_unique_reason_related_key",
            ),
            # A gateway that retries its callback delivers one reply once.
            models.UniqueConstraint(
                fields=["provider_id"],
                condition=models.Q(direction="in") & ~models.Q(provider_id=""),
                name="sms_unique_inbound_provider_id",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=10),
                name="sms_score_1_10",
            ),
        ]
        indexes = [
            # The flush: queued messages due now.
            models.Index(fields=["send_after", "id"], condition=models.Q(status="queued"), name="sms_queued_due_idx"),
            # Matching a reply to the latest outbound message to that number.
            models.Index(
                fields=["mobile", "queued_at"], condition=models.Q(direction="out"), name="sms_out_mobile_idx"
            ),
            models.Index(fields=["store", "queued_at"], name="sms_store_queued_idx"),
            models.Index(fields=["customer", "queued_at"], name="sms_customer_idx"),
            models.Index(fields=["queued_at"], condition=models.Q(handled=False), name="sms_needs_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.mobile} {self.get_status_display()}"

    @property
    def shown_body(self) -> str:
        """What a page, an export or the API shows: never the secret a queued body still carries."""
        return self.body_redacted or self.body


class SmsTemplate(models.Model):
    """An SMS template (短信模板, seed 001 section 七) with placeholders in braces:
    {customer_name} {salutation} {store_name} {store_phone} {plate} {date}.

    `code` is what the code asks for (`callback_survey_sales`, `first_maintenance`, …); the text is
    the CR manager's to edit. Unknown placeholders are left as they are, so a typo shows in the
    outbox instead of failing a send.
    """

    code = models.CharField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    body = models.TextField(_("模板内容"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("短信模板")
        verbose_name_plural = _("短信模板")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
