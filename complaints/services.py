"""The complaint workflow (投诉处理流程, SPEC §8): every write to a case goes through here.

Each action checks the `WORKFLOW` table of `complaints.choices` (states and roles) before changing
anything, locks the case row, writes the change and one `CaseEvent` with the changed fields.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.calendar import policy_for_store, sla_deadline, sla_deadlines
from complaints.call_source import call_source
from complaints.choices import (
    INTAKE_ROLES,
    WORKFLOW,
    Action,
    CaseState,
    Category,
    Channel,
    EscalationLevel,
    Level,
    NotificationKind,
    level_for_handler,
)
from complaints.models import Case, CaseCounter, CaseEvent
from complaints.notifications import notify
from complaints.selectors import case_url_parts
from crm.choices import Role
from crm.models import Customer, Department, Staff, Store, User, Vehicle
from crm.scoping import user_can_see_store

REPEAT_WINDOW_DAYS = 90


class CaseError(Exception):
    """A forbidden or invalid workflow action; the message is shown to the user as is."""


# --- rules ---------------------------------------------------------------------------------------


def suggest_level(*, category: str, channel: str, demand: str = "", safety_or_legal: bool = False) -> str:
    """The default level of SPEC §8: A safety/media/legal or manufacturer-forwarded; B quality with
    a (compensation) demand; C service or process with a demand; D no demand; E suggestion."""
    if safety_or_legal or channel == Channel.MANUFACTURER:
        return Level.A
    has_demand = bool(demand.strip())
    if category in (Category.PRODUCT_QUALITY, Category.REPAIR_QUALITY, Category.PARTS) and has_demand:
        return Level.B
    if has_demand:
        return Level.C
    return Level.D


def action_allowed(*, case: Case, user: User | None, action: str) -> bool:
    """True when `user` may run `action` on `case` now (the page shows only these actions)."""
    states, roles = WORKFLOW[action]
    if case.state not in states:
        return False
    if user is None:  # the system (timers, import)
        return True
    return user.has_role(*roles) and user_can_see_store(user, case.store_id)


def allowed_actions(*, case: Case, user: User) -> list[str]:
    return [action for action in WORKFLOW if action_allowed(case=case, user=user, action=action)]


def _check(case: Case, user: User | None, action: str) -> None:
    states, roles = WORKFLOW[action]
    label = Action(action).label
    if user is not None and not user_can_see_store(user, case.store_id):
        raise CaseError(_("您无权处理该门店的投诉。"))
    if case.state not in states:
        raise CaseError(
            _("投诉 %(no)s 当前状态为“%(state)s”，不能执行“%(action)s”。")
            % {"no": case.case_no, "state": case.get_state_display(), "action": label}
        )
    if user is not None and not user.has_role(*roles):
        raise CaseError(_("您的角色无权执行“%(action)s”。") % {"action": label})


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _apply(case: Case, fields: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for name, value in fields.items():
        old = getattr(case, name)
        if old != value:
            changes.append({"field": name, "old": _plain(old), "new": _plain(value)})
            setattr(case, name, value)
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if hasattr(value, "pk"):
        return str(value)
    return value


def _record(case: Case, *, actor: User | None, action: str, memo: str = "", changes=None, at=None) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, at=at or timezone.now(), actor=actor, action=action, memo=memo, changes=changes or []
    )


FieldsOrBuilder = dict[str, Any] | Callable[[Case], dict[str, Any]]


def _transition(
    case: Case,
    *,
    user: User | None,
    action: str,
    fields: FieldsOrBuilder,
    memo: str = "",
    notify_kind: str | None = None,
) -> Case:
    """Lock, check state and role, then build the new values from the locked row (a builder may
    refuse with CaseError), save and record. Any refusal leaves the case untouched. With
    `notify_kind`, a new handler hears of the case in the same transaction (`_notify_new_handler`)."""
    with transaction.atomic():
        locked = _lock(case)
        _check(locked, user, action)
        if callable(fields):
            fields = fields(locked)
        changes = _apply(locked, fields)
        locked.save()
        event = _record(locked, actor=user, action=action, memo=memo, changes=changes)
        if notify_kind is not None:
            _notify_new_handler(locked, event=event, actor=user, kind=notify_kind)
    return locked


def _notify_new_handler(case: Case, *, event: CaseEvent, actor: User | None, kind: str) -> None:
    """A dispatched or transferred case notifies its handler at once (issue 12 item 9) — bell and
    e-mail, once per event (the dedup key) — when the handler changed and is not the one acting."""
    if not any(change["field"] == "handler" for change in event.changes):
        return
    if case.handler_id is None or (actor is not None and case.handler_id == actor.pk):
        return
    head, tail = case_url_parts()
    notify(
        recipients=[case.handler_id],
        kind=kind,
        params={"no": case.case_no},
        body=case.content[:200],
        url=f"{head}{case.pk}{tail}",
        dedup_key=f"case:{case.pk}:handler:{event.pk}",
    )


# --- intake --------------------------------------------------------------------------------------


def case_number_next(*, store: Store, day: dt.date) -> str:
    """Store code + date + 3-digit sequence (LA20261124-001); race-safe via a locked counter row.
    Must run inside a transaction."""
    CaseCounter.objects.get_or_create(store=store, day=day)
    counter = CaseCounter.objects.select_for_update().get(store=store, day=day)
    while True:  # skip numbers an imported case already holds (imports keep their 受理编号)
        counter.last = F("last") + 1
        counter.save(update_fields=["last"])
        counter.refresh_from_db(fields=["last"])
        number = f"{store.code}{day:%Y%m%d}-{counter.last:03d}"
        if not Case.objects.filter(case_no=number).exists():
            return number


def case_find_repeat_of(*, customer: Customer, received_at: dt.datetime, exclude_id: int | None = None) -> Case | None:
    """The customer's latest other case received in the 90 days before `received_at`."""
    qs = Case.objects.filter(
        customer=customer,
        received_at__gte=received_at - dt.timedelta(days=REPEAT_WINDOW_DAYS),
        received_at__lte=received_at,
    )
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.order_by("-received_at", "-id").first()


