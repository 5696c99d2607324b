"""Arrival by RO import, no-shows by the morning beat (run twice), the follow-up call in the
agents' queue, and the day-before SMS (once)."""

import datetime as dt

import pytest
import time_machine

from appointments.choices import SMS_CHANGE, SMS_CONFIRM, SMS_EVE, AppointmentState, ServiceType, Source
from appointments.models import Appointment
from appointments.services import (
    CHANGE_TEXT,
    CONFIRM_TEXT,
    EVE_TEXT,
    appointment_book,
    appointment_change,
    appointment_sms_context,
)
from appointments.sweeps import (
    appointments_mark_arrived,
    appointments_mark_no_shows,
    appointments_send_eve_reminders,
)
from appointments.tasks import appointments_no_shows
from crm.importing.runner import import_file
from crm.sms.models import SmsMessage, SmsTemplate
from crm.sms.templates import render_sms_text
from retention.choices import OutreachKind, OutreachState
from retention.models import OutreachTask
from retention.queue import outreach_queue_rows
from tests.appointments.factories import NOW, SH, TOMORROW, booking
from tests.crm.dms_files import VIN_1, ro_row, write_workbook
from tests.factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db
NEXT_MORNING = dt.datetime(2026, 12, 9, 9, 30, tzinfo=SH)


def _booked_vin_1(store):
    customer = CustomerFactory(store=store, name="张伟", mobile="13856781234")
    VehicleFactory(store=store, vin=VIN_1, owner=customer)
    with time_machine.travel(NOW, tick=False):
        return booking(store, customer=customer)


def test_an_imported_ro_of_the_vehicle_on_the_booked_day_marks_it_arrived(store_a, tmp_path):
    kept = _booked_vin_1(store_a)
    with time_machine.travel(dt.datetime(2026, 12, 8, 18, 0, tzinfo=SH), tick=False):
        row = ro_row(进厂时间=dt.datetime(2026, 12, 8, 9, 10), 交车时间=dt.datetime(2026, 12, 8, 16, 0))
        import_file(write_workbook(tmp_path / "ro.xlsx", {"工单": [row]}))
    kept.refresh_from_db()
    assert kept.state == AppointmentState.ARRIVED and kept.repair_order.ro_no == row["工单号"]


def test_an_ro_on_another_day_does_not_mark_it_and_the_beat_marks_a_no_show_once(store_a, tmp_path, agent):
    missed = _booked_vin_1(store_a)
    with time_machine.travel(dt.datetime(2026, 12, 9, 8, 0, tzinfo=SH), tick=False):
        row = ro_row(进厂时间=dt.datetime(2026, 12, 9, 8, 0), 交车时间=None)
        import_file(write_workbook(tmp_path / "ro.xlsx", {"工单": [row]}))
    missed.refresh_from_db()
    assert missed.state == AppointmentState.BOOKED
    with time_machine.travel(NEXT_MORNING, tick=False):
        first = appointments_no_shows.apply().get()
        second = appointments_mark_no_shows()
    assert first == {"no_show": 1, "follow_up": 1}
    assert second == {"no_show": 0, "follow_up": 0}
    missed.refresh_from_db()
    assert missed.state == AppointmentState.NO_SHOW
    task = OutreachTask.objects.get()
    assert (task.kind, task.state, task.key, task.customer_id) == (
        OutreachKind.NO_SHOW,
        OutreachState.OPEN,
        f"appointment:{missed.pk}",
        missed.customer_id,
    )
    assert missed.follow_up_task == task
    with time_machine.travel(NEXT_MORNING + dt.timedelta(minutes=5), tick=False):
        rows = outreach_queue_rows(user=agent, now=NEXT_MORNING + dt.timedelta(minutes=5))
    assert [r["kind"] for r in rows] == [OutreachKind.NO_SHOW]


