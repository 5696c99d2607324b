"""The stored dashboard figures (reports.dashboard.figures, StoreMonthFigures): what beat stores equals what
the live computation says on the same data at the same moment; refreshing is idempotent; a
store-month nobody computed is computed on the spot for that store only; stale rows are redone."""

import datetime as dt

import pytest
import time_machine

from callbacks.models import CallbackTask
from crm import periods
from reports.dashboard import figures, kpis
from reports.models import StoreMonthFigures
from reports.tasks import refresh_dashboard_history, warm_dashboard
from tests.reports.factories import local, make_case, make_task, seed_dashboard_year, service_advisor

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)
APRIL = dt.date(2025, 4, 1)
NOW = local(2025, 4, 2, 9)  # the dashboard opens on March; April is the current month
# Computing store-months with their detail: complaints, staff and per-staff question counts (two
# each) GROUP BY store and month, in a savepoint that switches JIT off (three statements).
# + the 客户维系 counts: reminders and win-back entries (two).
COMPUTE_QUERIES = 5 + 3 + 2


def at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def two_stores(store_a, store_b):
    """A year of callbacks, answers and complaints in two stores: up to March 2025 in A, up to the
    current month in B."""
    seed_dashboard_year(store_a, last_month=MARCH)
    seed_dashboard_year(store_b, last_month=APRIL, seed=11, weak_advisor="褚顾问")
    # Customers of March callbacks who complained (投诉率's numerator): two in March, one of them at
    # 23:30 on the 31st, and one on 1 April, which counts for no March callback.
    march_tasks = CallbackTask.objects.filter(
        store=store_a,
        repair_order__delivered_at__gte=local(2025, 3, 1),
        repair_order__delivered_at__lt=local(2025, 3, 20),
    ).order_by("id")
    for task, received in zip(
        march_tasks[:3], [local(2025, 3, 20, 9), local(2025, 3, 31, 23, 30), local(2025, 4, 1, 8)], strict=True
    ):
        make_case(store=store_a, customer=task.customer, received_at=received)
    return [store_a.pk, store_b.pk]


def rows_as_values() -> list[tuple]:
    return list(
        StoreMonthFigures.objects.order_by("store_id", "month").values_list(
            "store_id", "month", "version", "counts", "detail", "computed_at"
        )
    )


def test_stored_figures_equal_the_live_computation(two_stores, django_assert_num_queries):
    with at(NOW):
        written = refresh_dashboard_history()
        assert written == 2 * figures.HISTORY_MONTHS
        for month in (MARCH, APRIL):
            with django_assert_num_queries(1):  # every row is there: one read, nothing computed
                stored = figures.stored_figures_by_store(store_ids=two_stores, month=month)
            assert stored == figures.dashboard_figures_by_store(store_ids=two_stores, month=month), month
        # October 2023's trend reaches back before the history: its older months are computed and
        # stored on the spot, in one batch.
        october = dt.date(2023, 10, 1)
        with django_assert_num_queries(1 + COMPUTE_QUERIES + 1):  # read, compute, upsert
            stored = figures.stored_figures_by_store(store_ids=two_stores, month=october)
        assert stored == figures.dashboard_figures_by_store(store_ids=two_stores, month=october)
        with django_assert_num_queries(1):
            assert figures.stored_figures_by_store(store_ids=two_stores, month=october) == stored
        together = figures.stored_figures(store_ids=two_stores, month=MARCH)
        assert together == figures.dashboard_figures(store_ids=two_stores, month=MARCH)
    # The data is not trivial: the comparison covers staff, question and complaint counts.
    march = together["trend"][-1]
    assert march["service"]["tasks"] > 100 and march["complaints"]["received"] > 0
    assert together["staff"] and together["questions"] and together["staff_questions"]
    assert any(row["complained"] for row in together["staff"])


def test_refresh_twice_writes_the_same_rows(two_stores):
    with at(NOW):
        refresh_dashboard_history()
        first = rows_as_values()
        refresh_dashboard_history()
        assert rows_as_values() == first
        assert warm_dashboard() == 2 * 2  # the current and the previous month; the history is there
        assert rows_as_values() == first
    with at(NOW + dt.timedelta(minutes=15)):  # a later run on unchanged data: only the time moves
        warm_dashboard()
        warm_dashboard()
    later = rows_as_values()
    assert [row[:5] for row in later] == [row[:5] for row in first]
    recent = {(row[0], row[1]): row[5] for row in later if row[1] >= MARCH}
    assert set(recent.values()) == {NOW + dt.timedelta(minutes=15)}