def case_receive(
    *,
    user: User | None,
    store: Store,
    customer: Customer,
    channel: str,
    category: str,
    content: str,
    vehicle: Vehicle | None = None,
    level: str = "",
    demand: str = "",
    received_at: dt.datetime | None = None,
    case_no: str = "",
    hot_alert_id: int | None = None,
    source_task_id: int | None = None,
    complained_staff: Staff | None = None,
    **facts: Any,
) -> Case:
    """Intake (受理): number the case, link a repeat, store the SLA due times, record the event."""
    if user is not None:
        if not user.has_role(*INTAKE_ROLES):
            raise CaseError(_("您的角色无权受理投诉。"))
        if not user_can_see_store(user, store.pk):
            raise CaseError(_("您无权处理该门店的投诉。"))
    if customer.store_id != store.pk:
        raise CaseError(_("客户不属于该门店。"))
    if not content.strip():
        raise CaseError(_("请填写投诉内容。"))
    if complained_staff is not None and complained_staff.store_id != store.pk:
        raise CaseError(_("相关责任人不属于该门店。"))
    received_at = received_at or timezone.now()
    level = level or suggest_level(category=category, channel=channel, demand=demand)
    policy = policy_for_store(store.pk)
    dispatch_due, warn_at, due_at = sla_deadlines(
        policy=policy,
        start=received_at,
        minutes=[policy.dispatch_minutes, policy.first_contact_warning_minutes, policy.first_contact_minutes],
    )
    with transaction.atomic():
        repeat_of = case_find_repeat_of(customer=customer, received_at=received_at)
        case = Case.objects.create(
            case_no=case_no or case_number_next(store=store, day=timezone.localdate(received_at)),
            store=store,
            customer=customer,
            vehicle=vehicle,
            channel=channel,
            category=category,
            level=level,
            content=content,
            demand=demand,
            is_repeat=repeat_of is not None,
            repeat_of=repeat_of,
            received_at=received_at,
            dispatch_due_at=dispatch_due,
            first_contact_warn_at=warn_at,
            first_contact_due_at=due_at,
            hot_alert_id=hot_alert_id,
            source_task_id=source_task_id,
            complained_staff=complained_staff,
            created_by=user,
            **facts,
        )
        _record(case, actor=user, action=Action.RECEIVE, at=received_at)
        if hot_alert_id is not None and user is not None:
            # The hot alert is handled from now on as this case: callbacks closes it, saying so.
            call_source().case_received_from_alert(case, user)
    return case


