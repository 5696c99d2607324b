"""Win-back test helpers: customers with visits at given local times, and entries."""

import datetime as dt
from zoneinfo import ZoneInfo

from crm.choices import StaffRole
from crm.models import Customer
from crm.services import customer_refresh_cards
from tests.factories import CustomerFactory, DeliveryFactory, RepairOrderFactory, StaffFactory, VehicleFactory

SH = ZoneInfo("Asia/Shanghai")


def local(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), SH)


def customer_with_ro(store, opened: dt.datetime, *, advisor=None, **customer):
    """A customer whose only visit is one repair order opened at `opened`."""
    person = CustomerFactory(store=store, **customer)
    vehicle = VehicleFactory(store=store, owner=person)
    advisor = advisor or StaffFactory(store=store, role=StaffRole.SERVICE_ADVISOR)
    RepairOrderFactory(store=store, customer=person, vehicle=vehicle, opened_at=opened, service_advisor=advisor)
    return refreshed(person)


def refreshed(customer):
    """The customer's card as the DMS import leaves it (card type, stored last visit)."""
    customer_refresh_cards(customers=Customer.objects.filter(pk=customer.pk))
    customer.refresh_from_db()
    return customer


def customer_with_delivery(store, delivered_on: dt.date, **customer):
    person = CustomerFactory(store=store, **customer)
    DeliveryFactory(store=store, customer=person, delivered_on=delivered_on)
    return person


def add_ro(customer, opened: dt.datetime):
    vehicle = customer.vehicles.first() or VehicleFactory(store=customer.store, owner=customer)
    ro = RepairOrderFactory(
        store=customer.store,
        customer=customer,
        vehicle=vehicle,
        opened_at=opened,
        service_advisor=StaffFactory(store=customer.store, role=StaffRole.SERVICE_ADVISOR),
    )
    refreshed(customer)
    return ro
