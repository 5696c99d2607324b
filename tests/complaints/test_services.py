"""The complaint workflow: every transition, every forbidden one per role, numbering, repeats."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from complaints.choices import (
    WORKFLOW,
    Action,
    CaseState,
    Category,
    Channel,
    FinalResult,
    Level,
    Responsibility,
)
from complaints.models import Case, CaseEvent
from complaints.services import (
    CaseError,
    case_close,
    case_dispatch,
    case_escalate,
    case_feedback,
    case_first_contact,
    case_mark_unfounded,
    case_recallback,
    case_receive,
    case_reopen,
    case_resolve,
    case_set_complained_staff,
    case_transfer,
    suggest_level,
)
from crm.choices import Role
from tests.concurrency import run_at_once
from tests.factories import CustomerFactory, StaffFactory, StoreFactory, UserFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _feedback(case, user):
    return case_feedback(
        case=case,
        user=user,
        investigation="技师复查，确认异响来自皮带。",
        cause="皮带张紧不足",
        responsibility=Responsibility.DEALER,
        plan="免费更换皮带并赠送一次保养",
    )


def _close(case, user):
    return case_close(
        case=case,
        user=user,
        cr_activity_result="回访客户确认已修复",
        final_result=FinalResult.SATISFIED,
        result_detail="客户满意",
        commitments="下次保养工时八折",
    )


def test_intake_numbers_stores_due_times_and_records_event(make_case, store_a):
    with time_machine.travel(dt.datetime(2026, 10, 5, 9, 0, tzinfo=SHANGHAI), tick=False):
        case = make_case()
        second = make_case(content="另一个问题")
    assert case.case_no == "LA20261005-001"
    assert second.case_no == "LA20261005-002"
    assert case.state == CaseState.NEW
    assert case.level == Level.B  # repair quality with a demand
    assert case.dispatch_due_at == case.received_at + dt.timedelta(minutes=30)
    assert case.first_contact_warn_at == case.received_at + dt.timedelta(hours=20)
    assert case.first_contact_due_at == case.received_at + dt.timedelta(hours=24)
    assert list(case.events.values_list("action", flat=True)) == [Action.RECEIVE]


def test_suggest_level_defaults():
    assert suggest_level(category=Category.SALES, channel=Channel.MANUFACTURER) == Level.A
    assert suggest_level(category=Category.SALES, channel=Channel.PHONE, safety_or_legal=True) == Level.A
    assert suggest_level(category=Category.PRODUCT_QUALITY, channel=Channel.PHONE, demand="赔偿") == Level.B
    assert suggest_level(category=Category.ATTITUDE, channel=Channel.PHONE, demand="道歉") == Level.C
    assert suggest_level(category=Category.ATTITUDE, channel=Channel.PHONE) == Level.D


def test_full_happy_path(make_case, cr_manager, department_manager, advisor, service_department):
    case = make_case()
    case = case_dispatch(case=case, user=cr_manager, department=service_department, handler=advisor)
    assert case.state == CaseState.DISPATCHED
    assert case.feedback_due_at == case.dispatched_at + dt.timedelta(hours=48)
    assert case.handler_role == Role.CONSULTANT
    case = case_first_contact(case=case, user=advisor, memo="已致电客户致歉")
    assert case.state == CaseState.IN_PROGRESS and case.first_contact_at
    case = _feedback(case, department_manager)
    assert case.feedback_at and case.responsibility == Responsibility.DEALER
    case = case_resolve(case=case, user=department_manager)
    assert case.state == CaseState.RESOLVED
    case = case_recallback(case=case, user=cr_manager, acceptance="完全接受")
    case = _close(case, cr_manager)
    assert case.state == CaseState.CLOSED and case.closed_at
    assert case.final_result == FinalResult.SATISFIED
    case = case_recallback(case=case, user=cr_manager, acceptance="完全接受", memo="结案后一周回访，车辆正常")
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [
        Action.RECEIVE,
        Action.DISPATCH,
        Action.FIRST_CONTACT,
        Action.FEEDBACK,
        Action.RESOLVE,
        Action.RECALLBACK,
        Action.CLOSE,
        Action.RECALLBACK,
    ]
    dispatch_event = case.events.get(action=Action.DISPATCH)
    assert dispatch_event.actor == cr_manager
    assert {"field": "state", "old": CaseState.NEW, "new": CaseState.DISPATCHED} in dispatch_event.changes


def test_unfounded_then_reopen_is_forbidden_but_closed_reopens_one_level_up(
    make_case, cr_manager, department_manager, advisor, service_department
):
    unfounded = case_mark_unfounded(case=make_case(), user=cr_manager, memo="客户误解保修条款，已解释")
    assert unfounded.state == CaseState.UNFOUNDED and unfounded.closed_at
    with pytest.raises(CaseError):
        case_reopen(case=unfounded, user=cr_manager, memo="再次投诉")

    case = case_dispatch(case=make_case(), user=cr_manager, department=service_department, handler=advisor)
    case = _feedback(case, department_manager)
    case = _close(case, cr_manager)
    case = case_reopen(case=case, user=cr_manager, memo="客户再次来电，异响复现")
    assert case.state == CaseState.IN_PROGRESS
    assert case.escalation_level == 2
    assert case.closed_at is None


def test_escalation_chain_to_manufacturer(make_case, cr_manager, advisor, service_department, general_manager):
    case = case_dispatch(case=make_case(), user=cr_manager, department=service_department, handler=advisor)
    case = case_escalate(case=case, user=cr_manager, reason="顾问处理失败", plan="部门经理接手")
    assert case.escalation_level == 2
    case = case_escalate(case=case, user=general_manager, reason="客户不接受方案", plan="总经理约见")
    assert case.escalation_level == 3
    with pytest.raises(CaseError, match="厂家案例编号"):
        case_escalate(case=case, user=cr_manager, reason="客户投诉到厂家", plan="厂家协调")
    case = case_escalate(
        case=case, user=cr_manager, reason="客户投诉到厂家", plan="厂家协调", manufacturer_case_ref="GTMC-2026-0042"
    )
    assert case.escalation_level == 4 and case.manufacturer_case_ref == "GTMC-2026-0042"
    with pytest.raises(CaseError, match="不能再升级"):
        case_escalate(case=case, user=cr_manager, reason="x", plan="y")
    assert case.events.filter(action=Action.ESCALATE).count() == 3


def test_transfer_to_another_handler(make_case, cr_manager, advisor, service_department, store_a):
    other = UserFactory(username="sa2", roles=[Role.CONSULTANT], stores=[store_a])
    case = case_dispatch(case=make_case(), user=cr_manager, department=service_department, handler=advisor)
    case = case_transfer(
        case=case, user=cr_manager, store=store_a, role=Role.CONSULTANT, handler=other, memo="原顾问休假"
    )
    assert case.handler == other
    event = case.events.get(action=Action.TRANSFER)
    assert event.memo == "原顾问休假"
    assert event.changes[0]["field"] == "handler"


def test_dispatch_to_another_stores_department_is_refused(make_case, cr_manager, advisor, store_b):
    from tests.factories import DepartmentFactory

    foreign = DepartmentFactory(store=store_b)
    with pytest.raises(CaseError):
        case_dispatch(case=make_case(), user=cr_manager, department=foreign, handler=advisor)


# --- forbidden actions, per role: nothing changes and a Chinese message says why ---------------

ROLES = [
    Role.CALLBACK_AGENT,
    Role.RECEPTION,
    Role.CR_MANAGER,
    Role.DEPARTMENT_MANAGER,
    Role.CONSULTANT,
    Role.GENERAL_MANAGER,
    Role.ADMINISTRATOR,
]


@pytest.mark.parametrize("role", ROLES)
def test_close_is_cr_manager_only(
    role, make_case, cr_manager, department_manager, advisor, service_department, store_a
):
    user = UserFactory(roles=[role], stores=[store_a])
    case = case_dispatch(case=make_case(), user=cr_manager, department=service_department, handler=advisor)
    case = _feedback(case, department_manager)
    case = case_resolve(case=case, user=department_manager)
    events_before = case.events.count()
    if role == Role.CR_MANAGER:
        assert _close(case, user).state == CaseState.CLOSED
        return
    with pytest.raises(CaseError, match="无权执行“结案”"):
        _close(case, user)
    case.refresh_from_db()
    assert case.state == CaseState.RESOLVED and case.closed_at is None
    assert case.events.count() == events_before


@pytest.mark.parametrize("action", list(WORKFLOW))
@pytest.mark.parametrize("role", ROLES)
def test_role_table_is_enforced_for_every_action(
    action, role, make_case, store_a, service_department, cr_manager, advisor, department_manager
):
    """Each action by each role on a case in an allowed state: allowed roles succeed, others get a
    clear message and change nothing."""
    user = UserFactory(roles=[role], stores=[store_a])
    case = make_case()
    states, roles = WORKFLOW[action]
    # Bring the case into the first allowed state.
    target = states[0]
    if target != CaseState.NEW:
        case = case_dispatch(case=case, user=cr_manager, department=service_department, handler=advisor)
    if target in (CaseState.IN_PROGRESS, CaseState.RESOLVED, CaseState.CLOSED):
        case = _feedback(case, department_manager)
    if target in (CaseState.RESOLVED, CaseState.CLOSED):
        case = case_resolve(case=case, user=department_manager)
    if target == CaseState.CLOSED:
        case = _close(case, cr_manager)
    assert case.state == target
    before = (case.state, case.escalation_level, case.handler_id, case.events.count())
    call = {
        Action.DISPATCH: lambda: case_dispatch(case=case, user=user, department=service_department, handler=advisor),
        Action.FIRST_CONTACT: lambda: case_first_contact(case=case, user=user),
        Action.FEEDBACK: lambda: _feedback(case, user),
        Action.RESOLVE: lambda: case_resolve(case=case, user=user),
        Action.RECALLBACK: lambda: case_recallback(case=case, user=user, acceptance="接受"),
        Action.CLOSE: lambda: _close(case, user),
        Action.UNFOUNDED: lambda: case_mark_unfounded(case=case, user=user, memo="不成立"),
        Action.REOPEN: lambda: case_reopen(case=case, user=user, memo="再次投诉"),
        Action.ESCALATE: lambda: case_escalate(case=case, user=user, reason="失败", plan="新方案"),
        Action.TRANSFER: lambda: case_transfer(
            case=case, user=user, store=store_a, role=Role.CONSULTANT, handler=advisor, memo="转交"
        ),
        Action.SET_STAFF: lambda: case_set_complained_staff(
            case=case, user=user, staff=StaffFactory(store=store_a, name="被投诉人")
        ),
    }[action]
    if role in roles:
        call()
        assert case.events.count() == before[3] + 1
    else:
        with pytest.raises(CaseError, match="无权执行"):
            call()
        case.refresh_from_db()
        assert (case.state, case.escalation_level, case.handler_id, case.events.count()) == before


@pytest.mark.parametrize(
    ("state_setup", "action"),
    [
        ("new", "resolve"),
        ("new", "close"),
        ("new", "reopen"),
        ("new", "feedback"),
        ("closed", "dispatch"),
        ("closed", "escalate"),
        ("closed", "first_contact"),
    ],
)
def test_wrong_state_is_refused_with_state_message(
    state_setup, action, make_case, cr_manager, department_manager, advisor, service_department
):
    case = make_case()
    if state_setup == "closed":
        case = case_dispatch(case=case, user=cr_manager, department=service_department, handler=advisor)
        case = _feedback(case, department_manager)
        case = _close(case, cr_manager)
    calls = {
        "resolve": lambda: case_resolve(case=case, user=cr_manager),
        "close": lambda: _close(case, cr_manager),
        "reopen": lambda: case_reopen(case=case, user=cr_manager, memo="x"),
        "feedback": lambda: _feedback(case, cr_manager),
        "dispatch": lambda: case_dispatch(case=case, user=cr_manager, department=service_department, handler=advisor),
        "escalate": lambda: case_escalate(case=case, user=cr_manager, reason="x", plan="y"),
        "first_contact": lambda: case_first_contact(case=case, user=cr_manager),
    }
    count = case.events.count()
    with pytest.raises(CaseError, match="当前状态为"):
        calls[action]()
    assert case.events.count() == count


def test_other_store_user_cannot_act(make_case, store_b):
    outsider = UserFactory(roles=[Role.CR_MANAGER], stores=[store_b])
    case = make_case()
    with pytest.raises(CaseError, match="无权处理该门店"):
        case_mark_unfounded(case=case, user=outsider, memo="x")
    assert Case.objects.get(pk=case.pk).state == CaseState.NEW


def test_intake_role_is_checked(store_a, customer_a):
    consultant = UserFactory(roles=[Role.CONSULTANT], stores=[store_a])
    with pytest.raises(CaseError):
        case_receive(
            user=consultant,
            store=store_a,
            customer=customer_a,
            channel=Channel.PHONE,
            category=Category.OTHER,
            content="x",
        )
    assert not Case.objects.exists()


# --- repeats ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "repeat"), [(89, True), (91, False)])
def test_repeat_detection_within_90_days(days, repeat, make_case):
    start = dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False):
        first = make_case()
    with time_machine.travel(start + dt.timedelta(days=days), tick=False):
        second = make_case()
    assert second.is_repeat is repeat
    assert second.repeat_of == (first if repeat else None)


def test_other_customer_is_not_a_repeat(make_case, store_a):
    make_case()
    other = make_case(customer=CustomerFactory(store=store_a))
    assert not other.is_repeat


# --- numbering under concurrency ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_numbering_is_unique_under_concurrency():
    store = StoreFactory(code="CC")
    user = UserFactory(roles=[Role.CR_MANAGER], stores=[store])
    customers = [CustomerFactory(store=store) for _ in range(8)]

    def work(customer):
        case_receive(
            user=user,
            store=store,
            customer=customer,
            channel=Channel.PHONE,
            category=Category.OTHER,
            content="并发受理",
        )

    run_at_once(work, args=[(c,) for c in customers])
    numbers = sorted(Case.objects.values_list("case_no", flat=True))
    day = timezone.localdate()
    assert numbers == [f"CC{day:%Y%m%d}-{n:03d}" for n in range(1, 9)]
    assert CaseEvent.objects.count() == 8


def test_escalation_level_follows_the_handler_and_never_drops(
    make_case, cr_manager, advisor, service_department, department_manager, general_manager
):
    case = case_dispatch(case=make_case(), user=cr_manager, department=service_department, handler=advisor)
    assert case.escalation_level == 1
    case = case_dispatch(case=case, user=cr_manager, department=service_department, handler=department_manager)
    assert case.escalation_level == 2
    event = case.events.filter(action=Action.DISPATCH).last()
    assert {"field": "escalation_level", "old": 1, "new": 2} in event.changes
    case = case_escalate(case=case, user=department_manager, reason="客户不接受", plan="总经理约见")
    assert case.escalation_level == 3  # one above the department manager, not 2
    case = case_transfer(
        case=case, user=general_manager, store=case.store, role="consultant", handler=advisor, memo="顾问跟进"
    )
    assert case.escalation_level == 3  # a transfer down keeps the level the case reached
