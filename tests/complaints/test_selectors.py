"""SLA colours computed in the database (SPEC §8): white < 20 h ≤ yellow < 24 h ≤ red; grey when done."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from complaints.choices import CaseState, FinalResult, SlaColour
from complaints.models import Case
from complaints.selectors import case_colour_filter, with_sla_colour
from complaints.services import case_close, case_dispatch, case_feedback, case_first_contact, case_mark_unfounded

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
RECEIVED = dt.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)


def colour_of(case, now):
    return with_sla_colour(Case.objects.filter(pk=case.pk), now).get().sla_colour


def filtered_ids(colour, now):
    return set(Case.objects.filter(case_colour_filter(colour, now)).values_list("pk", flat=True))


@pytest.fixture
def case(make_case):
    with time_machine.travel(RECEIVED, tick=False):
        return make_case()


@pytest.mark.parametrize(
    ("elapsed", "colour"),
    [
        (dt.timedelta(hours=19, minutes=59), SlaColour.WHITE),
        (dt.timedelta(hours=20), SlaColour.YELLOW),
        (dt.timedelta(hours=23, minutes=59), SlaColour.YELLOW),
        (dt.timedelta(hours=24), SlaColour.RED),
    ],
)
def test_colour_while_waiting_for_first_contact(case, elapsed, colour):
    with time_machine.travel(RECEIVED + elapsed, tick=False):
        now = timezone.now()
        assert colour_of(case, now) == colour
        assert filtered_ids(colour, now) == {case.pk}
        for other in set(SlaColour) - {colour}:
            assert filtered_ids(other, now) == set()


@pytest.mark.parametrize(
    ("contact_after", "colour"),
    [
        (dt.timedelta(hours=19, minutes=59), SlaColour.WHITE),
        (dt.timedelta(hours=20), SlaColour.YELLOW),
        (dt.timedelta(hours=23, minutes=59), SlaColour.YELLOW),
        (dt.timedelta(hours=24), SlaColour.RED),
    ],
)
def test_colour_freezes_at_first_contact(case, contact_after, colour, cr_manager, advisor, service_department):
    with time_machine.travel(RECEIVED + dt.timedelta(minutes=10), tick=False):
        case = case_dispatch(case=case, user=cr_manager, department=service_department, handler=advisor)
    with time_machine.travel(RECEIVED + contact_after, tick=False):
        case = case_first_contact(case=case, user=advisor)
    # Days later the colour still says how long the first contact took.
    later = RECEIVED + dt.timedelta(days=5)
    assert colour_of(case, later) == colour
    assert filtered_ids(colour, later) == {case.pk}


def test_grey_after_closing_or_unfounded(case, make_case, cr_manager, department_manager, advisor, service_department):
    with time_machine.travel(RECEIVED + dt.timedelta(hours=30), tick=False):
        assert colour_of(case, timezone.now()) == SlaColour.RED
        case = case_dispatch(case=case, user=cr_manager, department=service_department, handler=advisor)
        case = case_feedback(
            case=case, user=department_manager, investigation="查明", cause="原因", responsibility="dealer", plan="方案"
        )
        case = case_close(case=case, user=cr_manager, cr_activity_result="已回访", final_result=FinalResult.SATISFIED)
        other = case_mark_unfounded(case=make_case(), user=cr_manager, memo="已向客户解释")
        now = timezone.now()
    assert case.state == CaseState.CLOSED
    assert colour_of(case, now) == SlaColour.GREY
    assert colour_of(other, now) == SlaColour.GREY
    assert filtered_ids(SlaColour.GREY, now) == {case.pk, other.pk}


def test_sorting_by_colour_rank(make_case):
    with time_machine.travel(RECEIVED, tick=False):
        old = make_case()
    with time_machine.travel(RECEIVED + dt.timedelta(hours=4), tick=False):
        middle = make_case()
    with time_machine.travel(RECEIVED + dt.timedelta(hours=10), tick=False):
        new = make_case()
    now = RECEIVED + dt.timedelta(hours=24, minutes=30)  # old red, middle yellow, new white
    ordered = list(with_sla_colour(Case.objects.all(), now).order_by("sla_rank").values_list("pk", "sla_colour"))
    assert ordered == [(old.pk, "red"), (middle.pk, "yellow"), (new.pk, "white")]


def test_one_colour_list_is_oldest_first_from_the_open_cases_index(make_case, cr_manager, administrator):
    """Filtered to one colour, the list is in receipt order (the rank is the same for every row),
    which the partial index of open cases serves: the page is its first rows and the count an
    index-only scan — 370 ms → 26 ms for the red list over 30,000 open cases (bench.run)."""
    from django.db import connection

    from complaints.selectors import case_list

    cases = []
    for hours in (0, 2, 5):
        with time_machine.travel(RECEIVED + dt.timedelta(hours=hours), tick=False):
            cases.append(make_case())
    now = RECEIVED + dt.timedelta(hours=40)  # all three red
    listed = case_list(user=cr_manager, view="all", now=now, filters={"colour": SlaColour.RED})
    assert [c.pk for c in listed] == [c.pk for c in cases]
    assert {c.sla_colour for c in listed} == {SlaColour.RED}

    # A group-level user's page (no store filter). A tiny test table would be scanned and sorted
    # anyway; with both off the planner shows that the index can give the order by itself.
    page = case_list(user=administrator, view="all", now=now, filters={"colour": SlaColour.RED})[:50]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_open_received_idx" in plan and "Sort" not in plan, plan


def test_list_rows_carry_every_cell(make_case, cr_manager, service_department, advisor, store_b):
    """A page's rows hold ready labels, in the user's language, and the case page's URL."""
    from django.urls import reverse
    from django.utils import translation

    from complaints.selectors import case_list, case_list_rows

    with time_machine.travel(RECEIVED, tick=False):
        dispatched = case_dispatch(case=make_case(), user=cr_manager, department=service_department, handler=advisor)
    with time_machine.travel(RECEIVED + dt.timedelta(hours=21), tick=False):
        new = make_case()
    now = RECEIVED + dt.timedelta(hours=25)
    rows = case_list_rows(cases=case_list(user=cr_manager, view="all", now=now))
    assert [(r.pk, r.colour, r.colour_label) for r in rows] == [(dispatched.pk, "red", "红"), (new.pk, "white", "白")]
    first, second = rows
    assert first.url == reverse("complaints:case_detail", args=[dispatched.pk])
    assert (first.case_no, first.customer, first.level) == (dispatched.case_no, "张伟", dispatched.level)
    assert (first.category, first.channel, first.state) == ("维修质量", "来电", "已派发")
    assert (first.department, first.handler, first.escalation_level) == ("服务部", "周顾问", 1)
    assert first.received_at == "2026-10-08 09:00"  # Asia/Shanghai
    assert (second.department, second.handler, second.state) == ("—", "—", "新建")
    with translation.override("en"):
        english = case_list_rows(cases=case_list(user=cr_manager, view="all", now=now))[0]
    assert (english.colour_label, english.state, english.department) == ("Red", "Dispatched", "Service")

    # Filtered to one colour, the rows carry it without the colour being computed per row.
    red = case_list_rows(cases=case_list(user=cr_manager, view="all", now=now, filters={"colour": "red"}))
    assert [(r.pk, r.colour, r.colour_label) for r in red] == [(dispatched.pk, "red", "红")]


def test_department_choices_are_the_users_stores(cr_manager, service_department, store_a, store_b):
    from complaints.selectors import department_choices
    from tests.factories import DepartmentFactory

    other = DepartmentFactory(store=store_b, kind="sales")
    choices = department_choices(user=cr_manager)
    assert choices == [(service_department.pk, str(service_department))]
    assert other.pk not in dict(choices)