# --- workflow ------------------------------------------------------------------------------------


def case_dispatch(*, case: Case, user: User | None, department: Department, handler: User, memo: str = "") -> Case:
    """Dispatch (派发) to a department and its handler; starts the 48 h feedback clock."""
    if department.store_id != case.store_id:
        raise CaseError(_("责任部门不属于该门店。"))
    if not user_can_see_store(handler, case.store_id):
        raise CaseError(_("处理人不属于该门店。"))

    def build(locked: Case) -> dict[str, Any]:
        role = _role_of(handler)
        fields: dict[str, Any] = {
            "department": department,
            "handler": handler,
            "handler_role": role,
            "escalation_level": level_for_handler(current=locked.escalation_level, role=role),
        }
        if locked.state == CaseState.NEW:  # a re-dispatch keeps the first dispatch and its clock
            now = timezone.now()
            policy = policy_for_store(locked.store_id)
            fields |= {
                "state": CaseState.DISPATCHED,
                "dispatched_at": now,
                "feedback_due_at": sla_deadline(policy=policy, start=now, minutes=policy.feedback_minutes),
            }
        return fields

    return _transition(
        case, user=user, action=Action.DISPATCH, fields=build, memo=memo, notify_kind=NotificationKind.DISPATCHED
    )


def _role_of(user: User) -> str:
    for role in (Role.GENERAL_MANAGER, Role.DEPARTMENT_MANAGER, Role.CR_MANAGER, Role.CONSULTANT):
        if user.has_role(role):
            return role
    return ""


def case_first_contact(*, case: Case, user: User | None, memo: str = "", at: dt.datetime | None = None) -> Case:
    """First contact with the customer (首次联系): the case is in progress."""
    fields = {"state": CaseState.IN_PROGRESS, "first_contact_at": at or timezone.now()}
    return _transition(case, user=user, action=Action.FIRST_CONTACT, fields=fields, memo=memo)


def case_feedback(
    *,
    case: Case,
    user: User | None,
    investigation: str,
    cause: str,
    responsibility: str,
    plan: str,
    memo: str = "",
) -> Case:
    """Department feedback (部门反馈): investigation, cause, responsibility, plan; stops the 48 h clock.
    Recorded on a dispatched case it also counts as the first contact when none was recorded."""
    if not (investigation.strip() and plan.strip()):
        raise CaseError(_("请填写调查情况和处理方案。"))
    now = timezone.now()
    fields: dict[str, Any] = {
        "investigation": investigation,
        "cause": cause,
        "responsibility": responsibility,
        "plan": plan,
        "feedback_at": now,
        "state": CaseState.IN_PROGRESS,
    }
    if case.first_contact_at is None:
        fields["first_contact_at"] = now
    return _transition(case, user=user, action=Action.FEEDBACK, fields=fields, memo=memo)


def case_resolve(*, case: Case, user: User | None, memo: str = "") -> Case:
    """The solution is carried out (待确认): the CR department calls the customer back."""

    def build(locked: Case) -> dict[str, Any]:
        if locked.feedback_at is None:
            raise CaseError(_("请先记录部门反馈。"))
        return {"state": CaseState.RESOLVED, "resolved_at": timezone.now()}

    return _transition(case, user=user, action=Action.RESOLVE, fields=build, memo=memo)


def case_recallback(*, case: Case, user: User | None, acceptance: str, memo: str = "") -> Case:
    """A CR re-callback (客关回访), before or after closing; records the customer's acceptance."""
    return _transition(case, user=user, action=Action.RECALLBACK, fields={"acceptance": acceptance}, memo=memo)


