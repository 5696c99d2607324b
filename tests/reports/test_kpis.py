"""Dashboard KPIs against hand-computed fixtures: month edges, zero denominators, SLA clocks, trends,
staff ranking and the significance flag on seed 003's example."""

import datetime as dt

import pytest

from callbacks.choices import CallbackKind, TaskState
from complaints.choices import CaseState
from crm import periods
from crm.periods import month_bounds
from reports.dashboard import kpis, questions
from tests.reports.factories import (
    answer_tasks_bulk,
    local,
    make_case,
    make_service_tasks_bulk,
    make_task,
    sales_consultant,
    service_advisor,
)

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)
APRIL = dt.date(2025, 4, 1)
NOW = local(2025, 5, 10, 9, 0)


def month_counts(store_ids, month, now=NOW):
    return kpis.monthly_counts(store_ids=store_ids, last_month=month, months=1, now=now)[0]


def test_month_helpers():
    assert periods.add_months(dt.date(2025, 1, 1), -1) == dt.date(2024, 12, 1)
    assert periods.add_months(dt.date(2025, 11, 1), 14) == dt.date(2027, 1, 1)
    start, end = month_bounds(MARCH)
    assert start == local(2025, 3, 1) and end == local(2025, 4, 1)
    # The months of a trend: from the first's start to the end of the last (crm.periods, THE rule).
    assert month_bounds(dt.date(2024, 12, 1), MARCH) == (local(2024, 12, 1), local(2025, 4, 1))


def test_zero_denominators_give_empty_rates(store_a):
    figures = kpis.kpis_from_counts(month_counts([store_a.pk], MARCH))
    assert figures["tasks"] == 0
    for key in ("success_rate", "sales_full_rate", "service_full_rate", "sla_rate", "sla_dispatch_rate"):
        assert figures[key] is None, key


def test_callback_success_rate_by_source_month_in_shanghai(store_a):
    sa = service_advisor(store_a, "周顾问")
    sc = sales_consultant(store_a, "钱顾问")
    # Service: 交车时间 23:30 on 31 March Shanghai is March (15:30 UTC); 00:10 on 1 April is April.
    make_task(staff=sa, source=local(2025, 3, 31, 23, 30))
    make_task(staff=sa, source=local(2025, 3, 1, 0, 5), state=TaskState.CLOSED_UNSUCCESSFUL)
    make_task(staff=sa, source=local(2025, 3, 15, 10), state=TaskState.OPEN)  # still being worked
    make_task(staff=sa, source=local(2025, 4, 1, 0, 10))
    make_task(staff=sa, source=local(2025, 2, 28, 23, 59))
    # Sales: delivery dates at both edges.
    make_task(staff=sc, kind=CallbackKind.SALES, source=local(2025, 3, 31, 12))
    make_task(staff=sc, kind=CallbackKind.SALES, source=local(2025, 4, 1, 12))

    counts = month_counts([store_a.pk], MARCH)
    assert (counts["service"]["tasks"], counts["service"]["successes"]) == (3, 1)
    assert (counts["sales"]["tasks"], counts["sales"]["successes"]) == (1, 1)
    figures = kpis.kpis_from_counts(counts)
    assert figures["success_rate"] == pytest.approx(2 / 4)
    assert figures["service_success_rate"] == pytest.approx(1 / 3)
    assert figures["sales_success_rate"] == 1.0


def test_store_scope(store_a, store_b):
    make_task(staff=service_advisor(store_a, "甲"), source=local(2025, 3, 5, 10))
    make_task(staff=service_advisor(store_b, "乙"), source=local(2025, 3, 5, 10))
    assert month_counts([store_a.pk], MARCH)["service"]["tasks"] == 1
    assert month_counts(None, MARCH)["service"]["tasks"] == 2
    assert month_counts([], MARCH)["service"]["tasks"] == 0


