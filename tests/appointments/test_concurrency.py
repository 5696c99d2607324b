"""Overbooking refused under concurrency: two agents book the last place of a slot at once (real
threads, each on its own connection). The slot's row lock makes the second count the first's
booking, so exactly one succeeds — also for the slot's very first booking, when the lock row
does not exist yet."""

import pytest
import time_machine

from appointments.models import Appointment
from appointments.services import SlotFull
from crm.models import Customer, Store
from retention.choices import OutreachResult
from retention.models import OutreachTask
from retention.services import outreach_attempt_record, outreach_task_open
from tests.appointments.factories import NINE, NOW, TOMORROW, booking, owner_with_vehicle, small_slots
from tests.concurrency import run_at_once
from tests.factories import UserFactory


def _book(store_pk: int, customer_pk: int) -> str:
    store = Store.objects.get(pk=store_pk)
    with time_machine.travel(NOW, tick=False):
        try:
            booking(store, customer=Customer.objects.get(pk=customer_pk))
        except SlotFull:
            return "refused"
    return "booked"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("taken", [0, 2])
def test_two_bookings_of_the_last_place_at_once_book_one(store_a, taken):
    small_slots(store_a, capacity=taken + 1)
    with time_machine.travel(NOW, tick=False):
        for _ in range(taken):
            booking(store_a)
    customers = [owner_with_vehicle(store_a)[0].pk for _ in range(2)]
    results = run_at_once(_book, args=[(store_a.pk, c) for c in customers])
    assert sorted(results) == ["booked", "refused"]
    assert Appointment.objects.filter(day=TOMORROW, slot=NINE).count() == taken + 1


def _call_booked(task_pk: int, user_pk: int) -> str:
    task = OutreachTask.objects.get(pk=task_pk)
    user = UserFactory._meta.model.objects.get(pk=user_pk)
    with time_machine.travel(NOW, tick=False):
        try:
            outreach_attempt_record(
                task=task, user=user, result=OutreachResult.BOOKED, booked_on=TOMORROW, booked_slot=NINE
            )
        except SlotFull:
            return "refused"
    return "booked"


@pytest.mark.django_db(transaction=True)
def test_two_reminder_calls_booking_the_last_place_at_once(store_a, agent, cr_manager):
    small_slots(store_a, capacity=1)
    tasks = []
    for _ in range(2):
        customer, vehicle = owner_with_vehicle(store_a)
        task, _created = outreach_task_open(
            store=store_a,
            kind="first_service",
            customer=customer,
            vehicle=vehicle,
            window_opens_at=NOW,
            window_closes_at=NOW.replace(day=14),
        )
        tasks.append(task)
    results = run_at_once(_call_booked, args=[(tasks[0].pk, agent.pk), (tasks[1].pk, cr_manager.pk)])
    assert sorted(results) == ["booked", "refused"]
    assert Appointment.objects.count() == 1
    # The refused call recorded nothing: its task is still open, with no attempt.
    assert sum(t.attempts.count() for t in OutreachTask.objects.all()) == 1
