"""Enumerations of complaint cases (SPEC §8) and the workflow table: action -> states -> roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.choices import Role


class Channel(models.TextChoices):
    PHONE = "phone", _("来电")
    VISIT = "visit", _("来人")
    LETTER = "letter", _("函件")
    EMAIL = "email", _("E-Mail")
    CALLBACK = "callback", _("回访发现")
    SMS = "sms", _("短信")
    MANUFACTURER = "manufacturer", _("厂家转办")


class Category(models.TextChoices):
    SALES = "sales", _("销售")
    ATTITUDE = "attitude", _("服务态度")
    REPAIR_QUALITY = "repair_quality", _("维修质量")
    PRODUCT_QUALITY = "product_quality", _("产品质量")
    PARTS = "parts", _("配件")
    FEES = "fees", _("费用")
    OTHER = "other", _("其他")


class Level(models.TextChoices):
    A = "A", _("A 安全/媒体/法律/厂家转办")
    B = "B", _("B 质量问题且要求赔偿")
    C = "C", _("C 服务或流程问题且有诉求")
    D = "D", _("D 不满但无诉求")
    E = "E", _("E 建议")


class Responsibility(models.TextChoices):
    MANUFACTURER = "manufacturer", _("厂家")
    DEALER = "dealer", _("经销店")
    CUSTOMER = "customer", _("顾客")
    PENDING = "pending", _("待定")


class CaseState(models.TextChoices):
    NEW = "new", _("新建")
    DISPATCHED = "dispatched", _("已派发")
    IN_PROGRESS = "in_progress", _("处理中")
    RESOLVED = "resolved", _("待确认")
    CLOSED = "closed", _("已完结")
    UNFOUNDED = "unfounded", _("不成立")


FINISHED_STATES = (CaseState.CLOSED, CaseState.UNFOUNDED)
OPEN_STATES = (CaseState.NEW, CaseState.DISPATCHED, CaseState.IN_PROGRESS, CaseState.RESOLVED)


class EscalationLevel(models.IntegerChoices):
    FRONT_LINE = 1, _("1级 销售顾问/服务顾问")
    DEPARTMENT = 2, _("2级 部门经理")
    GENERAL_MANAGER = 3, _("3级 总经理")
    MANUFACTURER = 4, _("4级 厂家")


# The escalation level at which each handler role works (SPEC §8: 1 SC/SA → 2 department manager →
# 3 general manager). A case dispatched or transferred to a higher role is at that role's level: the
# level says who handles the case now, and "handling failed" goes one above it. (A department
# manager's feedback on an advisor's case is the department's normal answer, not an escalation.)
ROLE_ESCALATION_LEVEL: dict[str, int] = {
    Role.CONSULTANT: EscalationLevel.FRONT_LINE,
    Role.DEPARTMENT_MANAGER: EscalationLevel.DEPARTMENT,
    Role.GENERAL_MANAGER: EscalationLevel.GENERAL_MANAGER,
}


def level_for_handler(*, current: int, role: str) -> int:
    """The case's escalation level once a `role` handles it: raised to that role's level, never lowered."""
    return max(current, ROLE_ESCALATION_LEVEL.get(role, EscalationLevel.FRONT_LINE))


class FinalResult(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")
    UNREACHABLE = "unreachable", _("无法联系")


class SlaColour(models.TextChoices):
    """Sort order white < yellow < red < grey is the `rank` of `complaints.selectors.with_sla_colour`."""

    WHITE = "white", _("白")
    YELLOW = "yellow", _("黄")
    RED = "red", _("红")
    GREY = "grey", _("灰")


class Action(models.TextChoices):
    RECEIVE = "receive", _("受理")
    DISPATCH = "dispatch", _("派发")
    FIRST_CONTACT = "first_contact", _("首次联系")
    FEEDBACK = "feedback", _("部门反馈")
    RESOLVE = "resolve", _("解决待确认")
    RECALLBACK = "recallback", _("客关回访")
    CLOSE = "close", _("结案")
    UNFOUNDED = "unfounded", _("不成立")
    REOPEN = "reopen", _("重新打开")
    ESCALATE = "escalate", _("升级")
    TRANSFER = "transfer", _("转交他人")
    AUTO_ESCALATE = "auto_escalate", _("超时自动升级")
    IMPORT = "import", _("导入")
    SET_STAFF = "set_staff", _("认定相关责任人")
    ATTACH = "attach", _("上传附件")
    DETACH = "detach", _("删除附件")


_HANDLERS = (Role.CR_MANAGER, Role.DEPARTMENT_MANAGER, Role.CONSULTANT, Role.GENERAL_MANAGER)
_INTAKE = (Role.CALLBACK_AGENT, Role.RECEPTION, Role.CR_MANAGER)

# THE workflow table (a rule lives once): which action may run in which states, by which roles.
# `None` as roles means "anyone allowed to see the case's store" is not used; every action names roles.
WORKFLOW: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    Action.DISPATCH: ((CaseState.NEW, CaseState.DISPATCHED), (Role.CR_MANAGER,)),
    Action.FIRST_CONTACT: ((CaseState.NEW, CaseState.DISPATCHED), (*_HANDLERS,)),
    Action.FEEDBACK: (
        (CaseState.DISPATCHED, CaseState.IN_PROGRESS),
        (Role.DEPARTMENT_MANAGER, Role.CONSULTANT, Role.GENERAL_MANAGER, Role.CR_MANAGER),
    ),
    Action.RESOLVE: ((CaseState.IN_PROGRESS,), (Role.DEPARTMENT_MANAGER, Role.GENERAL_MANAGER, Role.CR_MANAGER)),
    Action.RECALLBACK: (
        (CaseState.RESOLVED, CaseState.CLOSED),
        (Role.CR_MANAGER, Role.CALLBACK_AGENT),
    ),
    Action.CLOSE: ((CaseState.RESOLVED, CaseState.IN_PROGRESS), (Role.CR_MANAGER,)),
    Action.UNFOUNDED: ((CaseState.NEW, CaseState.DISPATCHED, CaseState.IN_PROGRESS), (Role.CR_MANAGER,)),
    Action.REOPEN: ((CaseState.CLOSED,), (Role.CR_MANAGER,)),
    Action.ESCALATE: (
        (CaseState.DISPATCHED, CaseState.IN_PROGRESS, CaseState.RESOLVED),
        (Role.CR_MANAGER, Role.DEPARTMENT_MANAGER, Role.GENERAL_MANAGER),
    ),
    Action.TRANSFER: (
        (CaseState.DISPATCHED, CaseState.IN_PROGRESS),
        (Role.CR_MANAGER, Role.DEPARTMENT_MANAGER, Role.GENERAL_MANAGER),
    ),
    # The person complained about may be named at intake, by the department's investigation or
    # when the CR manager reviews a closed case (the weekly report counts them).
    Action.SET_STAFF: (tuple(CaseState.values), (Role.CR_MANAGER, Role.DEPARTMENT_MANAGER, Role.GENERAL_MANAGER)),
}

# Who may add files to a case they can see (and delete their own; the CR manager any).
ATTACHMENT_ROLES = (*_INTAKE, Role.DEPARTMENT_MANAGER, Role.CONSULTANT, Role.GENERAL_MANAGER)
ATTACHMENT_DELETE_ANY_ROLES = (Role.CR_MANAGER,)
INTAKE_ROLES = _INTAKE


class NotificationKind(models.TextChoices):
    """What a notification (站内通知) says; its text is `NOTIFICATION_TITLES[kind] % params`."""

    YELLOW = "complaint_yellow", _("黄色预警")
    RED = "complaint_red", _("红色超时")
    DISPATCH_OVERDUE = "complaint_dispatch_overdue", _("超时未派发")
    FEEDBACK_OVERDUE = "complaint_feedback_overdue", _("反馈超时")
    DISPATCHED = "complaint_dispatched", _("投诉派发")
    TRANSFERRED = "complaint_transferred", _("投诉转交")
    HOT_ALERT = "hot_alert", _("回访预警")


# The one table of notification texts: msgids with %(…)s parameters, rendered in the reader's
# language when shown (complaints.notifications.notification_title). A notification stores its kind
# and parameters; complaint kinds take the case number `no`, the hot alert the customer's name.
NOTIFICATION_TITLES = {
    NotificationKind.YELLOW: _("投诉 %(no)s 已黄色预警：20 小时内尚未首次联系客户"),
    NotificationKind.RED: _("投诉 %(no)s 已红色超时：24 小时内未首次联系客户"),
    NotificationKind.DISPATCH_OVERDUE: _("投诉 %(no)s 超过 30 分钟未派发"),
    NotificationKind.FEEDBACK_OVERDUE: _("投诉 %(no)s 部门反馈超过 48 小时，已自动升级到总经理"),
    NotificationKind.DISPATCHED: _("投诉 %(no)s 已派发给您处理"),
    NotificationKind.TRANSFERRED: _("投诉 %(no)s 已转交给您处理"),
    NotificationKind.HOT_ALERT: _("回访预警：客户 %(customer)s 的回访有抱怨或负面评价"),
}


def render_title(kind: str, params: dict) -> str | None:
    """The kind's text with its parameters in the active language; None when it cannot be rendered
    (an unknown kind, no or wrong parameters)."""
    template = NOTIFICATION_TITLES.get(kind)
    if template is None or not params:
        return None
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return None