def test_a_late_import_turns_a_no_show_into_arrived_and_closes_its_follow_up(store_a, tmp_path):
    missed = _booked_vin_1(store_a)
    with time_machine.travel(NEXT_MORNING, tick=False):
        appointments_mark_no_shows()
        row = ro_row(进厂时间=dt.datetime(2026, 12, 8, 15, 0), 交车时间=dt.datetime(2026, 12, 8, 18, 0))
        import_file(write_workbook(tmp_path / "ro.xlsx", {"工单": [row]}))
    missed.refresh_from_db()
    assert missed.state == AppointmentState.ARRIVED
    assert OutreachTask.objects.get().state == OutreachState.CLOSED


def test_a_cancelled_booking_is_not_a_no_show(store_a):
    with time_machine.travel(NOW, tick=False):
        cancelled = booking(store_a)
    Appointment.objects.filter(pk=cancelled.pk).update(state=AppointmentState.CANCELLED)
    with time_machine.travel(NEXT_MORNING, tick=False):
        assert appointments_mark_no_shows() == {"no_show": 0, "follow_up": 0}


def test_the_day_before_sms_goes_once_per_booking(store_a):
    with time_machine.travel(NOW, tick=False):
        booked = booking(store_a)
        later = booking(store_a, day=dt.date(2026, 12, 9))
        assert appointments_send_eve_reminders() == 1
        assert appointments_send_eve_reminders() == 0
    eve = SmsMessage.objects.filter(reason=SMS_EVE)
    assert list(eve.values_list("related_key", flat=True)) == [f"appointment:{booked.pk}:{TOMORROW.isoformat()}"]
    assert TOMORROW.isoformat() in eve.get().body
    assert not eve.filter(related_key__startswith=f"appointment:{later.pk}:").exists()


def test_a_booking_moved_after_its_reminder_gets_one_for_the_new_day_and_a_notice_once(store_a):
    """改约 after the day-before SMS went: the customer is told the new time once (a second save of
    the same time is no move), and the eve sweep of the new day reminds him again, once."""
    later_day = dt.date(2026, 12, 10)
    with time_machine.travel(NOW, tick=False):
        booked = booking(store_a)
        assert appointments_send_eve_reminders() == 1
        for _ in range(2):  # the same change saved twice
            appointment_change(
                appointment=booked, day=later_day, slot=dt.time(10, 0), service_type=booked.service_type, advisor=None
            )
    notices = SmsMessage.objects.filter(reason=SMS_CHANGE, related_key__startswith=f"appointment:{booked.pk}:")
    assert notices.count() == 1
    assert f"{later_day.isoformat()} 10:00" in notices.get().body
    assert notices.get().body == render_sms_text(
        CHANGE_TEXT, appointment_sms_context(Appointment.objects.get(pk=booked.pk))
    )
    eve = SmsMessage.objects.filter(reason=SMS_EVE, related_key__startswith=f"appointment:{booked.pk}:")
    with time_machine.travel(dt.datetime(2026, 12, 9, 10, 0, tzinfo=SH), tick=False):
        assert appointments_send_eve_reminders() == 1
        assert appointments_send_eve_reminders() == 0
    assert eve.count() == 2
    assert later_day.isoformat() in eve.latest("id").body


def test_a_change_of_service_type_alone_sends_no_notice(store_a):
    with time_machine.travel(NOW, tick=False):
        booked = booking(store_a)
        appointment_change(
            appointment=booked, day=booked.day, slot=booked.slot, service_type=ServiceType.REPAIR, advisor=None
        )
    assert not SmsMessage.objects.filter(reason=SMS_CHANGE).exists()


