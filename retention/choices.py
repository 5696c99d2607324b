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
    # The call after a missed service appointment (app `appointments`: its no-show beat opens it).
    NO_SHOW = "no_show", _("爽约回访")
    # Issue 10 item 6: a customer whose last visit is 9–12 months old (winback settings), called before
    # he is lost; worked under the queue's win-back filter.
    AT_RISK = "at_risk", _("即将流失")


# The kinds of the win-back side: the lost customer's call and the at-risk customer's call.
WINBACK_KINDS: tuple[str, ...] = (OutreachKind.WINBACK, OutreachKind.AT_RISK)
REMINDER_KINDS: tuple[str, ...] = tuple(
    kind for kind in OutreachKind.values if kind not in (*WINBACK_KINDS, OutreachKind.NO_SHOW)
)
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


class Outcome(models.TextChoices):
    """What a contact's result does to its task — THE one table (OUTCOMES below), read by every
    page and service that records a contact (the queue's call page, the win-back page)."""

    FINAL = "final", _("结束任务")
    FOLLOW_UP = "follow_up", _("稍后跟进")
    RETRY = "retry", _("未接通，稍后重拨")


# 有意向 (interested, not booked yet) keeps the call open for a follow-up after FOLLOW_UP_DAYS without
# counting as a failed attempt: the customer is warm and a second call is what books him. 无法联系 is
# a failed attempt (retry gap, closed after the store's maximum). Every other result ends the task.
OUTCOMES: dict[str, str] = {
    R.BOOKED: Outcome.FINAL,
    R.REMINDED: Outcome.FINAL,
    R.REFUSED: Outcome.FINAL,
    R.INTERESTED: Outcome.FOLLOW_UP,
    R.NOT_INTERESTED: Outcome.FINAL,
    R.ELSEWHERE: Outcome.FINAL,
    R.SOLD: Outcome.FINAL,
    R.UNREACHABLE: Outcome.RETRY,
}
FOLLOW_UP_DAYS = 7
FINAL_RESULTS = frozenset(result for result, outcome in OUTCOMES.items() if outcome == Outcome.FINAL)


def results_for_kind(kind: str) -> tuple[str, ...]:
    return WINBACK_RESULTS if kind in WINBACK_KINDS else REMINDER_RESULTS


class ReasonCategory(models.TextChoices):
    """Why a lost customer stayed away (SPEC §10.3 客户意见's category)."""

    PRICE = "price", _("价格")
    DISTANCE = "distance", _("距离")
    SERVICE = "service", _("服务")
    QUALITY = "quality", _("质量")
    SOLD = "sold", _("已卖车")
    OTHER = "other", _("其他")


class ReminderChannel(models.TextChoices):
    """How a reminder reaches the customer (SPEC §10.2 Channel, a per-store setting per kind)."""

    SMS = "sms", _("短信")
    CALL = "call", _("电话")
    BOTH = "both", _("短信和电话")


class ReminderStatus(models.TextChoices):
    """NEW: generated, its channels not yet worked (a dispatch picks it up, also after a crash);
    SKIPPED: no channel may be used (consent, invalid mobile), with the reason; DISPATCHED: its SMS
    is queued and/or its call task is in the agents' queue."""

    NEW = "new", _("待发送")
    SKIPPED = "skipped", _("已跳过")
    DISPATCHED = "dispatched", _("已发出")


class Festival(models.TextChoices):
    """The festivals of a store's greeting calendar (SPEC §10.2 节日祝福)."""

    NEW_YEAR = "new_year", _("元旦")
    SPRING = "spring", _("春节")
    LANTERN = "lantern", _("元宵")
    DRAGON_BOAT = "dragon_boat", _("端午")
    MID_AUTUMN = "mid_autumn", _("中秋")
    NATIONAL_DAY = "national_day", _("国庆")


# SPEC §10.2 defaults: calls for the service and insurance reminders, SMS for the rest.
DEFAULT_CHANNELS: dict[str, str] = {
    OutreachKind.FIRST_SERVICE: ReminderChannel.CALL,
    OutreachKind.PERIODIC_SERVICE: ReminderChannel.SMS,
    OutreachKind.INSURANCE: ReminderChannel.CALL,
    OutreachKind.INSPECTION: ReminderChannel.SMS,
    OutreachKind.WARRANTY_END: ReminderChannel.CALL,
    OutreachKind.BIRTHDAY: ReminderChannel.SMS,
    OutreachKind.FESTIVAL: ReminderChannel.SMS,
}
DEFAULT_LEAD_DAYS: dict[str, int] = {
    OutreachKind.FIRST_SERVICE: 7,
    OutreachKind.PERIODIC_SERVICE: 7,
    OutreachKind.INSURANCE: 30,
    OutreachKind.INSPECTION: 30,
    OutreachKind.WARRANTY_END: 30,
    OutreachKind.BIRTHDAY: 0,
    OutreachKind.FESTIVAL: 0,
}
VEHICLE_REMINDER_KINDS: tuple[str, ...] = (
    OutreachKind.FIRST_SERVICE,
    OutreachKind.PERIODIC_SERVICE,
    OutreachKind.INSURANCE,
    OutreachKind.INSPECTION,
    OutreachKind.WARRANTY_END,
)
# The seed 001 SMS template (crm.SmsTemplate code) and the SMS log's reason (table 13) of each kind.
SMS_TEMPLATE_CODES: dict[str, str] = {
    OutreachKind.FIRST_SERVICE: "first_maintenance",
    OutreachKind.PERIODIC_SERVICE: "periodic_maintenance",
    OutreachKind.INSURANCE: "insurance",
    OutreachKind.INSPECTION: "annual_inspection",
    OutreachKind.WARRANTY_END: "warranty_end",
    OutreachKind.BIRTHDAY: "birthday",
    OutreachKind.FESTIVAL: "festival",
}
# A call result that means the customer was spoken to (the report's "reached").
REACHED_RESULTS: tuple[str, ...] = (
    R.BOOKED,
    R.REMINDED,
    R.REFUSED,
    R.ELSEWHERE,
    R.INTERESTED,
    R.NOT_INTERESTED,
    R.SOLD,
)


class SkipReason(models.TextChoices):
    """Why a reminder's channel was not used (SPEC §10.2: recorded, never silently dropped)."""

    NO_SMS_CONSENT = "no_sms_consent", _("客户不同意接收短信")
    MOBILE_INVALID = "mobile_invalid", _("手机号无效")
    CALLS_REFUSED = "calls_refused", _("客户拒绝电话联系")
    # Never sent past its due date: a reminder left unworked (a crashed run) or an SMS still queued
    # (a gateway backlog) when the due date has passed.
    EXPIRED = "expired", _("已过到期日")


def skip_reason_labels(codes: str) -> str:
    """The stored reasons ("a,b") as the page and the export print them."""
    labels = dict(SkipReason.choices)
    return "；".join(str(labels.get(code, code)) for code in codes.split(",") if code)
