"""The customer's survey link (问卷链接) and the per-store setting that sends it (issue 16 item 4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from surveylink.choices import LinkMode


class StoreSurveyLinkSettings(models.Model):
    """Per-store survey-link setting (问卷链接设置): off, instead of or after the SMS score survey."""

    store = models.OneToOneField(
        "crm.Store", verbose_name=_("门店"), on_delete=models.CASCADE, related_name="survey_link_settings"
    )
    mode = models.CharField(_("问卷链接"), max_length=10, choices=LinkMode.choices, default=LinkMode.OFF)
    after_hours = models.PositiveSmallIntegerField(
        _("短信打分后多少小时发送"), default=24, help_text=_("仅“短信打分未回复后发送”：短信打分发出后等待的小时数")
    )

    class Meta:
        verbose_name = _("问卷链接设置")
        verbose_name_plural = _("问卷链接设置")

    def __str__(self) -> str:
        return str(self.store)


class SurveyLink(models.Model):
    """One task's survey link (问卷链接). The link keeps only the token's SHA-256 (`token_hash`);
    the token itself is in the SMS body only while the message waits in the outbox, shown to
    nobody (pages and the API show `body_redacted`), and is blanked there once the message has
    gone, so a copy of the database opens no survey that has been sent. The link pins the questionnaire
    version it was sent with (the customer answers what he was shown), expires with the callback
    window (`expires_at`), and works once (`answered_at`)."""

    task = models.OneToOneField(
        "callbacks.CallbackTask", verbose_name=_("回访任务"), on_delete=models.CASCADE, related_name="survey_link"
    )
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    version = models.ForeignKey(
        "surveys.TemplateVersion", verbose_name=_("问卷版本"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发送时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    first_opened_at = models.DateTimeField(_("首次打开时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("回答时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("问卷链接")
        verbose_name_plural = _("问卷链接")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_id}"