def test_the_confirmation_and_the_day_before_sms_read_their_text_one_way(store_a):
    """Both texts: the store group's SmsTemplate of the code when there is one, else the built-in
    Chinese text — the confirmation (at booking) and the day-before sweep read it alike."""
    sms = SmsMessage.objects.order_by("id")
    with time_machine.travel(NOW, tick=False):
        first = booking(store_a)
        appointments_send_eve_reminders()
        confirm = sms.get(reason=SMS_CONFIRM, related_key=f"appointment:{first.pk}")
        eve = sms.get(reason=SMS_EVE, related_key=f"appointment:{first.pk}:{TOMORROW.isoformat()}")
        assert confirm.body == render_sms_text(CONFIRM_TEXT, appointment_sms_context(first))
        assert eve.body == render_sms_text(EVE_TEXT, appointment_sms_context(first))
        SmsTemplate.objects.create(code=SMS_CONFIRM, name="预约确认", body="{customer_name}：已约{date} {time}")
        SmsTemplate.objects.create(code=SMS_EVE, name="预约前一天提醒", body="{customer_name}：明天{time}见")
        second = booking(store_a, slot=dt.time(10, 0))
        appointments_send_eve_reminders()
        confirm = sms.get(reason=SMS_CONFIRM, related_key=f"appointment:{second.pk}")
        eve = sms.get(reason=SMS_EVE, related_key=f"appointment:{second.pk}:{TOMORROW.isoformat()}")
    name = second.customer.name
    assert (confirm.body, eve.body) == (f"{name}：已约{TOMORROW.isoformat()} 10:00", f"{name}：明天10:00见")


def test_a_booking_without_a_vehicle_is_kept_by_an_ro_of_any_vehicle_of_its_customer(store_a, tmp_path):
    """A booking made without a vehicle: an RO at the store on the booked day of a vehicle the
    customer owns marks it arrived (through the import's post-step); another customer's booking
    stays booked."""
    customer = CustomerFactory(store=store_a, name="张伟", mobile="13856781234")
    VehicleFactory(store=store_a, vin=VIN_1, owner=customer)
    stranger = CustomerFactory(store=store_a)
    with time_machine.travel(NOW, tick=False):
        kept = appointment_book(
            customer=customer, day=TOMORROW, slot=dt.time(9), service_type="repair", source=Source.INBOUND
        )
        other = appointment_book(
            customer=stranger, day=TOMORROW, slot=dt.time(9), service_type="repair", source=Source.INBOUND
        )
    assert kept.vehicle is None
    with time_machine.travel(dt.datetime(2026, 12, 8, 18, 0, tzinfo=SH), tick=False):
        row = ro_row(进厂时间=dt.datetime(2026, 12, 8, 9, 10), 交车时间=dt.datetime(2026, 12, 8, 16, 0))
        import_file(write_workbook(tmp_path / "ro.xlsx", {"工单": [row]}))
    kept.refresh_from_db()
    other.refresh_from_db()
    assert kept.state == AppointmentState.ARRIVED and kept.repair_order.ro_no == row["工单号"]
    assert other.state == AppointmentState.BOOKED
    with time_machine.travel(NEXT_MORNING, tick=False):
        assert appointments_mark_no_shows()["no_show"] == 1  # the stranger's only
    assert appointments_mark_arrived() == 0  # a second run changes nothing


def test_reminders_sent_under_the_old_key_are_rekeyed_to_the_day_they_were_for(store_a):
    """appointments 0002: a reminder logged as `appointment:<id>` before the keys named the day is
    given the day it was for (the day after it was queued), so the sweep's rerun sends no second one
    while a booking moved since still gets one for its new day."""
    import importlib

    from django.apps import apps

    with time_machine.travel(NOW, tick=False):
        kept, moved = booking(store_a), booking(store_a, slot=dt.time(10, 0))
        assert appointments_send_eve_reminders() == 2
        for appointment in (kept, moved):  # as the sweep logged them before
            SmsMessage.objects.filter(reason=SMS_EVE, related_key__startswith=f"appointment:{appointment.pk}:").update(
                related_key=f"appointment:{appointment.pk}"
            )
        importlib.import_module("appointments.migrations.0002_eve_sms_keys_per_day").forwards(apps, None)
        assert set(SmsMessage.objects.filter(reason=SMS_EVE).values_list("related_key", flat=True)) == {
            f"appointment:{kept.pk}:{TOMORROW.isoformat()}",
            f"appointment:{moved.pk}:{TOMORROW.isoformat()}",
        }
        assert appointments_send_eve_reminders() == 0  # the rerun
        Appointment.objects.filter(pk=moved.pk).update(day=dt.date(2026, 12, 10))
    with time_machine.travel(dt.datetime(2026, 12, 9, 10, 0, tzinfo=SH), tick=False):
        assert appointments_send_eve_reminders() == 1
