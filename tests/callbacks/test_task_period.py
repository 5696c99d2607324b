"""callbacks.figures.task_period_filter: a task counts in the days of its source event (a delivery's
date; a repair order's 交车时间 by its local date), both ends included; the month filter is the same
rule over the month's days, and a store's period never holds another store's task."""

import datetime as dt

import pytest

from callbacks.choices import CallbackKind
from callbacks.figures import task_month_filter, task_period_filter
from callbacks.models import CallbackTask
from tests.callbacks.factories import SalesTaskFactory, ServiceTaskFactory
from tests.factories import DeliveryFactory, RepairOrderFactory, StoreFactory

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MONDAY, SUNDAY = dt.date(2026, 10, 5), dt.date(2026, 10, 11)


def _sales(store, day: dt.date) -> int:
    return SalesTaskFactory(delivery=DeliveryFactory(store=store, delivered_on=day)).pk


def _service(store, at: dt.datetime) -> int:
    ro = RepairOrderFactory(store=store, opened_at=at - dt.timedelta(hours=3), delivered_at=at)
    return ServiceTaskFactory(repair_order=ro).pk


def _ids(q) -> set[int]:
    return set(CallbackTask.objects.filter(q).values_list("pk", flat=True))


def test_a_week_holds_its_first_and_last_local_day_and_nothing_either_side():
    store, other = StoreFactory(), StoreFactory()
    sales_in = {_sales(store, MONDAY), _sales(store, SUNDAY)}
    _sales(store, MONDAY - dt.timedelta(days=1))
    _sales(store, SUNDAY + dt.timedelta(days=1))
    _sales(other, MONDAY)
    # 00:00 on Monday and 23:59 on Sunday, Beijing time (the UTC dates are the day before for both)
    service_in = {
        _service(store, dt.datetime(2026, 10, 5, 0, 0, tzinfo=SHANGHAI)),
        _service(store, dt.datetime(2026, 10, 11, 23, 59, tzinfo=SHANGHAI)),
    }
    _service(store, dt.datetime(2026, 10, 4, 23, 59, tzinfo=SHANGHAI))
    _service(store, dt.datetime(2026, 10, 12, 0, 0, tzinfo=SHANGHAI))
    _service(other, dt.datetime(2026, 10, 7, 10, 0, tzinfo=SHANGHAI))

    week = {"first_day": MONDAY, "last_day": SUNDAY, "store_ids": [store.pk]}
    assert _ids(task_period_filter(kind=CallbackKind.SALES, **week)) == sales_in
    assert _ids(task_period_filter(kind=CallbackKind.SERVICE, **week)) == service_in


def test_the_month_filter_is_the_period_filter_over_the_months_days():
    store = StoreFactory()
    for day in (dt.date(2026, 9, 30), dt.date(2026, 10, 1), dt.date(2026, 10, 31), dt.date(2026, 11, 1)):
        _sales(store, day)
        _service(store, dt.datetime.combine(day, dt.time(0, 0), SHANGHAI))
        _service(store, dt.datetime.combine(day, dt.time(23, 59), SHANGHAI))
    for kind in (CallbackKind.SALES, CallbackKind.SERVICE):
        month = _ids(task_month_filter(kind=kind, first=dt.date(2026, 10, 1), store_ids=[store.pk]))
        days = task_period_filter(
            kind=kind, first_day=dt.date(2026, 10, 1), last_day=dt.date(2026, 10, 31), store_ids=[store.pk]
        )
        assert month == _ids(days)
        assert len(month) == (2 if kind == CallbackKind.SALES else 4)
