"""Booking (issue 15 item 2): the capacity of a slot, the one path a reminder, win-back or callback
booking takes, the confirmation SMS through the gateway and its quiet hours."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from appointments.choices import OUTREACH_BOOKING_SOURCES, SMS_CONFIRM, AppointmentState, Source
from appointments.models import Appointment
from appointments.selectors import booking_exists_from_task, day_board
from appointments.services import SlotFull, appointment_book, appointment_book_for_outreach, appointment_set_state
from appointments.slots import slot_choices
from crm.sms.choices import SmsStatus
from crm.sms.models import SmsMessage
from retention.choices import OutreachKind, OutreachResult, OutreachState
from retention.models import OutreachTask
from retention.services import outreach_attempt_record, outreach_task_open
from tests.appointments.factories import NINE, NOW, SH, TOMORROW, booking, owner_with_vehicle, small_slots
from tests.factories import StaffFactory, VehicleFactory
from winback.models import WinbackEntry
from winback.services import winback_contact_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _reminder_task(store, kind=OutreachKind.FIRST_SERVICE):
    customer, vehicle = owner_with_vehicle(store)
    task, _ = outreach_task_open(
        store=store,
        kind=kind,
        customer=customer,
        vehicle=vehicle,
        window_opens_at=NOW - dt.timedelta(days=1),
        window_closes_at=NOW + dt.timedelta(days=6),
    )
    return task


def test_a_slot_takes_its_capacity_and_refuses_one_more(store_a):
    small_slots(store_a, capacity=2)
    booking(store_a)
    booking(store_a)
    with pytest.raises(SlotFull):
        booking(store_a)
    assert Appointment.objects.filter(day=TOMORROW, slot=NINE).count() == 2


def test_a_cancelled_booking_frees_its_place(store_a):
    small_slots(store_a, capacity=1)
    first = booking(store_a)
    assert appointment_set_state(appointment=first, state=AppointmentState.CANCELLED, user=None)
    booking(store_a)  # the freed place
    assert not appointment_set_state(appointment=first, state=AppointmentState.ARRIVED, user=None)


def _nine_as_seen(store, user) -> tuple[tuple[int, int], tuple[int, int]]:
    """(used, free) of 09:00 tomorrow on the day board and in the booking form's slot options."""
    board = next(s for s in day_board(user=user, store_id=store.pk, day=TOMORROW)["slots"] if s["slot"] == NINE)
    option = next(s for s in slot_choices(store_id=store.pk, day=TOMORROW) if s["slot"] == NINE)
    return (board["used"], board["free"]), (option["used"], option["free"])


def test_the_board_the_slot_options_and_the_booking_check_count_a_slot_alike(store_a, cr_manager):
    small_slots(store_a, capacity=3)
    arrived, no_show, booked = (booking(store_a) for _ in range(3))
    assert appointment_set_state(appointment=booked, state=AppointmentState.CANCELLED, user=None)
    booked = booking(store_a)
    Appointment.objects.filter(pk=arrived.pk).update(state=AppointmentState.ARRIVED)
    Appointment.objects.filter(pk=no_show.pk).update(state=AppointmentState.NO_SHOW)
    # Booked, arrived and no-show hold a place; the cancelled one does not.
    assert _nine_as_seen(store_a, cr_manager) == ((3, 0), (3, 0))
    with pytest.raises(SlotFull):
        booking(store_a)
    assert appointment_set_state(appointment=booked, state=AppointmentState.CANCELLED, user=None)
    assert _nine_as_seen(store_a, cr_manager) == ((2, 1), (2, 1))
    booking(store_a)
    assert _nine_as_seen(store_a, cr_manager) == ((3, 0), (3, 0))


def test_a_booking_of_a_day_still_ahead_cannot_be_a_no_show(store_a):
    ahead = booking(store_a)
    assert not appointment_set_state(appointment=ahead, state=AppointmentState.NO_SHOW, user=None)
    with time_machine.travel(dt.datetime(2026, 12, 8, 18, 0, tzinfo=SH), tick=False):
        assert appointment_set_state(appointment=ahead, state=AppointmentState.NO_SHOW, user=None)


def test_a_slot_outside_the_hours_or_a_past_day_is_refused(store_a):
    small_slots(store_a)
    with pytest.raises(ValidationError):
        booking(store_a, slot=dt.time(11, 0))  # closes at 11:00
    with pytest.raises(ValidationError):
        booking(store_a, day=dt.date(2026, 12, 6))