def test_complaints_received_closed_red_and_sla(store_a):
    received = local(2025, 3, 10, 9, 0)
    # 1: dispatched in 20 min, contacted in 2 h, feedback in 30 h, closed -> every clock met, grey.
    make_case(
        store=store_a,
        received_at=received,
        dispatched_at=received + dt.timedelta(minutes=20),
        first_contact_at=received + dt.timedelta(hours=2),
        feedback_at=received + dt.timedelta(hours=30),
        feedback_due_at=received + dt.timedelta(minutes=20, hours=48),
        state=CaseState.CLOSED,
        closed_at=received + dt.timedelta(days=3),
    )
    # 2: dispatched late (45 min), first contact at 25 h (late), no feedback yet and past due: red.
    make_case(
        store=store_a,
        received_at=received,
        dispatched_at=received + dt.timedelta(minutes=45),
        first_contact_at=received + dt.timedelta(hours=25),
        feedback_due_at=received + dt.timedelta(minutes=45, hours=48),
        state=CaseState.IN_PROGRESS,
    )
    # 3: never dispatched, never contacted, still new: both clocks overdue (late), red.
    make_case(store=store_a, received_at=received)
    # 4: unfounded at once: its dispatch and first-contact clocks stopped at closing, within their
    # targets, so met (SPEC §9); feedback never started; grey.
    make_case(store=store_a, received_at=received, state=CaseState.UNFOUNDED, closed_at=received)
    # April and the other month edge are not counted.
    make_case(store=store_a, received_at=local(2025, 4, 1, 0, 5))

    counts = month_counts([store_a.pk], MARCH)["complaints"]
    assert (counts["received"], counts["closed"], counts["red"]) == (4, 2, 2)
    assert (counts["dispatch_met"], counts["dispatch_late"]) == (2, 2)
    assert (counts["contact_met"], counts["contact_late"]) == (2, 2)
    assert (counts["feedback_met"], counts["feedback_late"]) == (1, 1)
    figures = kpis.kpis_from_counts(month_counts([store_a.pk], MARCH))
    assert figures["sla_rate"] == pytest.approx(5 / 10)
    assert figures["sla_feedback_rate"] == pytest.approx(1 / 2)


def test_trend_is_twelve_months_in_three_queries(store_a, django_assert_num_queries):
    sa = service_advisor(store_a, "周顾问")
    for month in range(1, 13):
        for _ in range(month % 3 + 1):
            make_task(staff=sa, source=local(2024, month, 10, 10))
        make_case(store=store_a, received_at=local(2024, month, 5, 10))
    with django_assert_num_queries(3):  # sales, service, complaints
        trend = kpis.monthly_counts(store_ids=[store_a.pk], last_month=dt.date(2024, 12, 1), now=NOW)
    assert [t["month"] for t in trend] == [f"2024-{m:02d}" for m in range(1, 13)]
    assert [t["service"]["tasks"] for t in trend] == [m % 3 + 1 for m in range(1, 13)]
    assert all(t["complaints"]["received"] == 1 for t in trend)
    # A month with nothing is present with zeros, not missing.
    trend = kpis.monthly_counts(store_ids=[store_a.pk], last_month=dt.date(2025, 2, 1), now=NOW)
    assert trend[-1]["month"] == "2025-02" and trend[-1]["service"]["tasks"] == 0


def test_sum_counts_adds_nested_counts():
    a = {"month": "2025-03", "sales": {"tasks": 2, "successes": 1}, "complaints": {"received": 1}}
    b = {"month": "2025-03", "sales": {"tasks": 3, "successes": 3}, "complaints": {"received": 0}}
    assert kpis.sum_counts([a, b]) == {
        "month": "2025-03",
        "sales": {"tasks": 5, "successes": 4},
        "complaints": {"received": 1},
    }


def test_staff_counts_ranking_and_complaint_rate(store_a):
    good = service_advisor(store_a, "好顾问")
    weak = service_advisor(store_a, "弱顾问")
    for _ in range(3):
        make_task(staff=good, source=local(2025, 3, 5, 10))
    make_task(staff=weak, source=local(2025, 3, 5, 10))
    grumbling = make_task(staff=weak, source=local(2025, 3, 6, 10), grumble=True)
    make_task(staff=weak, source=local(2025, 3, 6, 10), state=TaskState.CLOSED_UNSUCCESSFUL)
    make_case(store=store_a, customer=grumbling.customer, received_at=local(2025, 3, 20, 10))
    make_case(store=store_a, customer=grumbling.customer, received_at=local(2025, 3, 21, 10))  # one customer

    rows = kpis.staff_counts(store_ids=[store_a.pk], month=MARCH)
    by_name = {r["staff_name"]: r for r in rows}
    assert (by_name["弱顾问"]["tasks"], by_name["弱顾问"]["successes"]) == (3, 2)
    assert (by_name["弱顾问"]["grumbles"], by_name["弱顾问"]["complained"]) == (1, 1)
    assert by_name["好顾问"]["complained"] == 0
    ranking = kpis.staff_ranking(rows)["service"]
    assert [r["staff_name"] for r in ranking] == ["好顾问", "弱顾问"]
    assert ranking[0]["success_rate"] == 1.0 and ranking[1]["success_rate"] == pytest.approx(2 / 3)


