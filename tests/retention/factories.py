"""Reminder test helpers: a vehicle delivered (or serviced) at a store with its current owner."""

import datetime as dt

from crm.models import VehicleOwnership
from tests.factories import CustomerFactory, DeliveryFactory, RepairOrderFactory, VehicleFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def delivered_vehicle(store, *, delivered_on: dt.date, customer=None, **vehicle_fields):
    """A vehicle delivered at `store` on `delivered_on`, owned by `customer` (a new customer of the store)."""
    customer = customer or CustomerFactory(store=store)
    vehicle = VehicleFactory(store=store, owner=customer, **vehicle_fields)
    DeliveryFactory(store=store, customer=customer, vehicle=vehicle, delivered_on=delivered_on)
    VehicleOwnership.objects.create(vehicle=vehicle, customer=customer, started_on=delivered_on)
    return vehicle


def repair_order(store, vehicle, *, opened_on: dt.date, mileage_km: int | None = None):
    opened_at = dt.datetime.combine(opened_on, dt.time(9, 30), SHANGHAI)
    return RepairOrderFactory(
        store=store,
        vehicle=vehicle,
        customer=vehicle.owner,
        opened_at=opened_at,
        delivered_at=opened_at + dt.timedelta(hours=5),
        mileage_km=mileage_km,
    )
