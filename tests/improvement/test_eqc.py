"""The EQC evaluation (SPEC §10.5): 3-month cumulative results against a hand computation, month and
year edges, 检核结果 blank until M0+3 has ended, set-based query count."""

import datetime as dt
from statistics import mean

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from callbacks.choices import CallbackKind, TaskState
from improvement.choices import EqcVerdict
from improvement.eqc import eqc_evaluate
from tests.factories import StaffFactory
from tests.improvement.factories import action, answered, local, meeting
from tests.reports.factories import make_task

pytestmark = pytest.mark.django_db

SERVICE, SALES = CallbackKind.SERVICE, CallbackKind.SALES

# Service Q9 (score) by the source month of each successful callback (RO 交车时间, local time).
SCORES = {
    (2025, 10): [1],  # before the baseline's window
    (2025, 11): [6, 8],
    (2025, 12): [7],
    (2026, 1): [5, 9],
    (2026, 2): [10],
    (2026, 3): [8],
    (2026, 4): [9, 9],
}


def _score_data(store):
    for (year, month), scores in SCORES.items():
        for i, score in enumerate(scores):
            answered(store=store, kind=SERVICE, source=local(year, month, 10 + i, 15), code="Q9", value=score)


def _window(values: dict, year: int, month: int) -> list:
    """The answers of months M−2 … M, by hand."""
    months = [(year, month)]
    for _ in range(2):
        y, m = months[-1]
        months.append((y - 1, 12) if m == 1 else (y, m - 1))
    return [v for key in months for v in values.get(key, [])]


def test_score_question_mean_over_three_months_across_a_year_edge(store_a, store_b):
    _score_data(store_a)
    # Not counted: another store, an unsuccessful callback.
    answered(store=store_b, kind=SERVICE, source=local(2026, 1, 12, 10), code="Q9", value=1)
    make_task(
        staff=StaffFactory(store=store_a),
        kind=SERVICE,
        source=local(2026, 1, 5, 10),
        state=TaskState.CLOSED_UNSUCCESSFUL,
    )
    act = action(meeting=meeting(store=store_a, held_on=dt.date(2026, 1, 20)), kind=SERVICE, code="Q9")
    evaluation = eqc_evaluate([act], today=dt.date(2026, 5, 1))[act.pk]
    assert evaluation.is_score
    expected = [mean(_window(SCORES, *m)) for m in ((2026, 1), (2026, 2), (2026, 3), (2026, 4))]
    assert [r.value for r in evaluation.results] == pytest.approx(expected)
    assert [r.month for r in evaluation.results] == [dt.date(2026, m, 1) for m in (1, 2, 3, 4)]
    assert evaluation.results[0].answered == len(_window(SCORES, 2026, 1))
    assert evaluation.verdict == EqcVerdict.IMPROVED  # +3 above the baseline


def test_a_callback_belongs_to_the_local_month_of_its_source_event(store_a):
    # 31 Jan 23:30 Shanghai is 15:30 UTC: January's; 1 Feb 00:10 Shanghai is 31 Jan UTC: February's.
    answered(store=store_a, kind=SERVICE, source=local(2026, 1, 31, 23, 30), code="Q9", value=4)
    answered(store=store_a, kind=SERVICE, source=local(2026, 2, 1, 0, 10), code="Q9", value=10)
    act = action(meeting=meeting(store=store_a, held_on=dt.date(2025, 11, 3)), kind=SERVICE, code="Q9")
    results = eqc_evaluate([act], today=dt.date(2026, 3, 1))[act.pk].results
    # M0 = Nov 2025: +2 (Nov–Jan) holds the 4 only; +3 (Dec–Feb) the 4 and the 10.
    assert [r.value for r in results] == [None, None, 4, pytest.approx(mean([4, 10]))]


# Sales Q3 (yes/no, negative when 否) by delivery month.
YES_NO = {
    (2025, 9): ["是", "否"],
    (2025, 10): ["否"],
    (2025, 11): ["是", "否", "否"],
    (2025, 12): ["是"],
    (2026, 1): ["是", "是"],
    (2026, 2): ["否", "是"],
}


def test_yes_no_question_share_of_non_negative_answers(store_a):
    for (year, month), values in YES_NO.items():
        for i, value in enumerate(values):
            # The last day of the month: a sales callback's month is its delivery date's.
            day = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
            answered(store=store_a, kind=SALES, source=local(year, month, day - i, 11), code="Q3", value=value)
    act = action(meeting=meeting(store=store_a, held_on=dt.date(2025, 11, 15)), kind=SALES, code="Q3")
    evaluation = eqc_evaluate([act], today=dt.date(2026, 3, 1))[act.pk]
    assert not evaluation.is_score
    expected = []
    for month in ((2025, 11), (2025, 12), (2026, 1), (2026, 2)):
        window = _window(YES_NO, *month)
        expected.append(sum(v == "是" for v in window) / len(window))
    assert [r.value for r in evaluation.results] == pytest.approx(expected)
    assert evaluation.verdict == EqcVerdict.IMPROVED


def test_verdict_blank_until_the_third_month_has_ended(store_a):
    _score_data(store_a)
    act = action(meeting=meeting(store=store_a, held_on=dt.date(2026, 1, 20)), kind=SERVICE, code="Q9")
    assert eqc_evaluate([act], today=dt.date(2026, 4, 30))[act.pk].verdict is None
    during = eqc_evaluate([act], today=dt.date(2026, 4, 30))[act.pk].results
    assert during[3].in_progress and during[3].started
    early = eqc_evaluate([act], today=dt.date(2026, 2, 10))[act.pk].results
    assert [r.started for r in early] == [True, True, False, False]
    assert early[2].value is None
    assert eqc_evaluate([act], today=dt.date(2026, 5, 1))[act.pk].verdict == EqcVerdict.IMPROVED


def test_not_improved_when_plus_three_is_not_better(store_a):
    for month, score in ((1, 8), (2, 8), (3, 8), (4, 8)):
        answered(store=store_a, kind=SERVICE, source=local(2026, month, 5, 10), code="Q10", value=score)
    act = action(meeting=meeting(store=store_a, held_on=dt.date(2026, 1, 20)), kind=SERVICE, code="Q10")
    evaluation = eqc_evaluate([act], today=dt.date(2026, 5, 1))[act.pk]
    assert evaluation.results[0].value == evaluation.results[3].value
    assert evaluation.verdict == EqcVerdict.NOT_IMPROVED


def test_many_actions_are_evaluated_in_one_query_per_kind(store_a, store_b):
    _score_data(store_a)
    actions = []
    for store in (store_a, store_b):
        for held in (dt.date(2025, 12, 2), dt.date(2026, 1, 20), dt.date(2026, 3, 3)):
            m = meeting(store=store, held_on=held)
            actions += [action(meeting=m, kind=SERVICE, code=c) for c in ("Q9", "Q2", "Q4")]
            actions += [action(meeting=m, kind=SALES, code=c) for c in ("Q3", "Q1")]
    with CaptureQueriesContext(connection) as queries:
        evaluations = eqc_evaluate(actions, today=dt.date(2026, 7, 1))
    assert len(queries) == 2
    assert len(evaluations) == len(actions) == 30
    one = next(
        a for a in actions if a.store_id == store_a.pk and a.question_code == "Q9" and a.decision_month.month == 1
    )
    assert evaluations[one.pk].results[0].value == pytest.approx(mean(_window(SCORES, 2026, 1)))
