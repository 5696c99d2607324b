"""Issue 10 leftovers on the reminder side: the rerun shortcut sees ownership changes made in the
admin, `created` counts the rows the run inserted, and no reminder is sent past its due date."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from crm.models import VehicleOwnership
from crm.sms.choices import SmsStatus
from crm.sms.models import SmsMessage
from retention.choices import OutreachKind as K
from retention.choices import ReminderChannel, ReminderStatus, SkipReason
from retention.dispatch import reminders_expire_queued_sms
from retention.generation import reminders_generate
from retention.models import Reminder, ReminderKindSetting
from tests.factories import CustomerFactory, StoreFactory, UserFactory
from tests.retention.factories import SHANGHAI, delivered_vehicle

D = dt.date
pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI)


def test_an_ownership_added_in_the_admin_is_seen_by_the_rerun_of_the_day(client):
    store = StoreFactory()
    vehicle = delivered_vehicle(store, delivered_on=D(2026, 3, 6))
    VehicleOwnership.objects.filter(vehicle=vehicle).update(ended_on=D(2026, 4, 1))  # sold on: no current owner
    with time_machine.travel(at(D(2026, 6, 1), 6, 30), tick=True):
        reminders_generate(day=D(2026, 6, 1), stores=[store])
    assert not Reminder.objects.exists()
    buyer = CustomerFactory(store=store)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    with time_machine.travel(at(D(2026, 6, 1), 9), tick=True):
        response = client.post(
            reverse("admin:crm_vehicleownership_add"),
            {"vehicle": vehicle.pk, "customer": buyer.pk, "started_on": "2026-04-01", "ended_on": ""},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        reminders_generate(day=D(2026, 6, 1), stores=[store])
    assert list(Reminder.objects.values_list("kind", "customer_id")) == [(K.FIRST_SERVICE, buyer.pk)]


def test_an_ownership_deleted_stamps_its_vehicle():
    store = StoreFactory()
    vehicle = delivered_vehicle(store, delivered_on=D(2026, 3, 6))
    with time_machine.travel(at(D(2026, 7, 1), 9), tick=False):
        VehicleOwnership.objects.get(vehicle=vehicle).delete()
    vehicle.refresh_from_db()
    assert vehicle.updated_at == at(D(2026, 7, 1), 9)


def test_created_counts_only_the_rows_this_run_inserted(capsys):
    store = StoreFactory(code="LA02")
    vehicle = delivered_vehicle(store, delivered_on=D(2026, 3, 3))
    # A run that died after its insert left the reminder NEW; the next run works it, did not create it.
    Reminder.objects.create(
        store=store,
        kind=K.FIRST_SERVICE,
        customer=vehicle.owner,
        vehicle=vehicle,
        due_on=D(2026, 6, 3),
        send_on=D(2026, 5, 27),
        channel=ReminderChannel.CALL,
    )
    CustomerFactory(store=store, birthday=D(1990, 6, 1), may_sms=False)
    with time_machine.travel(at(D(2026, 6, 1), 10), tick=False):
        call_command("generate_reminders", "--date", "2026-06-01", "--store", "LA02")
    out = capsys.readouterr().out
    assert "first_service (首保提醒): created 0, skipped 0" in out
    assert "birthday (生日祝福): created 1, skipped 1 (no_sms_consent 1)" in out
    assert Reminder.objects.get(kind=K.FIRST_SERVICE).status == ReminderStatus.DISPATCHED


def test_a_reminder_left_new_past_its_due_date_is_skipped_as_expired_not_sent():
    store = StoreFactory()
    customer = CustomerFactory(store=store, birthday=D(1990, 5, 30))
    stale = Reminder.objects.create(
        store=store,
        kind=K.BIRTHDAY,
        customer=customer,
        due_on=D(2026, 5, 30),
        send_on=D(2026, 5, 30),
        channel=ReminderChannel.SMS,
    )
    with time_machine.travel(at(D(2026, 6, 1), 10), tick=False):
        reminders_generate(day=D(2026, 6, 1), stores=[store])
    stale.refresh_from_db()
    assert (stale.status, stale.skip_reason, stale.sms_message_id) == (ReminderStatus.SKIPPED, SkipReason.EXPIRED, None)
    assert not SmsMessage.objects.exists()


def test_a_queued_sms_whose_reminder_is_due_is_cancelled_the_next_morning():
    store = StoreFactory()
    CustomerFactory(store=store, birthday=D(1990, 6, 1))
    vehicle = delivered_vehicle(store, delivered_on=D(2026, 3, 1))
    ReminderKindSetting.objects.create(store=store, kind=K.FIRST_SERVICE, channel=ReminderChannel.BOTH, lead_days=7)
    with time_machine.travel(at(D(2026, 6, 1), 6, 30), tick=False):
        reminders_generate(day=D(2026, 6, 1), stores=[store])  # queued until 08:00; the gateway then fails
    birthday, first = Reminder.objects.get(kind=K.BIRTHDAY), Reminder.objects.get(vehicle=vehicle)
    assert birthday.sms_message.status == SmsStatus.QUEUED and first.sms_message.status == SmsStatus.QUEUED
    assert reminders_expire_queued_sms(today=D(2026, 6, 1)) == 0  # due today: may still go
    SmsMessage.objects.filter(pk=first.sms_message_id).update(status=SmsStatus.SENT)
    assert reminders_expire_queued_sms(today=D(2026, 6, 2)) == 1
    assert reminders_expire_queued_sms(today=D(2026, 6, 2)) == 0
    birthday.refresh_from_db()
    assert (birthday.status, birthday.skip_reason) == (ReminderStatus.SKIPPED, SkipReason.EXPIRED)
    assert birthday.sms_message.status == SmsStatus.FAILED and "expired" in birthday.sms_message.error
    first.refresh_from_db()
    assert (first.status, first.sms_message.status) == (ReminderStatus.DISPATCHED, SmsStatus.SENT)


def test_the_timeline_shows_every_reminder_and_contact_of_a_long_standing_customer(django_assert_max_num_queries):
    from retention.models import OutreachAttempt, OutreachTask
    from retention.timeline import retention_timeline_entries

    store = StoreFactory()
    customer = CustomerFactory(store=store)
    Reminder.objects.bulk_create(
        Reminder(
            store=store,
            kind=K.FESTIVAL,
            customer=customer,
            due_on=D(2015, 1, 1) + dt.timedelta(days=61 * i),
            send_on=D(2015, 1, 1) + dt.timedelta(days=61 * i),
            channel=ReminderChannel.SMS,
            status=ReminderStatus.DISPATCHED,
        )
        for i in range(70)
    )
    task = OutreachTask.objects.create(
        store=store,
        kind=K.WINBACK,
        customer=customer,
        window_opens_at=at(D(2015, 1, 1), 0),
        window_closes_at=at(D(2026, 1, 1), 0),
    )
    OutreachAttempt.objects.bulk_create(
        OutreachAttempt(task=task, contacted_at=at(D(2015, 1, 1), 10) + dt.timedelta(days=30 * i), result="unreachable")
        for i in range(60)
    )
    with django_assert_max_num_queries(2):
        entries = retention_timeline_entries(customer)
    assert sum(e.kind == "reminder" for e in entries) == 70
    assert sum(e.kind == "outreach" for e in entries) == 60