def test_seed_003_advisor_flagged_on_grumbles_with_counts(store_a):
    """Seed 003: an advisor with 20 of 50 customers unhappy, the store 30 of 300. Here "unhappy" is a
    grumble on a successful callback; the other 250 customers are split over two advisors."""
    flagged = service_advisor(store_a, "洗车顾问")
    others = [service_advisor(store_a, "顾问甲"), service_advisor(store_a, "顾问乙")]
    day = local(2025, 3, 12, 10)
    make_service_tasks_bulk(staff=flagged, count=50, source=day, grumbles=20)
    make_service_tasks_bulk(staff=others[0], count=125, source=day, grumbles=5)
    make_service_tasks_bulk(staff=others[1], count=125, source=day, grumbles=5)

    rows = kpis.staff_counts(store_ids=[store_a.pk], month=MARCH)
    flags = kpis.staff_flags(rows)
    assert len(flags) == 1
    flag = flags[0]
    assert (flag["staff_name"], flag["measure"]) == ("洗车顾问", "grumble")
    assert (flag["staff_bad"], flag["staff_total"], flag["store_bad"], flag["store_total"]) == (20, 50, 30, 300)
    assert flag["p_value"] < 1e-9


def test_borderline_advisor_not_flagged(store_a):
    """10 of 50 grumbling against the store's 30 of 300 (p ≈ 0.014): worth watching, not a flag."""
    watched = service_advisor(store_a, "边缘顾问")
    others = [service_advisor(store_a, "顾问甲"), service_advisor(store_a, "顾问乙")]
    day = local(2025, 3, 12, 10)
    make_service_tasks_bulk(staff=watched, count=50, source=day, grumbles=10)
    make_service_tasks_bulk(staff=others[0], count=125, source=day, grumbles=10)
    make_service_tasks_bulk(staff=others[1], count=125, source=day, grumbles=10)
    assert kpis.staff_flags(kpis.staff_counts(store_ids=[store_a.pk], month=MARCH)) == []


def test_staff_compared_with_their_own_store_only(store_a, store_b):
    """The same counts in another store do not change store A's baseline."""
    a = service_advisor(store_a, "甲")
    b = service_advisor(store_b, "乙")
    day = local(2025, 3, 12, 10)
    make_service_tasks_bulk(staff=a, count=10, source=day, grumbles=5)
    make_service_tasks_bulk(staff=b, count=200, source=day)
    # Store A has one advisor: their rate is the store's rate, never "above" it.
    assert kpis.staff_flags(kpis.staff_counts(store_ids=None, month=MARCH)) == []


def test_full_satisfaction_rates_by_kind(store_a):
    sc = sales_consultant(store_a, "钱顾问")
    sa = service_advisor(store_a, "周顾问")
    for score in (10, 8, 7):
        make_task(staff=sc, kind=CallbackKind.SALES, source=local(2025, 3, 5, 10), score=score)
    for score in (5, 9):
        make_task(staff=sa, source=local(2025, 3, 5, 10), score=score)
    make_task(staff=sa, source=local(2025, 3, 5, 10), state=TaskState.CLOSED_UNSUCCESSFUL)
    counts = month_counts([store_a.pk], MARCH)
    buckets = ("full", "basic", "dissatisfied")
    assert [counts["sales"][k] for k in buckets] == [2, 1, 0]
    assert [counts["service"][k] for k in buckets] == [1, 0, 1]
    figures = kpis.kpis_from_counts(counts)
    assert figures["sales_full_rate"] == pytest.approx(2 / 3)
    assert figures["service_full_rate"] == pytest.approx(1 / 2)  # of successes, not of tasks
    ranking = kpis.staff_ranking(kpis.staff_counts(store_ids=[store_a.pk], month=MARCH))
    assert ranking["sales"][0]["full_rate"] == pytest.approx(2 / 3)


