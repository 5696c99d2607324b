"""Appointment test data: a customer of a store with a vehicle, and bookings through the service."""

import datetime as dt
from zoneinfo import ZoneInfo

from appointments.choices import ServiceType, Source
from appointments.models import AppointmentSettings
from appointments.services import appointment_book
from tests.factories import CustomerFactory, VehicleFactory

SH = ZoneInfo("Asia/Shanghai")
# A Monday 10:00 in Shanghai (outside SMS quiet hours); bookings go to the next days.
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SH)
TOMORROW = dt.date(2026, 12, 8)
NINE = dt.time(9, 0)


def owner_with_vehicle(store, **customer):
    customer = CustomerFactory(store=store, **customer)
    return customer, VehicleFactory(store=store, owner=customer)


def small_slots(store, capacity: int = 2) -> AppointmentSettings:
    return AppointmentSettings.objects.create(
        store=store, opens_at=dt.time(9), closes_at=dt.time(11), slot_minutes=60, capacity=capacity
    )


def booking(store, *, day=TOMORROW, slot=NINE, source=Source.INBOUND, advisor=None, customer=None, now=NOW):
    if customer is None:
        customer, vehicle = owner_with_vehicle(store)
    else:
        vehicle = customer.vehicles.first()
    return appointment_book(
        customer=customer,
        vehicle=vehicle,
        day=day,
        slot=slot,
        service_type=ServiceType.MAINTENANCE,
        source=source,
        advisor=advisor,
        now=now,
    )
