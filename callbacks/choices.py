"""Callback enumerations and THE disposition rule table (SPEC §6).

A disposition's bucket and effect live here once; the call page, the import, the reports and the
tests all read `DISPOSITION_RULES`.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class CallbackKind(models.TextChoices):
    SALES = "sales", _("销售回访")
    SERVICE = "service", _("售后回访")


class Mood(models.TextChoices):
    """The customer's mood on a call (seed 004 2-6: record the customer's 喜怒哀乐 with the words)."""

    CALM = "calm", _("平静")
    GLAD = "glad", _("高兴（喜）")
    PLEASED = "pleased", _("愉快（乐）")
    SAD = "sad", _("失望（哀）")
    ANGRY = "angry", _("生气（怒）")


class TaskState(models.TextChoices):
    OPEN = "open", _("待回访")
    DONE = "done", _("回访成功")
    CLOSED_UNSUCCESSFUL = "closed_unsuccessful", _("回访未成功")
    DATA_FIX = "data_fix", _("待修正资料")


class Disposition(models.TextChoices):
    SUCCESS = "成功", _("成功")
    SMS_REPLY = "短信回复", _("短信回复")
    BUSY_APPOINTMENT = "客户忙,约定时间", _("客户忙,约定时间")
    NOT_PERSON_APPOINTMENT = "非本人,约定时间", _("非本人,约定时间")
    REFUSED_SURVEY = "拒访", _("拒访")
    REJECTED_CALL = "拒接", _("拒接")
    NO_ANSWER = "无人接听", _("无人接听")
    CANNOT_CONNECT = "无法接通", _("无法接通")
    POWERED_OFF = "关机", _("关机")
    SUSPENDED = "停机", _("停机")
    BUSY_LINE = "占线", _("占线")
    CALL_RESTRICTED = "呼入限制", _("呼入限制")
    EMPTY_NUMBER = "空号", _("空号")
    WRONG_NUMBER = "号码错误", _("号码错误")


# The final disposition of a task that expired without any attempt (stored as is; a msgid, so pages
# can show it translated like the dispositions' labels).
NOT_CALLED = gettext_noop("未回访")


class Bucket(models.TextChoices):
    SUCCESS = "success", _("成功")
    RESCHEDULE = "reschedule", _("预约")
    REFUSED = "refused", _("拒绝")
    NO_ANSWER = "no_answer", _("无人接听")
    UNREACHABLE = "unreachable", _("无法接通")
    WRONG_NUMBER = "wrong_number", _("号码错误")


class Effect(models.TextChoices):
    DONE = "done", _("完成")
    RESCHEDULE = "reschedule", _("预约再拨")
    CLOSE_UNSUCCESSFUL = "close_unsuccessful", _("关闭(未成功)")
    FAILED_ATTEMPT = "failed_attempt", _("失败一次")
    DATA_FIX = "data_fix", _("转资料修正")


class AttemptSource(models.TextChoices):
    CALL = "call", _("电话")
    SMS = "sms", _("短信")
    IMPORT = "import", _("导入")
    # The customer answered the questionnaire himself on the survey-link page (surveylink): a
    # channel of its own, so the call page and the timeline do not show it as a score replied by
    # SMS. Equal to surveys.choices.ResponseSource.WEB (the response's source is the attempt's).
    WEB = "web", _("网页")


@dataclass(frozen=True)
class DispositionRule:
    bucket: str
    effect: str
    hotkey: str = ""  # one key on the call page (empty: button only)


D = Disposition
DISPOSITION_RULES: dict[str, DispositionRule] = {
    D.SUCCESS: DispositionRule(Bucket.SUCCESS, Effect.DONE, "s"),
    D.SMS_REPLY: DispositionRule(Bucket.SUCCESS, Effect.DONE),
    D.BUSY_APPOINTMENT: DispositionRule(Bucket.RESCHEDULE, Effect.RESCHEDULE, "a"),
    D.NOT_PERSON_APPOINTMENT: DispositionRule(Bucket.RESCHEDULE, Effect.RESCHEDULE),
    D.REFUSED_SURVEY: DispositionRule(Bucket.REFUSED, Effect.CLOSE_UNSUCCESSFUL, "r"),
    D.REJECTED_CALL: DispositionRule(Bucket.REFUSED, Effect.FAILED_ATTEMPT, "j"),
    D.NO_ANSWER: DispositionRule(Bucket.NO_ANSWER, Effect.FAILED_ATTEMPT, "w"),
    D.CANNOT_CONNECT: DispositionRule(Bucket.UNREACHABLE, Effect.FAILED_ATTEMPT, "u"),
    D.POWERED_OFF: DispositionRule(Bucket.UNREACHABLE, Effect.FAILED_ATTEMPT, "g"),
    D.SUSPENDED: DispositionRule(Bucket.UNREACHABLE, Effect.FAILED_ATTEMPT),
    D.BUSY_LINE: DispositionRule(Bucket.UNREACHABLE, Effect.FAILED_ATTEMPT, "b"),
    D.CALL_RESTRICTED: DispositionRule(Bucket.UNREACHABLE, Effect.FAILED_ATTEMPT),
    D.EMPTY_NUMBER: DispositionRule(Bucket.WRONG_NUMBER, Effect.DATA_FIX, "k"),
    D.WRONG_NUMBER: DispositionRule(Bucket.WRONG_NUMBER, Effect.DATA_FIX, "x"),
}


def disposition_rule(disposition: str) -> DispositionRule:
    """The rule of a disposition; KeyError for an unknown one."""
    return DISPOSITION_RULES[Disposition(disposition)]


def dispositions_in_bucket(bucket: str) -> list[str]:
    return [str(d) for d, rule in DISPOSITION_RULES.items() if rule.bucket == bucket]
