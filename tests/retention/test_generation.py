"""Reminder generation (SPEC §10.2): each kind's due and send dates, who gets one, catch-up, idempotence."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from crm.models import VehicleOwnership
from retention.choices import OutreachKind as K
from retention.choices import ReminderChannel, ReminderStatus
from retention.generation import reminders_generate
from retention.models import FestivalDate, Reminder, ReminderKindSetting
from tests.factories import CustomerFactory, StoreFactory, VehicleFactory, make_id_number
from tests.retention.factories import SHANGHAI, delivered_vehicle, repair_order

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def morning():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def generate(store, day):
    return reminders_generate(day=day, stores=[store])


def reminders(kind, **filters):
    return list(Reminder.objects.filter(kind=kind, **filters).values_list("due_on", "send_on"))


def test_first_service_from_the_31st_clamps_to_the_months_end_and_is_sent_7_days_before():
    store = StoreFactory()
    vehicle = delivered_vehicle(store, delivered_on=D(2026, 8, 31))
    generate(store, D(2026, 11, 22))
    assert reminders(K.FIRST_SERVICE) == []  # the send date (23 Nov) has not come
    generate(store, D(2026, 11, 23))
    assert reminders(K.FIRST_SERVICE, vehicle=vehicle) == [(D(2026, 11, 30), D(2026, 11, 23))]
    assert Reminder.objects.get(kind=K.FIRST_SERVICE).customer == vehicle.owner


def test_no_first_service_reminder_once_the_vehicle_came_back():
    store = StoreFactory()
    vehicle = delivered_vehicle(store, delivered_on=D(2026, 3, 10))
    repair_order(store, vehicle, opened_on=D(2026, 5, 20))
    generate(store, D(2026, 6, 5))
    assert reminders(K.FIRST_SERVICE) == []


def test_periodic_service_from_the_latest_ro_and_a_newer_ro_moves_it():
    store = StoreFactory()
    vehicle = delivered_vehicle(store, delivered_on=D(2024, 1, 5))
    repair_order(store, vehicle, opened_on=D(2025, 9, 30))
    repair_order(store, vehicle, opened_on=D(2026, 1, 31))
    generate(store, D(2026, 6, 23))
    assert reminders(K.PERIODIC_SERVICE) == [(D(2026, 6, 30), D(2026, 6, 23))]  # 31 Jan + 5 months


def test_insurance_follows_the_policy_date_else_the_delivery():
    store = StoreFactory()
    with_policy = delivered_vehicle(store, delivered_on=D(2024, 3, 1), insurance_date=D(2024, 7, 15))
    without = delivered_vehicle(store, delivered_on=D(2024, 7, 10))
    generate(store, D(2026, 6, 15))  # window: 15 Jun – 15 Jul
    got = dict(Reminder.objects.filter(kind=K.INSURANCE).values_list("vehicle_id", "due_on"))
    assert got == {with_policy.pk: D(2026, 7, 15), without.pk: D(2026, 7, 10)}
    assert Reminder.objects.get(vehicle=with_policy, kind=K.INSURANCE).send_on == D(2026, 6, 15)


def test_inspection_every_second_anniversary_of_a_29_february_delivery():
    store = StoreFactory()
    delivered_vehicle(store, delivered_on=D(2024, 2, 29))
    generate(store, D(2025, 1, 29))
    assert reminders(K.INSPECTION) == []  # the first anniversary: no inspection
    generate(store, D(2026, 1, 29))
    assert reminders(K.INSPECTION) == [(D(2026, 2, 28), D(2026, 1, 29))]


def test_warranty_end_projected_from_60000_km():
    store = StoreFactory()
    vehicle = delivered_vehicle(store, delivered_on=D(2025, 1, 1))
    ro_day = D(2025, 1, 1) + dt.timedelta(days=200)
    repair_order(store, vehicle, opened_on=ro_day, mileage_km=30000)
    due = ro_day + dt.timedelta(days=200)  # 150 km a day, 30,000 km to go
    generate(store, due - dt.timedelta(days=30))
    assert reminders(K.WARRANTY_END) == [(due, due - dt.timedelta(days=30))]


def test_a_vehicle_bought_elsewhere_counts_from_its_purchase_date_when_serviced_here():
    store = StoreFactory()
    owner = CustomerFactory(store=store)
    vehicle = VehicleFactory(store=store, owner=owner, purchase_date=D(2024, 6, 20))
    VehicleOwnership.objects.create(vehicle=vehicle, customer=owner, started_on=D(2024, 6, 20))
    repair_order(store, vehicle, opened_on=D(2025, 1, 5))
    no_date = VehicleFactory(store=store, owner=owner)
    VehicleOwnership.objects.create(vehicle=no_date, customer=owner, started_on=D(2024, 6, 20))
    repair_order(store, no_date, opened_on=D(2025, 1, 5))
    generate(store, D(2026, 6, 1))
    assert list(Reminder.objects.filter(kind=K.INSPECTION).values_list("vehicle_id", "due_on")) == [
        (vehicle.pk, D(2026, 6, 20))
    ]


def test_a_vehicle_of_another_store_or_sold_on_goes_to_its_current_owner_only():
    store, other = StoreFactory(), StoreFactory()
    delivered_vehicle(other, delivered_on=D(2026, 3, 1))
    sold = delivered_vehicle(store, delivered_on=D(2026, 3, 1))
    new_owner = CustomerFactory(store=store)
    VehicleOwnership.objects.filter(vehicle=sold).update(ended_on=D(2026, 4, 1))
    VehicleOwnership.objects.create(vehicle=sold, customer=new_owner, started_on=D(2026, 4, 1))
    generate(store, D(2026, 5, 25))
    assert list(Reminder.objects.filter(kind=K.FIRST_SERVICE).values_list("customer_id", "store_id")) == [
        (new_owner.pk, store.pk)
    ]


def test_birthday_from_the_field_else_the_id_number_and_29_february():
    store = StoreFactory()
    by_field = CustomerFactory(store=store, birthday=D(1990, 3, 1))
    by_id = CustomerFactory(store=store, id_number=make_id_number(D(1988, 2, 29)))
    CustomerFactory(store=store, birthday=D(1990, 3, 2))
    generate(store, D(2027, 2, 28))
    assert list(Reminder.objects.filter(kind=K.BIRTHDAY).values_list("customer_id", "due_on")) == [
        (by_id.pk, D(2027, 2, 28))
    ]
    generate(store, D(2027, 3, 1))
    assert Reminder.objects.get(kind=K.BIRTHDAY, customer=by_field).send_on == D(2027, 3, 1)


def test_festivals_from_the_store_calendar_for_every_customer():
    store = StoreFactory()
    customers = CustomerFactory.create_batch(3, store=store)
    generate(store, D(2026, 9, 24))
    mid_autumn = FestivalDate.objects.get(store=store, festival="mid_autumn", date__year=2026)
    assert mid_autumn.date == D(2026, 9, 25)  # lunar 8/15, from the calendar library
    assert Reminder.objects.filter(kind=K.FESTIVAL).count() == 0
    generate(store, D(2026, 9, 25))
    assert set(Reminder.objects.filter(kind=K.FESTIVAL).values_list("customer_id", flat=True)) == {
        c.pk for c in customers
    }


def test_three_missed_days_are_caught_up_but_a_passed_due_date_is_never_created():
    ran_before, down_before = StoreFactory(), StoreFactory()
    for store in (ran_before, down_before):
        delivered_vehicle(store, delivered_on=D(2026, 3, 6))  # due 6 Jun, send 30 May (missed)
        delivered_vehicle(store, delivered_on=D(2026, 3, 2))  # due 2 Jun, send 26 May
        delivered_vehicle(store, delivered_on=D(2026, 2, 28))  # due 28 May
    generate(ran_before, D(2026, 5, 28))  # its last run before the outage (29, 30, 31 May)
    generate(ran_before, D(2026, 6, 1))
    generate(down_before, D(2026, 6, 1))  # its outage started before 28 May
    due = {
        store: sorted(Reminder.objects.filter(kind=K.FIRST_SERVICE, store=store).values_list("due_on", flat=True))
        for store in (ran_before, down_before)
    }
    assert due[ran_before] == [D(2026, 5, 28), D(2026, 6, 2), D(2026, 6, 6)]
    assert due[down_before] == [D(2026, 6, 2), D(2026, 6, 6)]  # 28 May's was never created late


def test_a_rerun_of_the_day_reads_no_candidate_until_the_data_changes():
    store = StoreFactory()
    delivered_vehicle(store, delivered_on=D(2026, 3, 6))
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI), tick=True):
        generate(store, D(2026, 6, 1))
    with time_machine.travel(dt.datetime(2026, 6, 1, 11, 0, tzinfo=SHANGHAI), tick=True):
        generate(store, D(2026, 6, 1))
        assert Reminder.objects.count() == 1
        late = delivered_vehicle(store, delivered_on=D(2026, 3, 7))  # imported after the first run
        generate(store, D(2026, 6, 1))
    assert Reminder.objects.filter(vehicle=late).exists()


def test_run_twice_creates_each_reminder_once_and_the_command_prints_counts(capsys):
    store = StoreFactory(code="LA01")
    delivered_vehicle(store, delivered_on=D(2026, 3, 3))
    call_command("generate_reminders", "--date", "2026-06-01", "--store", "LA01")
    first = capsys.readouterr().out
    call_command("generate_reminders", "--date", "2026-06-01", "--store", "LA01")
    second = capsys.readouterr().out
    assert "first_service (首保提醒): created 1, skipped 0" in first
    assert "first_service (首保提醒): created 0, skipped 0" in second
    assert Reminder.objects.count() == 1


def test_settings_change_lead_channel_and_turn_a_kind_off():
    store = StoreFactory()
    delivered_vehicle(store, delivered_on=D(2026, 3, 3))
    ReminderKindSetting.objects.create(store=store, kind=K.FIRST_SERVICE, lead_days=14, channel=ReminderChannel.SMS)
    ReminderKindSetting.objects.create(store=store, kind=K.BIRTHDAY, enabled=False, lead_days=0, channel="sms")
    CustomerFactory(store=store, birthday=D(1990, 5, 20))
    generate(store, D(2026, 5, 20))
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.send_on, reminder.channel) == (K.FIRST_SERVICE, D(2026, 5, 20), "sms")
    assert reminder.status == ReminderStatus.DISPATCHED


def test_no_insurance_reminder_for_a_vehicle_serviced_here_without_delivery_or_purchase_date():
    # SPEC §10.2: "a vehicle with neither gets no first-service, insurance, inspection or warranty reminder",
    # even when it carries a policy date.
    store = StoreFactory()
    customer = CustomerFactory(store=store)
    vehicle = VehicleFactory(store=store, owner=customer, insurance_date=D(2025, 6, 20), purchase_date=None)
    VehicleOwnership.objects.create(vehicle=vehicle, customer=customer, started_on=D(2025, 6, 20))
    repair_order(store, vehicle, opened_on=D(2026, 1, 5))
    generate(store, D(2026, 6, 1))
    assert reminders(K.INSURANCE) == []
    vehicle.purchase_date = D(2025, 6, 18)
    vehicle.save()
    generate(store, D(2026, 6, 2))
    assert reminders(K.INSURANCE) == [(D(2026, 6, 20), D(2026, 5, 21))]


def test_the_festival_calendar_grows_with_the_years_and_keeps_the_managers_deletions():
    from retention.festivals import festival_calendar_ensure

    store = StoreFactory()
    festival_calendar_ensure(store=store, today=D(2026, 6, 1))
    assert FestivalDate.objects.filter(store=store, date__year=2030).exists()
    assert not FestivalDate.objects.filter(store=store, date__year=2031).exists()
    FestivalDate.objects.filter(store=store, date__year=2030, festival="new_year").delete()
    festival_calendar_ensure(store=store, today=D(2030, 12, 1))
    assert FestivalDate.objects.filter(store=store, date__year=2031).count() == 6
    assert not FestivalDate.objects.filter(store=store, date__year=2030, festival="new_year").exists()


def test_the_daily_task_marks_returned_a_reminder_created_after_its_ro_was_imported():
    from retention.tasks import reminders_generate_daily

    store = StoreFactory()
    vehicle = delivered_vehicle(store, delivered_on=D(2025, 6, 1))
    repair_order(store, vehicle, opened_on=D(2026, 5, 20))  # imported before the reminder existed
    reminder = Reminder.objects.create(
        store=store,
        kind=K.WARRANTY_END,
        customer=vehicle.owner,
        vehicle=vehicle,
        due_on=D(2026, 6, 10),
        send_on=D(2026, 5, 11),
        channel=ReminderChannel.CALL,
        status=ReminderStatus.SKIPPED,
    )
    reminders_generate_daily()
    reminder.refresh_from_db()
    assert reminder.returned_on == D(2026, 5, 20)


def test_rule_numbers_are_bounded_so_one_store_cannot_stop_every_stores_generation():
    from retention.forms import ReminderSettingsForm
    from retention.models import ReminderSettings

    store = StoreFactory()
    numbers = {
        "first_service_months": 30000,
        "periodic_service_months": 5,
        "inspection_interval_years": 2,
        "warranty_years": 2,
        "warranty_km": 60000,
        "return_window_days": 30,
    }
    form = ReminderSettingsForm(numbers, instance=ReminderSettings(store=store))
    assert not form.is_valid() and "first_service_months" in form.errors
    assert ReminderSettingsForm(
        {**numbers, "first_service_months": 3}, instance=ReminderSettings(store=store)
    ).is_valid()
