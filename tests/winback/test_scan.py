"""The monthly scan (SPEC §10.3): who is added, with what, once; recovery by a later RO (import and scan)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from crm.importing.runner import import_file
from crm.models import Customer
from retention.choices import OutreachKind, OutreachState
from retention.models import OutreachTask
from tests.concurrency import run_at_once
from tests.crm.dms_files import ro_row, write_workbook
from tests.winback.factories import SH, add_ro, customer_with_delivery, customer_with_ro, local
from winback.models import WinbackEntry
from winback.services import winback_scan

ON = dt.date(2026, 12, 1)


@pytest.mark.django_db
def test_the_scan_adds_lost_customers_with_their_last_visit_and_a_winback_call(store_a, store_b):
    lost = customer_with_ro(store_a, local(dt.date(2025, 11, 20), 0, 30))
    first_ro = lost.repair_orders.get()
    add_ro(lost, local(dt.date(2025, 3, 1)))  # an older RO: the last one counts
    delivery_only = customer_with_delivery(store_a, dt.date(2025, 6, 30))
    refused_calls = customer_with_ro(store_a, local(dt.date(2025, 1, 2)), may_call=False)
    customer_with_ro(store_a, local(dt.date(2026, 6, 1)))  # recent: not lost
    other_store = customer_with_ro(store_b, local(dt.date(2025, 1, 2)))

    assert winback_scan(on=ON, store_ids=[store_a.id]) == {store_a.id: 3}

    entry = WinbackEntry.objects.get(customer=lost)
    assert (entry.month, entry.lost_on, entry.last_visit_on) == (ON, ON, dt.date(2025, 11, 20))
    assert entry.last_repair_order == first_ro and entry.service_advisor == first_ro.service_advisor
    task = entry.task
    assert (task.kind, task.state, task.customer, task.vehicle) == (
        OutreachKind.WINBACK,
        OutreachState.OPEN,
        lost,
        first_ro.vehicle,
    )
    assert task.window_opens_at == dt.datetime(2026, 12, 1, tzinfo=SH)
    assert task.window_closes_at.astimezone(SH).date() == dt.date(2026, 12, 31)
    only_delivery = WinbackEntry.objects.get(customer=delivery_only)
    assert only_delivery.last_visit_on == dt.date(2025, 6, 30)
    assert only_delivery.service_advisor is None
    assert only_delivery.task.vehicle == delivery_only.deliveries.get().vehicle
    # No call for a customer who refused calls: the task exists (SMS can be logged) but is closed.
    assert WinbackEntry.objects.get(customer=refused_calls).task.state == OutreachState.CLOSED
    assert not WinbackEntry.objects.filter(customer=other_store).exists()


@pytest.mark.django_db
def test_the_scan_is_idempotent_and_prints_added(store_a):
    customer_with_ro(store_a, local(dt.date(2025, 1, 2)))
    customer_with_ro(store_a, local(dt.date(2025, 2, 2)))
    out = StringIO()
    call_command("scan_lost_customers", "--date", "2026-12-01", "--store", "LA", stdout=out)
    assert out.getvalue().strip() == "added 2"
    out = StringIO()
    call_command("scan_lost_customers", "--date", "2026-12-01", stdout=out)
    assert out.getvalue().strip() == "added 0"
    # Next month the same customers are still on the list (not recovered): not added again.
    assert winback_scan(on=dt.date(2027, 1, 1)) == {store_a.id: 0}
    assert WinbackEntry.objects.count() == 2
    assert OutreachTask.objects.filter(kind=OutreachKind.WINBACK).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_scanning_at_once_add_each_customer_once(store_a):
    customers = [customer_with_ro(store_a, local(dt.date(2025, 1, 2) + dt.timedelta(days=i))) for i in range(5)]
    results = run_at_once(lambda: winback_scan(on=ON), args=[(), ()])
    assert sorted(r[store_a.id] for r in results) == [0, 5]
    assert WinbackEntry.objects.count() == 5
    assert set(WinbackEntry.objects.values_list("customer_id", flat=True)) == {c.id for c in customers}
    assert OutreachTask.objects.filter(kind=OutreachKind.WINBACK).count() == 5
    assert not WinbackEntry.objects.filter(task__isnull=True).exists()


@pytest.mark.django_db
def test_a_customer_who_came_back_and_is_lost_again_is_added_again(store_a):
    customer = customer_with_ro(store_a, local(dt.date(2025, 1, 10)))
    winback_scan(on=dt.date(2026, 2, 1))
    first = WinbackEntry.objects.get(customer=customer)
    came_back = add_ro(customer, local(dt.date(2026, 3, 5), 0, 30))
    winback_scan(on=dt.date(2026, 4, 1))  # the scan marks the recovery (safety net of the import)
    first.refresh_from_db()
    assert (first.recovered_on, first.recovered_by) == (dt.date(2026, 3, 5), came_back)
    assert first.task.state == OutreachState.DONE
    assert winback_scan(on=dt.date(2027, 3, 1)) == {store_a.id: 0}  # 5 Mar 2026 + 12 months is not yet
    assert winback_scan(on=dt.date(2027, 4, 1)) == {store_a.id: 1}
    months = list(WinbackEntry.objects.filter(customer=customer).order_by("month").values_list("month", flat=True))
    assert months == [dt.date(2026, 2, 1), dt.date(2027, 4, 1)]


@pytest.mark.django_db
def test_a_later_ro_imported_from_the_dms_marks_the_entry_recovered(store_a, tmp_path):
    import_file(write_workbook(tmp_path / "a.xlsx", {"工单": [ro_row(进厂时间=dt.datetime(2025, 10, 20, 9, 0))]}))
    customer = Customer.objects.get(mobile="13856781234")
    winback_scan(on=ON)
    entry = WinbackEntry.objects.get(customer=customer)
    assert entry.recovered_on is None and entry.task.state == OutreachState.OPEN

    # 00:30 local on 3 Dec (16:30 UTC on 2 Dec): recovered on the local day.
    again = ro_row(工单号="WX2026120002", 进厂时间=dt.datetime(2026, 12, 3, 0, 30), 交车时间=None, 预计交车时间=None)
    import_file(write_workbook(tmp_path / "b.xlsx", {"工单": [again]}))
    entry.refresh_from_db()
    assert entry.recovered_on == dt.date(2026, 12, 3)
    assert entry.recovered_by.ro_no == "WX2026120002"
    entry.task.refresh_from_db()
    assert entry.task.state == OutreachState.DONE


@pytest.mark.django_db
def test_the_scan_command_refuses_a_bad_date_or_store(store_a):
    with pytest.raises(CommandError):
        call_command("scan_lost_customers", "--date", "2026-13-01")
    with pytest.raises(CommandError):
        call_command("scan_lost_customers", "--store", "NOPE")


@pytest.mark.django_db
def test_the_stored_last_visit_only_narrows_the_scan_the_rule_decides(store_a):
    """The (store, last_visit_at) index picks the candidates; a card never refreshed (empty) or one
    older than the real last RO is still judged by the visits themselves."""
    never_refreshed = customer_with_ro(store_a, local(dt.date(2025, 1, 2)))
    Customer.objects.filter(pk=never_refreshed.pk).update(last_visit_at=None)
    stale = customer_with_ro(store_a, local(dt.date(2026, 10, 2)))  # came recently
    Customer.objects.filter(pk=stale.pk).update(last_visit_at=local(dt.date(2024, 1, 1)))
    winback_scan(on=ON)
    assert list(WinbackEntry.objects.values_list("customer_id", flat=True)) == [never_refreshed.id]


@pytest.mark.django_db
def test_an_open_entrys_call_stays_in_the_queue_next_month_and_a_done_one_does_not(store_a):
    customer_with_ro(store_a, local(dt.date(2025, 1, 2)))
    customer_with_ro(store_a, local(dt.date(2025, 1, 3)))
    winback_scan(on=dt.date(2026, 12, 1))
    reached, unreached = OutreachTask.objects.filter(kind=OutreachKind.WINBACK).order_by("id")
    assert unreached.window_closes_at == local(dt.date(2027, 1, 1), 0) - dt.timedelta(microseconds=1)
    OutreachTask.objects.filter(pk=reached.pk).update(state=OutreachState.DONE)
    winback_scan(on=dt.date(2027, 1, 1))
    reached.refresh_from_db()
    unreached.refresh_from_db()
    assert unreached.window_closes_at == local(dt.date(2027, 2, 1), 0) - dt.timedelta(microseconds=1)
    assert reached.window_closes_at == local(dt.date(2027, 1, 1), 0) - dt.timedelta(microseconds=1)


@pytest.mark.django_db
def test_the_scan_command_takes_a_store_code_in_any_case_and_refuses_an_inactive_store(store_a):
    out = StringIO()
    call_command("scan_lost_customers", "--date", "2026-12-01", "--store", store_a.code.lower(), stdout=out)
    assert out.getvalue().strip() == "added 0"
    store_a.is_active = False
    store_a.save()
    with pytest.raises(CommandError):
        call_command("scan_lost_customers", "--store", store_a.code)
