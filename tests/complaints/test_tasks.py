"""The SLA sweep: each alert exactly once (run twice → one notification), automatic escalation."""

import datetime as dt

import pytest
import time_machine

from complaints.choices import Action, Responsibility
from complaints.models import Case, Notification
from complaints.services import case_dispatch, case_feedback, case_first_contact
from complaints.tasks import sla_sweep
from crm.choices import Role
from tests.factories import UserFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
RECEIVED = dt.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)

pytestmark = pytest.mark.usefixtures("sweep_path")  # every test on both paths of the sweep


@pytest.fixture
def case(make_case):
    with time_machine.travel(RECEIVED, tick=False):
        return make_case()


def run_at(moment):
    with time_machine.travel(moment, tick=False):
        return sla_sweep.delay().get()


def kinds_for(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_nothing_before_any_deadline(case, cr_manager):
    assert run_at(RECEIVED + dt.timedelta(minutes=29)) == {
        "yellow": 0,
        "red": 0,
        "dispatch_overdue": 0,
        "feedback_overdue": 0,
    }
    assert not Notification.objects.exists()


def test_dispatch_overdue_goes_to_cr_manager_once(case, cr_manager, store_b):
    other_store_manager = UserFactory(roles=[Role.CR_MANAGER], stores=[store_b])
    run_at(RECEIVED + dt.timedelta(minutes=31))
    run_at(RECEIVED + dt.timedelta(minutes=36))
    assert kinds_for(cr_manager) == ["complaint_dispatch_overdue"]
    assert kinds_for(other_store_manager) == []


def test_yellow_and_red_each_once_to_the_right_people(
    case, cr_manager, department_manager, advisor, service_department, general_manager
):
    with time_machine.travel(RECEIVED + dt.timedelta(minutes=10), tick=False):
        case_dispatch(case=case, user=cr_manager, department=service_department, handler=advisor)
    run_at(RECEIVED + dt.timedelta(hours=20))
    run_at(RECEIVED + dt.timedelta(hours=20, minutes=5))
    assert kinds_for(advisor) == ["complaint_dispatched", "complaint_yellow"]
    assert kinds_for(cr_manager) == ["complaint_yellow"]
    assert kinds_for(department_manager) == []
    run_at(RECEIVED + dt.timedelta(hours=24))
    run_at(RECEIVED + dt.timedelta(hours=24, minutes=5))
    assert kinds_for(advisor) == ["complaint_dispatched", "complaint_yellow"]
    assert kinds_for(cr_manager) == ["complaint_red", "complaint_yellow"]
    assert kinds_for(department_manager) == ["complaint_red"]
    assert kinds_for(general_manager) == []
    assert Notification.objects.get(recipient=department_manager).url == f"/complaints/cases/{case.pk}/"


def test_no_yellow_after_first_contact(case, cr_manager, advisor, service_department):
    with time_machine.travel(RECEIVED + dt.timedelta(hours=1), tick=False):
        case = case_dispatch(case=case, user=cr_manager, department=service_department, handler=advisor)
        case_first_contact(case=case, user=advisor)
    run_at(RECEIVED + dt.timedelta(hours=30))
    assert kinds_for(advisor) == ["complaint_dispatched"]  # the dispatch itself, no alert
    assert kinds_for(cr_manager) == []


def test_feedback_overdue_notifies_gm_and_escalates_once(
    case, cr_manager, department_manager, advisor, service_department, general_manager
):
    with time_machine.travel(RECEIVED + dt.timedelta(minutes=10), tick=False):
        case = case_dispatch(case=case, user=cr_manager, department=service_department, handler=advisor)
        case_first_contact(case=case, user=advisor)
    run_at(RECEIVED + dt.timedelta(hours=48, minutes=9))
    assert Case.objects.get(pk=case.pk).escalation_level == 1  # 48 h from dispatch, not yet
    run_at(RECEIVED + dt.timedelta(hours=48, minutes=10))
    run_at(RECEIVED + dt.timedelta(hours=48, minutes=15))
    case.refresh_from_db()
    assert case.escalation_level == 3
    assert case.events.filter(action=Action.AUTO_ESCALATE).count() == 1
    assert kinds_for(general_manager) == ["complaint_feedback_overdue"]


def test_feedback_in_time_means_no_escalation(
    case, cr_manager, department_manager, advisor, service_department, general_manager
):
    with time_machine.travel(RECEIVED + dt.timedelta(minutes=10), tick=False):
        case = case_dispatch(case=case, user=cr_manager, department=service_department, handler=advisor)
    with time_machine.travel(RECEIVED + dt.timedelta(hours=47), tick=False):
        case_feedback(
            case=case,
            user=department_manager,
            investigation="查明",
            cause="原因",
            responsibility=Responsibility.DEALER,
            plan="方案",
        )
    run_at(RECEIVED + dt.timedelta(hours=50))
    assert Case.objects.get(pk=case.pk).escalation_level == 1
    assert kinds_for(general_manager) == []
