"""seed_demo step: a week of service appointments at each demo store — the last three days' kept
(arrived) or missed (no-show, with its follow-up call in the queue), today's and the next three
days' still booked — with their service advisors, sources and a few cancellations.

Idempotent: a store that has bookings of these sources already is left alone. Bookings go through the booking
service under `demo_clock` (each booked two days before its day, as an agent would have), so the
capacity rule and the confirmation SMS are the real ones; runs on SQLite too (no PG-only SQL)."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from appointments.choices import AppointmentState, ServiceType, Source
from appointments.models import Appointment
from appointments.services import SlotFull, appointment_book, appointment_set_state
from appointments.sweeps import appointments_mark_arrived, appointments_mark_no_shows
from crm.choices import StaffRole
from crm.models import Staff, Store, Vehicle
from demo.context import DemoContext, demo_clock

PER_DAY = (6, 11)
DAYS = range(-3, 4)
# The sources of a booking made without a task (the reminder and win-back steps book from their calls).
SOURCES = [Source.INBOUND] * 3 + [Source.WALK_IN, Source.CALLBACK]
SERVICES = [ServiceType.MAINTENANCE] * 5 + [ServiceType.REPAIR] * 2 + [ServiceType.BODY_PAINT, ServiceType.INSURANCE]
NOTES = ["", "", "", "客户要求上午取车", "顺便检查空调", "需要代步车", "带保养券"]


def seed_appointments_demo(ctx: DemoContext) -> None:
    today = timezone.localdate()
    for store in ctx.data.get("stores") or Store.objects.order_by("code"):
        # The retention and win-back steps book from their calls; this step's bookings are the others.
        if Appointment.objects.filter(store=store, source__in=SOURCES).exists():
            continue
        with transaction.atomic():
            made = _store_week(store, random.Random(f"appointments:{store.code}"), today)
        ctx.stdout.write(f"appointments: {made} bookings at {store.code}")
    # What the import and the morning run would have done: bookings whose vehicle came that day
    # (the earlier steps' ROs) arrived; the past days' others are no-shows with a follow-up call.
    appointments_mark_arrived()
    appointments_mark_no_shows()


def _store_week(store: Store, rng: random.Random, today: dt.date) -> int:
    vehicles = list(
        Vehicle.objects.filter(store=store, owner__isnull=False, owner__store=store)
        .select_related("owner")
        .order_by("id")[:400]
    )
    advisors = list(Staff.objects.filter(store=store, role=StaffRole.SERVICE_ADVISOR, is_active=True).order_by("id"))
    if not vehicles:
        return 0
    rng.shuffle(vehicles)
    made = 0
    for offset in DAYS:
        day = today + dt.timedelta(days=offset)
        booked_at = timezone.make_aware(
            dt.datetime.combine(day - dt.timedelta(days=2), dt.time(10, rng.randint(0, 59)))
        )
        for _ in range(rng.randint(*PER_DAY)):
            if not vehicles:
                break
            vehicle = vehicles.pop()
            slot = dt.time(rng.choice([8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 16]), rng.choice([0, 30]))
            if slot < dt.time(8, 30):
                slot = dt.time(8, 30)
            with demo_clock(booked_at):
                try:
                    appointment = appointment_book(
                        customer=vehicle.owner,
                        vehicle=vehicle,
                        store=store,
                        day=day,
                        slot=slot,
                        service_type=rng.choice(SERVICES),
                        source=rng.choice(SOURCES),
                        advisor=rng.choice(advisors) if advisors and rng.random() < 0.85 else None,
                        note=rng.choice(NOTES),
                    )
                except SlotFull:
                    continue
            made += 1
            _settle(appointment, rng, offset, day)
    return made


def _at(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def _settle(appointment: Appointment, rng: random.Random, offset: int, day: dt.date) -> None:
    """Past days: most kept (arrived at their slot), some missed (left booked for the no-show run);
    a few of any day cancelled the day before."""
    if rng.random() < 0.07:
        with demo_clock(min(_at(day - dt.timedelta(days=1), dt.time(16)), timezone.now())):
            appointment_set_state(appointment=appointment, state=AppointmentState.CANCELLED, user=None)
        return
    if offset < 0 and rng.random() < 0.8:
        arrived = timezone.make_aware(dt.datetime.combine(day, appointment.slot)) + dt.timedelta(
            minutes=rng.randint(-10, 20)
        )
        with demo_clock(arrived):
            appointment_set_state(appointment=appointment, state=AppointmentState.ARRIVED, user=None)
