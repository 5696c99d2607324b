"""SMS enumerations (table 13 of seed 001: 短信发送记录表)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    OUTBOUND = "out", _("发出")
    INBOUND = "in", _("收到")


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    RECEIVED = "received", _("已收到")


class SmsReason(models.TextChoices):
    """原因类型 of table 13. The field is free text (apps may add reasons); these get a label."""

    CALLBACK_SURVEY = "callback_survey", _("短信回访")
    FIRST_MAINTENANCE = "first_maintenance", _("首保提醒")
    PERIODIC_MAINTENANCE = "periodic_maintenance", _("定期保养提醒")
    INSURANCE = "insurance", _("保险续保提醒")
    ANNUAL_INSPECTION = "annual_inspection", _("年审提醒")
    WARRANTY_END = "warranty_end", _("质保到期提醒")
    BIRTHDAY = "birthday", _("生日祝福")
    FESTIVAL = "festival", _("节日祝福")
    WIN_BACK = "win_back", _("流失客户挽回")
    APPOINTMENT_CONFIRM = "appointment_confirm", _("预约确认")
    APPOINTMENT_EVE = "appointment_eve", _("预约前一天提醒")
    APPOINTMENT_CHANGE = "appointment_change", _("预约改约通知")
    SURVEY_LINK = "survey_link", _("问卷链接")
    MANUAL = "manual", _("人工发送")


class ReplyOutcome(models.TextChoices):
    """What an inbound message was understood as (parse_reply)."""

    SCORE = "score", _("评分")
    OPT_OUT = "opt_out", _("退订")
    OTHER = "other", _("待人工处理")