def case_close(
    *,
    case: Case,
    user: User | None,
    cr_activity_result: str,
    final_result: str,
    result_detail: str = "",
    commitments: str = "",
    responsibility: str | None = None,
    memo: str = "",
) -> Case:
    """Close (结案), CR manager only, with the closing fields."""
    if not final_result:
        raise CaseError(_("请选择最终结果。"))
    fields: dict[str, Any] = {
        "state": CaseState.CLOSED,
        "closed_at": timezone.now(),
        "cr_activity_result": cr_activity_result,
        "final_result": final_result,
        "result_detail": result_detail,
        "commitments": commitments,
    }
    if responsibility:
        fields["responsibility"] = responsibility
    return _transition(case, user=user, action=Action.CLOSE, fields=fields, memo=memo)


def case_mark_unfounded(*, case: Case, user: User | None, memo: str) -> Case:
    """Unfounded (不成立): explained to the customer and closed."""
    if not memo.strip():
        raise CaseError(_("请说明不成立的理由。"))
    fields = {"state": CaseState.UNFOUNDED, "closed_at": timezone.now()}
    return _transition(case, user=user, action=Action.UNFOUNDED, fields=fields, memo=memo)


def case_reopen(*, case: Case, user: User | None, memo: str) -> Case:
    """The customer raises a closed case again: back in progress at the next escalation level."""

    def build(locked: Case) -> dict[str, Any]:
        if not memo.strip():
            raise CaseError(_("请填写重新打开的原因。"))
        return {
            "state": CaseState.IN_PROGRESS,
            "closed_at": None,
            "escalation_level": min(locked.escalation_level + 1, EscalationLevel.MANUFACTURER),
        }

    return _transition(case, user=user, action=Action.REOPEN, fields=build, memo=memo)


def case_escalate(*, case: Case, user: User | None, reason: str, plan: str, manufacturer_case_ref: str = "") -> Case:
    """Handling failed (处理失败): one level up with a reason and a new plan; level 4 (manufacturer
    desk) needs the manufacturer's case reference."""

    def build(locked: Case) -> dict[str, Any]:
        if not (reason.strip() and plan.strip()):
            raise CaseError(_("请填写升级原因和新的处理方案。"))
        if locked.escalation_level >= EscalationLevel.MANUFACTURER:
            raise CaseError(_("投诉已升级到厂家，不能再升级。"))
        new_level = locked.escalation_level + 1
        if new_level == EscalationLevel.MANUFACTURER and not manufacturer_case_ref.strip():
            raise CaseError(_("升级到厂家时请填写厂家案例编号。"))
        fields: dict[str, Any] = {"escalation_level": new_level, "plan": plan}
        if manufacturer_case_ref:
            fields["manufacturer_case_ref"] = manufacturer_case_ref
        return fields

    return _transition(case, user=user, action=Action.ESCALATE, fields=build, memo=reason)


def case_transfer(*, case: Case, user: User | None, store: Store, role: str, handler: User, memo: str) -> Case:
    """Transfer to another handler (转交他人对应): store, role, person, memo."""
    if not user_can_see_store(handler, store.pk) or not handler.has_role(role):
        raise CaseError(_("所选处理人不属于该门店或没有该角色。"))
    if not memo.strip():
        raise CaseError(_("请填写转交说明。"))
    fields: dict[str, Any] = {"store": store, "handler": handler, "handler_role": role}
    if case.department_id and case.department.store_id != store.pk:
        fields["department"] = Department.objects.filter(store=store, kind=case.department.kind).first()

    def build(locked: Case) -> dict[str, Any]:
        return fields | {"escalation_level": level_for_handler(current=locked.escalation_level, role=role)}

    return _transition(
        case, user=user, action=Action.TRANSFER, fields=build, memo=memo, notify_kind=NotificationKind.TRANSFERRED
    )


def case_set_complained_staff(*, case: Case, user: User | None, staff: Staff | None, memo: str = "") -> Case:
    """Name (or clear) the member of staff complained about (相关责任人, table 6), apart from the
    handler; recorded on the timeline with the change."""
    if staff is not None and staff.store_id != case.store_id:
        raise CaseError(_("相关责任人不属于该门店。"))
    return _transition(case, user=user, action=Action.SET_STAFF, fields={"complained_staff": staff}, memo=memo)
