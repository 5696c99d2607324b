"""Retention enumerations (SPEC §10.2, §10.3): the outreach kinds, their results and reason categories."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutreachKind(models.TextChoices):
    """What an outreach call or message is for: the seven reminder kinds of SPEC §10.2 and win-back."""

    FIRST_SERVICE = "first_service", _("首保提醒")
    PERIODIC_SERVICE = "periodic_service", _("定保提醒")
    INSURANCE = "insurance", _("续保提醒")
    INSPECTION = "inspection", _("年审提醒")
    WARRANTY_END = "warranty_end", _("质保到期提醒")
    BIRTHDAY = "birthday", _("生日祝福")
    FESTIVAL = "festival", _("节日祝福")
    WINBACK = "winback", _("流失挽回")


REMINDER_KINDS: tuple[str, ...] = tuple(kind for kind in OutreachKind.values if kind != OutreachKind.WINBACK)
# The service reminders, whose success is the vehicle coming back (SPEC §10.2 "returned").
SERVICE_REMINDER_KINDS: tuple[str, ...] = (
    OutreachKind.FIRST_SERVICE,
    OutreachKind.PERIODIC_SERVICE,
    OutreachKind.WARRANTY_END,
)


class OutreachState(models.TextChoices):
    OPEN = "open", _("待联系")
    DONE = "done", _("已完成")
    CLOSED = "closed", _("已关闭")


class OutreachChannel(models.TextChoices):
    CALL = "call", _("电话")
    SMS = "sms", _("短信")


class OutreachResult(models.TextChoices):
    """Every result an outreach contact can have; which ones a kind offers is in REMINDER_RESULTS and
    WINBACK_RESULTS (SPEC §10.2 Outcome, §10.3 联络结果)."""

    BOOKED = "booked", _("已预约")
    REMINDED = "reminded", _("已提醒")
    REFUSED = "refused", _("客户拒绝")
    INTERESTED = "interested", _("有意向")
    NOT_INTERESTED = "not_interested", _("无意向")
    ELSEWHERE = "elsewhere", _("已在他店")
    SOLD = "sold", _("已卖车")
    UNREACHABLE = "unreachable", _("无法联系")


R = OutreachResult
REMINDER_RESULTS: tuple[str, ...] = (R.BOOKED, R.REMINDED, R.REFUSED, R.ELSEWHERE, R.UNREACHABLE)
WINBACK_RESULTS: tuple[str, ...] = (R.BOOKED, R.INTERESTED, R.NOT_INTERESTED, R.ELSEWHERE, R.SOLD, R.UNREACHABLE)


def results_for_kind(kind: str) -> tuple[str, ...]:
    return WINBACK_RESULTS if kind == OutreachKind.WINBACK else REMINDER_RESULTS


class ReasonCategory(models.TextChoices):
    """Why a lost customer stayed away (SPEC §10.3 客户意见's category)."""

    PRICE = "price", _("价格")
    DISTANCE = "distance", _("距离")
    SERVICE = "service", _("服务")
    QUALITY = "quality", _("质量")
    SOLD = "sold", _("已卖车")
    OTHER = "other", _("其他")
