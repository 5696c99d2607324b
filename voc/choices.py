"""Enumerations of the voice of the customer (客户之声, VOC)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VocSource(models.TextChoices):
    """Where a verbatim was recorded (issue 14 item 1)."""

    SURVEY_ANSWER = "survey", _("问卷意见建议")
    CALL_NOTE = "call_note", _("回访备注")
    OUTREACH_NOTE = "outreach", _("维系联络记录")
    HOT_ALERT = "hot_alert", _("回访预警原因")
    COMPLAINT = "complaint", _("投诉内容与要求")


class Polarity(models.IntegerChoices):
    NEGATIVE = -1, _("负面")
    NEUTRAL = 0, _("中性")
    POSITIVE = 1, _("正面")


# Sources that are a dissatisfaction by what they are: a complaint or an alert the lexicon reads as
# neutral ("等了三个小时才交车") is still negative.
NEGATIVE_BY_NATURE = frozenset({VocSource.HOT_ALERT, VocSource.COMPLAINT})