def test_warm_dashboard_fills_a_missing_history_for_active_stores_only(store_a, store_b):
    store_b.is_active = False
    store_b.save()
    make_task(staff=service_advisor(store_a, "周顾问"), source=local(2025, 3, 5, 10))
    with at(NOW):
        assert warm_dashboard() == figures.HISTORY_MONTHS  # first run after a deploy
        assert warm_dashboard() == 2
    with at(NOW + figures.MAX_AGE + dt.timedelta(minutes=1)):  # the nightly run never came
        assert warm_dashboard() == figures.HISTORY_MONTHS
    months = list(StoreMonthFigures.objects.filter(store=store_a).order_by("month").values_list("month", flat=True))
    assert months == kpis.month_range(periods.add_months(APRIL, -(figures.HISTORY_MONTHS - 1)), APRIL)
    assert not StoreMonthFigures.objects.filter(store=store_b).exists()


def test_missing_store_month_is_computed_for_that_store_only(two_stores, django_assert_num_queries):
    store_a, store_b = two_stores
    with at(NOW):
        refresh_dashboard_history()
    StoreMonthFigures.objects.filter(store_id=store_b, month=MARCH).delete()
    later = NOW + dt.timedelta(minutes=5)
    with at(later):
        # One read, store B's March computed, one upsert.
        with django_assert_num_queries(1 + COMPUTE_QUERIES + 1):
            stored = figures.stored_figures_by_store(store_ids=two_stores, month=MARCH)
        live = figures.dashboard_figures_by_store(store_ids=two_stores, month=MARCH)
    times = ("computed_at", "trend_computed_at")
    for store_id in two_stores:  # no data changed since the refresh: the same counts
        assert {k: v for k, v in stored[store_id].items() if k not in times} == {
            k: v for k, v in live[store_id].items() if k not in times
        }
    row = StoreMonthFigures.objects.get(store_id=store_b, month=MARCH)
    assert row.computed_at == later and row.version == figures.FIGURES_VERSION
    assert dt.datetime.fromisoformat(stored[store_b]["computed_at"]) == later
    # Its other months are the refresh's, and the page says so.
    assert dt.datetime.fromisoformat(stored[store_b]["trend_computed_at"]) == NOW
    assert set(StoreMonthFigures.objects.filter(store_id=store_a).values_list("computed_at", flat=True)) == {NOW}
    assert StoreMonthFigures.objects.count() == 2 * figures.HISTORY_MONTHS


def test_stale_or_other_version_rows_are_computed_again(store_a):
    advisor = service_advisor(store_a, "周顾问")
    make_task(staff=advisor, source=local(2025, 3, 5, 10))
    with at(NOW):
        figures.stored_figures(store_ids=[store_a.pk], month=MARCH)  # a first visit stores the year
    assert StoreMonthFigures.objects.filter(store=store_a).count() == figures.TREND_MONTHS
    make_task(staff=advisor, source=local(2025, 3, 6, 10))
    with at(NOW + dt.timedelta(hours=2)):
        assert figures.stored_figures(store_ids=[store_a.pk], month=MARCH)["trend"][-1]["service"]["tasks"] == 1
    StoreMonthFigures.objects.filter(month=MARCH).update(version=figures.FIGURES_VERSION + 1)
    with at(NOW + dt.timedelta(hours=3)):
        result = figures.stored_figures(store_ids=[store_a.pk], month=MARCH)
    assert result["trend"][-1]["service"]["tasks"] == 2
    assert dt.datetime.fromisoformat(result["computed_at"]) == NOW + dt.timedelta(hours=3)
    with at(NOW + figures.MAX_AGE + dt.timedelta(hours=3, minutes=1)):  # older than MAX_AGE: redone
        make_task(staff=advisor, source=local(2025, 3, 7, 10))
        assert figures.stored_figures(store_ids=[store_a.pk], month=MARCH)["trend"][-1]["service"]["tasks"] == 3


def test_staff_counts_over_a_span_equal_month_by_month(store_a):
    """The refresh computes many months in one GROUP BY: a customer "complained" only in the month of
    the callback's source event, at the month edges of Shanghai."""
    advisor = service_advisor(store_a, "周顾问")
    march_task = make_task(staff=advisor, source=local(2025, 3, 31, 23, 30))
    april_task = make_task(staff=advisor, source=local(2025, 4, 1, 0, 10), customer=march_task.customer)
    make_case(store=store_a, customer=march_task.customer, received_at=local(2025, 4, 1, 0, 5))
    other = make_task(staff=advisor, source=local(2025, 3, 3, 10))
    make_case(store=store_a, customer=other.customer, received_at=local(2025, 3, 31, 23, 55))

    span = kpis.staff_counts_by_store_month(store_ids=[store_a.pk], first=MARCH, last=APRIL)
    assert span[(store_a.pk, "2025-03")] == kpis.staff_counts(store_ids=[store_a.pk], month=MARCH)
    assert span[(store_a.pk, "2025-04")] == kpis.staff_counts(store_ids=[store_a.pk], month=APRIL)
    assert [(r["tasks"], r["complained"]) for r in span[(store_a.pk, "2025-03")]] == [(2, 1)]
    assert [(r["tasks"], r["complained"]) for r in span[(store_a.pk, "2025-04")]] == [(1, 1)]
    assert april_task.customer_id == march_task.customer_id
