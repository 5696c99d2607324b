"""add_store and seed_demo: idempotent, and seed_demo gives later steps what they need."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from crm.choices import CardType, DepartmentKind, Role
from crm.models import (
    Customer,
    Delivery,
    Department,
    RepairOrder,
    SmsMessage,
    Staff,
    Store,
    User,
    Vehicle,
    VehicleOwnership,
)
from crm.validators import is_valid_id_number, is_valid_landline, is_valid_mobile, is_valid_plate, is_valid_vin

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_add_store_creates_store_and_six_departments_once():
    assert "created store LA 六安鑫宝丰田" in run("add_store", "LA", "六安鑫宝丰田")
    assert "exists" in run("add_store", "LA", "六安鑫宝丰田")
    store = Store.objects.get(code="LA")
    assert Store.objects.count() == 1
    assert set(Department.objects.filter(store=store).values_list("kind", flat=True)) == set(DepartmentKind.values)
    assert Department.objects.count() == 6


def test_add_store_again_with_a_new_name_renames_it():
    run("add_store", "HF", "合肥丰田")
    run("add_store", "HF", "合肥鑫宝丰田")
    assert Store.objects.get(code="HF").name == "合肥鑫宝丰田"
    assert Department.objects.count() == 6


def counts() -> dict[str, int]:
    models = [Store, Department, Staff, User, Customer, Vehicle, VehicleOwnership, Delivery, RepairOrder, SmsMessage]
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """seed_demo twice on one database (module-scoped: it is the slowest fixture here)."""
    # One outer transaction rolled back at the end: every app's demo step (callbacks, complaints, ...)
    # adds rows that PROTECT crm's, so deleting model by model cannot clean up; a rollback can.
    with django_db_blocker.unblock(), transaction.atomic():
        first = run("seed_demo")
        after_first = counts()
        second = run("seed_demo")
        after_second = counts()
        yield first, second, after_first, after_second
        transaction.set_rollback(True)


def test_seed_demo_is_idempotent(demo_output):
    _first, _second, after_first, after_second = demo_output
    assert after_first == after_second
    assert after_first["Store"] == 2
    assert after_first["Department"] == 12
    assert 18 <= after_first["Staff"] <= 24
    assert 1900 <= after_first["Customer"] <= 2000
    assert after_first["Delivery"] > 300
    assert after_first["RepairOrder"] > 1000
    assert after_first["SmsMessage"] >= 18


def test_seed_demo_prints_one_working_login_per_role(demo_output):
    first, second, *_ = demo_output
    for role in Role:
        user = User.objects.get(groups__name=role)
        assert f"{user.username:<14} demo12345" in first
        assert f"{user.username:<14} demo12345" in second
        assert user.check_password("demo12345")


def test_seed_demo_data_is_valid_and_realistic(demo_output):
    customers = list(Customer.objects.all())
    assert all(is_valid_mobile(c.mobile) for c in customers)
    assert all(is_valid_id_number(c.id_number) for c in customers if c.id_number)
    assert all(is_valid_landline(c.landline) for c in customers if c.landline)
    assert sum(1 for c in customers if c.landline) > 50
    assert all(2 <= len(c.name) <= 4 for c in customers)
    vehicles = list(Vehicle.objects.all())
    assert all(is_valid_vin(v.vin) for v in vehicles)
    assert all(is_valid_plate(v.plate) for v in vehicles if v.plate)
    assert {v.series for v in vehicles} >= {"卡罗拉", "威驰", "RAV4", "皇冠", "普拉多"}
    # A card until the first repair order, C card after it (derived by crm.services).
    c_cards = set(Customer.objects.filter(card_type=CardType.C).values_list("pk", flat=True))
    with_ro = set(RepairOrder.objects.values_list("customer_id", flat=True))
    assert c_cards == with_ro
    assert Customer.objects.filter(card_type=CardType.A).exists()


def test_seed_demo_dates_are_the_last_three_months(demo_output):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    first_day = min(Delivery.objects.values_list("delivered_on", flat=True))
    assert today - datetime.timedelta(days=91) <= first_day
    assert max(Delivery.objects.values_list("delivered_on", flat=True)) <= today
    recent = RepairOrder.objects.filter(opened_at__gte=timezone.now() - datetime.timedelta(days=92))
    assert recent.count() > RepairOrder.objects.count() / 2


def test_seed_demo_gives_later_steps_what_they_need():
    import random

    from crm.demo import DemoContext
    from crm.demo_data import seed_crm_demo

    ctx = DemoContext(rng=random.Random(1), stdout=io.StringIO())
    seed_crm_demo(ctx)
    assert {s.code for s in ctx.data["stores"]} == {"LA", "HF"}
    assert set(ctx.data["users"]) == set(Role.values)
    assert ctx.data["customers"].count() > 0
    assert ctx.data["staff"]
