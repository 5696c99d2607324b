"""API fixtures: one client per store (store A's with every scope, store B's) and a caller."""

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine
from rest_framework.test import APIClient

from api.choices import Scope
from api.services import api_client_create
from complaints.choices import Category, Channel
from complaints.services import case_receive
from retention.choices import OutreachKind, ReminderChannel
from retention.models import Reminder
from tests.callbacks.factories import ServiceTaskFactory
from tests.conftest import clear_own_cache
from tests.factories import CustomerFactory, RepairOrderFactory, VehicleFactory

ALL_SCOPES = list(Scope.values)


@pytest.fixture(autouse=True)
def fresh_throttle_cache():
    """Throttle counters live in the cache (Redis): each test starts from none."""
    clear_own_cache()
    yield


@pytest.fixture
def issued_a(store_a):
    """The DMS / CTI integration of store A, holding every scope."""
    return api_client_create(name="LA DMS", stores=[store_a], scopes=ALL_SCOPES)


@pytest.fixture
def issued_b(store_b):
    """Store B's integration: the client that must never reach store A's records."""
    return api_client_create(name="HF DMS", stores=[store_b], scopes=ALL_SCOPES)


@pytest.fixture
def call():
    """`call(token)` -> a DRF test client sending `Authorization: Bearer <token>`."""

    def _client(token: str | None = None) -> APIClient:
        api = APIClient()
        if token:
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return api

    return _client


@pytest.fixture
def api_a(issued_a, call):
    return call(issued_a.token)


@pytest.fixture
def api_b(issued_b, call):
    return call(issued_b.token)


# --- a small world: in each store a customer with a vehicle, an open service callback, a
# complaint and a reminder, all in October 2026 --------------------------------------------------

WORLD_NOW = dt.datetime(2026, 10, 21, 10, 0, tzinfo=dt.UTC)


@dataclass
class StoreWorld:
    store: object
    customer: object
    vehicle: object
    task: object
    case: object
    reminder: object


def _world(store, mobile: str, plate: str) -> StoreWorld:
    customer = CustomerFactory(store=store, name="张伟", mobile=mobile)
    vehicle = VehicleFactory(store=store, owner=customer, plate=plate)
    ro = RepairOrderFactory(
        store=store,
        customer=customer,
        vehicle=vehicle,
        opened_at=dt.datetime(2026, 10, 18, 9, tzinfo=dt.UTC),
        delivered_at=dt.datetime(2026, 10, 18, 15, tzinfo=dt.UTC),
    )
    task = ServiceTaskFactory(
        repair_order=ro,
        window_opens_at=dt.datetime(2026, 10, 20, tzinfo=dt.UTC),
        window_closes_at=dt.datetime(2026, 10, 25, tzinfo=dt.UTC),
    )
    case = case_receive(
        user=None,
        store=store,
        customer=customer,
        channel=Channel.PHONE,
        category=Category.REPAIR_QUALITY,
        content="保养后发动机异响",
        received_at=dt.datetime(2026, 10, 19, 3, tzinfo=dt.UTC),
    )
    reminder = Reminder.objects.create(
        store=store,
        kind=OutreachKind.INSURANCE,
        customer=customer,
        vehicle=vehicle,
        due_on=dt.date(2026, 11, 5),
        send_on=dt.date(2026, 10, 6),
        channel=ReminderChannel.CALL,
    )
    return StoreWorld(store, customer, vehicle, task, case, reminder)


@pytest.fixture
def world_a(store_a):
    with time_machine.travel(WORLD_NOW, tick=False):
        return _world(store_a, "13955501234", "皖N12345")


@pytest.fixture
def world_b(store_b):
    """Store B's records: the same mobile (a customer of both stores), another plate."""
    with time_machine.travel(WORLD_NOW, tick=False):
        return _world(store_b, "13955501234", "皖A54321")