def test_question_counts_and_the_five_weakest(store_a):
    sa = service_advisor(store_a, "周顾问")
    march = make_service_tasks_bulk(staff=sa, count=4, source=local(2025, 3, 10, 10))
    april = make_service_tasks_bulk(staff=sa, count=1, source=local(2025, 4, 10, 10))
    q9 = [3, 9, 10, 8]
    answer_tasks_bulk(
        march,
        lambda i: {"Q1": 9, "Q2": "是", "Q5": "否" if i < 2 else "是", "Q9": q9[i], "Q11": "洗车不干净"},
    )
    answer_tasks_bulk(april, lambda i: {"Q1": 2, "Q5": "否"})

    rows = {r["code"]: r for r in questions.question_counts(store_ids=[store_a.pk], month=MARCH)}
    assert set(rows) == {"Q2", "Q5", "Q9"}  # not the overall Q1, not the text Q11, not April's
    assert (rows["Q5"]["answered"], rows["Q5"]["negative"]) == (4, 2)
    assert (rows["Q9"]["negative"], rows["Q9"]["score_sum"], rows["Q9"]["score_count"]) == (1, 30, 4)
    weakest = questions.weakest_questions(list(rows.values()))
    assert [w["code"] for w in weakest] == ["Q5", "Q9", "Q2"]
    assert weakest[0]["negative_rate"] == 0.5 and weakest[1]["mean_score"] == 7.5
    assert "按时交车" in weakest[0]["text"]
    assert questions.question_counts(store_ids=[], month=MARCH) == []


def test_weakest_questions_keeps_five_and_breaks_ties_by_mean():
    rows = [
        {"kind": "service", "code": f"Q{i}", "answered": 10, "negative": n, "score_sum": s, "score_count": c}
        for i, (n, s, c) in enumerate([(2, 0, 0), (2, 60, 10), (2, 50, 10), (5, 0, 0), (1, 0, 0), (0, 0, 0), (3, 0, 0)])
    ]
    rows.append({"kind": "service", "code": "Q9", "answered": 0, "negative": 0, "score_sum": 0, "score_count": 0})
    assert [w["code"] for w in questions.weakest_questions(rows)] == ["Q3", "Q6", "Q2", "Q1", "Q0"]


def test_seed_003_per_question_flag(store_a):
    """Seed 003 exactly: 20 of an advisor's 50 customers answer one question negatively, 30 of the
    store's 300 — the advisor is flagged on that question, with those counts."""
    flagged = service_advisor(store_a, "洗车顾问")
    others = [service_advisor(store_a, "顾问甲"), service_advisor(store_a, "顾问乙")]
    day = local(2025, 3, 12, 10)
    for staff, count, negative in ((flagged, 50, 20), (others[0], 125, 5), (others[1], 125, 5)):
        tasks = make_service_tasks_bulk(staff=staff, count=count, source=day)
        answer_tasks_bulk(tasks, lambda i, n=negative: {"Q1": 9, "Q5": "否" if i < n else "是", "Q2": "是"})

    rows = kpis.staff_counts(store_ids=[store_a.pk], month=MARCH)
    question_rows = questions.staff_question_counts(store_ids=[store_a.pk], month=MARCH)
    flags = kpis.staff_flags(rows, question_rows)
    assert [(f["staff_name"], f["measure"]) for f in flags] == [("洗车顾问", "q:Q5")]
    flag = flags[0]
    assert (flag["staff_bad"], flag["staff_total"], flag["store_bad"], flag["store_total"]) == (20, 50, 30, 300)
    assert flag["label"].startswith("Q5 ")


def test_borderline_per_question_not_flagged(store_a):
    watched = service_advisor(store_a, "边缘顾问")
    others = [service_advisor(store_a, "顾问甲"), service_advisor(store_a, "顾问乙")]
    day = local(2025, 3, 12, 10)
    for staff, count, negative in ((watched, 50, 10), (others[0], 125, 10), (others[1], 125, 10)):
        tasks = make_service_tasks_bulk(staff=staff, count=count, source=day)
        answer_tasks_bulk(tasks, lambda i, n=negative: {"Q1": 9, "Q5": "否" if i < n else "是"})
    rows = kpis.staff_counts(store_ids=[store_a.pk], month=MARCH)
    assert kpis.staff_flags(rows, questions.staff_question_counts(store_ids=[store_a.pk], month=MARCH)) == []