def test_the_confirmation_sms_is_queued_once_and_held_in_quiet_hours(store_a):
    first = booking(store_a)
    message = SmsMessage.objects.get(reason=SMS_CONFIRM, related_key=f"appointment:{first.pk}")
    assert "2026-12-08 09:00" in message.body and message.status == SmsStatus.QUEUED
    late = dt.datetime(2026, 12, 7, 22, 30, tzinfo=SH)
    with time_machine.travel(late, tick=False):
        second = booking(store_a, now=late)
    held = SmsMessage.objects.get(reason=SMS_CONFIRM, related_key=f"appointment:{second.pk}")
    assert held.send_after == dt.datetime(2026, 12, 8, 8, 0, tzinfo=SH)


def test_a_reminder_call_that_ends_booked_creates_the_appointment(store_a, agent):
    task = _reminder_task(store_a)
    outreach_attempt_record(
        task=task, user=agent, result=OutreachResult.BOOKED, booked_on=TOMORROW, booked_slot=dt.time(14, 0)
    )
    appointment = Appointment.objects.get()
    assert (appointment.source, appointment.origin, appointment.slot) == (Source.REMINDER, task, dt.time(14, 0))
    assert appointment.vehicle == task.vehicle and appointment.created_by == agent
    assert OutreachTask.objects.filter(booking_exists_from_task("pk")).get() == task


def test_a_booked_result_on_a_full_slot_records_nothing(store_a, agent):
    small_slots(store_a, capacity=1)
    booking(store_a)
    task = _reminder_task(store_a)
    with pytest.raises(SlotFull):
        outreach_attempt_record(
            task=task, user=agent, result=OutreachResult.BOOKED, booked_on=TOMORROW, booked_slot=NINE
        )
    task.refresh_from_db()
    assert task.state == OutreachState.OPEN and not task.attempts.exists()
    assert Appointment.objects.count() == 1


def test_a_booked_date_without_a_slot_takes_the_first_free_one(store_a, agent):
    small_slots(store_a, capacity=1)
    booking(store_a)  # 09:00 is full
    task = _reminder_task(store_a)
    outreach_attempt_record(task=task, user=agent, result=OutreachResult.BOOKED, booked_on=TOMORROW)
    assert Appointment.objects.get(origin_id=task.pk).slot == dt.time(10, 0)


def test_a_winback_contact_that_ends_booked_books_as_winback(store_a, agent):
    task = _reminder_task(store_a, kind=OutreachKind.WINBACK)
    entry = WinbackEntry.objects.create(
        store=store_a,
        customer=task.customer,
        month=dt.date(2026, 12, 1),
        lost_on=dt.date(2026, 12, 1),
        last_visit_on=dt.date(2025, 11, 20),
        task=task,
    )
    winback_contact_record(entry=entry, user=agent, result=OutreachResult.BOOKED, booked_on=TOMORROW)
    appointment = Appointment.objects.get()
    assert appointment.source == Source.WINBACK and appointment.origin == task


def test_an_advisor_of_another_store_or_a_vehicle_of_another_owner_is_refused(store_a, store_b):
    customer, _vehicle = owner_with_vehicle(store_a)
    other = VehicleFactory(store=store_a)
    with pytest.raises(ValidationError):
        appointment_book(
            customer=customer, vehicle=other, day=TOMORROW, slot=NINE, service_type="repair", source=Source.INBOUND
        )
    with pytest.raises(ValidationError):
        appointment_book(
            customer=customer,
            day=TOMORROW,
            slot=NINE,
            service_type="repair",
            source=Source.INBOUND,
            advisor=StaffFactory(store=store_b),
        )


EXPECTED_SOURCE = {
    OutreachKind.WINBACK: Source.WINBACK,
    OutreachKind.AT_RISK: Source.WINBACK,
    OutreachKind.NO_SHOW: Source.FOLLOW_UP,
}


@pytest.mark.parametrize("kind", OutreachKind.values)
def test_every_outreach_kind_books_under_its_own_source(store_a, agent, kind):
    """Exhaustive: a new kind without an entry in OUTREACH_BOOKING_SOURCES fails here."""
    assert set(OUTREACH_BOOKING_SOURCES) == set(OutreachKind.values)
    task = _reminder_task(store_a, kind=kind)
    appointment = appointment_book_for_outreach(task=task, user=agent, day=TOMORROW, slot=NINE)
    assert appointment.source == EXPECTED_SOURCE.get(kind, Source.REMINDER)
    assert appointment.origin == task


def test_an_at_risk_call_that_ends_booked_books_as_winback(store_a, agent):
    task = _reminder_task(store_a, kind=OutreachKind.AT_RISK)
    outreach_attempt_record(task=task, user=agent, result=OutreachResult.BOOKED, booked_on=TOMORROW, booked_slot=NINE)
    assert Appointment.objects.get(origin_id=task.pk).source == Source.WINBACK
