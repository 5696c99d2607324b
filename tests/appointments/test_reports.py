"""Appointment reports: bookings, arrival and no-show rates by source and advisor (page and
export); the reminder and win-back reports count 已预约 as "a booking exists from the task"."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from openpyxl import load_workbook

from appointments.choices import AppointmentState, Source
from appointments.models import Appointment
from appointments.stats import appointment_rates, appointment_totals
from crm.choices import StaffRole
from reports.tables.appointments import build_appointments_by_advisor, build_appointments_by_source
from reports.tables.winback import build_lost_customers
from retention.choices import OutreachKind, OutreachResult
from retention.models import OutreachTask, Reminder
from retention.selectors import FIGURES
from retention.services import outreach_attempt_record, outreach_task_open
from tests.appointments.factories import NOW, TOMORROW, booking, owner_with_vehicle
from tests.factories import StaffFactory
from winback.models import WinbackEntry

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _settle(appointment, state):
    Appointment.objects.filter(pk=appointment.pk).update(state=state)


def _month_of_bookings(store):
    liang = StaffFactory(store=store, name="梁诚", role=StaffRole.SERVICE_ADVISOR)
    for source, advisor, state in [
        (Source.INBOUND, liang, AppointmentState.ARRIVED),
        (Source.INBOUND, liang, AppointmentState.ARRIVED),
        (Source.INBOUND, None, AppointmentState.NO_SHOW),
        (Source.WALK_IN, liang, AppointmentState.CANCELLED),
        (Source.WALK_IN, None, AppointmentState.BOOKED),
    ]:
        _settle(booking(store, source=source, advisor=advisor), state)


def test_by_source_and_by_advisor_with_rates_and_totals(store_a, store_b):
    _month_of_bookings(store_a)
    booking(store_b)  # another store: not in store A's report
    booking(store_a, day=dt.date(2027, 1, 4))  # another month
    table = build_appointments_by_source(store_ids=[store_a.pk], month=MONTH)
    rows = {row["key"]: row for row in table.rows}
    assert (rows["来电预约"]["bookings"], rows["来电预约"]["arrived"], rows["来电预约"]["no_show"]) == (3, 2, 1)
    assert rows["来电预约"]["arrival_rate"] == pytest.approx(2 / 3)
    assert rows["到店预约"]["arrival_rate"] is None  # nothing kept or missed yet
    assert (table.total_row["bookings"], table.total_row["cancelled"]) == (5, 1)
    assert table.total_row["no_show_rate"] == pytest.approx(1 / 3)
    advisors = {row["key"]: row for row in build_appointments_by_advisor(store_ids=[store_a.pk], month=MONTH).rows}
    assert (advisors["梁诚"]["bookings"], advisors["梁诚"]["arrival_rate"]) == (3, 1.0)
    assert advisors["未指定"]["no_show"] == 1


def test_the_rates_rule_counts_kept_or_missed_bookings_only():
    # appointments.stats owns the rule; the report's rows and total go through it.
    row = {"bookings": 7, "arrived": 3, "no_show": 1, "cancelled": 2}
    assert appointment_rates(row) == {"arrival_rate": pytest.approx(3 / 4), "no_show_rate": pytest.approx(1 / 4)}
    assert appointment_rates({**row, "arrived": 0, "no_show": 0}) == {"arrival_rate": None, "no_show_rate": None}
    # The total's rates are of the summed counts, not the mean of the rows' rates.
    total = appointment_totals([row, {"bookings": 1, "arrived": 0, "no_show": 1, "cancelled": 0}])
    assert (total["bookings"], total["no_show"]) == (8, 2)
    assert total["no_show_rate"] == pytest.approx(2 / 5)


def test_the_report_rows_carry_the_stats_rates(store_a):
    _month_of_bookings(store_a)
    for build in (build_appointments_by_source, build_appointments_by_advisor):
        table = build(store_ids=[store_a.pk], month=MONTH)
        for row in [*table.rows, table.total_row]:
            assert {k: row[k] for k in ("arrival_rate", "no_show_rate")} == appointment_rates(row)


def test_the_export_writes_the_rates(store_a, tmp_path):
    _month_of_bookings(store_a)
    out = tmp_path / "a.xlsx"
    call_command("export_report", "appointments_by_source", "--month", "2026-12", "--out", str(out))
    values = [[c.value for c in row] for row in load_workbook(out).active.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[0] == "预约来源")
    assert values[header][:7] == ["预约来源", "预约数", "到店", "爽约", "取消", "到店率", "爽约率"]
    total = next(row for row in values if row[0] == "合计")
    assert total[1] == 5 and total[5] == pytest.approx(2 / 3)


def test_the_reminder_report_counts_a_booking_from_the_call(store_a, agent):
    customer, vehicle = owner_with_vehicle(store_a)
    task, _ = outreach_task_open(
        store=store_a,
        kind=OutreachKind.FIRST_SERVICE,
        customer=customer,
        vehicle=vehicle,
        window_opens_at=NOW,
        window_closes_at=NOW + dt.timedelta(days=7),
    )
    Reminder.objects.create(
        store=store_a,
        kind=OutreachKind.FIRST_SERVICE,
        customer=customer,
        vehicle=vehicle,
        due_on=dt.date(2026, 12, 14),
        send_on=dt.date(2026, 12, 7),
        channel="call",
        status="dispatched",
        outreach_task=task,
    )
    booked = Reminder.objects.filter(FIGURES["booked"])
    assert not booked.exists()
    outreach_attempt_record(task=task, user=agent, result=OutreachResult.BOOKED, booked_on=TOMORROW)
    assert booked.count() == 1
    # A result without a booking (say, a booking cancelled by deleting it in the admin) is not counted.
    Appointment.objects.all().delete()
    assert not booked.exists()


def test_the_winback_table_counts_the_bookings_of_its_entries(store_a, agent):
    customer, vehicle = owner_with_vehicle(store_a)
    task = OutreachTask.objects.create(
        store=store_a,
        kind=OutreachKind.WINBACK,
        customer=customer,
        vehicle=vehicle,
        window_opens_at=NOW - dt.timedelta(days=6),
        window_closes_at=NOW + dt.timedelta(days=20),
    )
    WinbackEntry.objects.create(
        store=store_a,
        customer=customer,
        month=MONTH,
        lost_on=MONTH,
        last_visit_on=dt.date(2025, 11, 2),
        task=task,
    )
    outreach_attempt_record(task=task, user=agent, result=OutreachResult.BOOKED, booked_on=TOMORROW)
    table = build_lost_customers(store_ids=[store_a.pk], month=MONTH)
    list(table.rows)
    assert table.total_row["result"] == "已预约 1 人"


def test_two_advisors_of_one_name_are_two_rows_and_a_group_report_names_their_stores(store_a, store_b):
    """A name is unique within a store only (the DMS names staff by name): the group report keeps
    two stores' 王强 apart, by advisor id, and names each row's store."""
    here = StaffFactory(store=store_a, name="王强", role=StaffRole.SERVICE_ADVISOR)
    there = StaffFactory(store=store_b, name="王强", role=StaffRole.SERVICE_ADVISOR)
    _settle(booking(store_a, advisor=here), AppointmentState.ARRIVED)
    _settle(booking(store_a, advisor=here), AppointmentState.ARRIVED)
    _settle(booking(store_b, advisor=there), AppointmentState.NO_SHOW)
    group = build_appointments_by_advisor(store_ids=[store_a.pk, store_b.pk], month=MONTH)
    assert [c.key for c in group.columns][:2] == ["store", "key"]
    rows = sorted((row["store"], row["key"], row["bookings"], row["arrival_rate"]) for row in group.rows)
    assert rows == sorted([(store_a.name, "王强", 2, 1.0), (store_b.name, "王强", 1, 0.0)])
    assert group.total_row["bookings"] == 3
    single = build_appointments_by_advisor(store_ids=[store_a.pk], month=MONTH)
    assert [c.key for c in single.columns][:2] == ["key", "bookings"]  # one store: no store column
