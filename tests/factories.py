"""Factories for every model the tests need; each app's tests add theirs here, grouped by app."""

import datetime
import random
import string

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from crm.choices import CardType, DepartmentKind, Gender, StaffRole
from crm.models import Customer, Delivery, Department, RepairOrder, RepairTeam, Staff, Store, User, Vehicle
from crm.validators import id_number_check_char, vin_check_digit

VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def make_vin(rng: random.Random | None = None) -> str:
    """A random VIN with a correct check digit (position 9)."""
    rng = rng or random
    body = [rng.choice(VIN_CHARS) for _ in range(17)]
    body[8] = "0"
    body[8] = vin_check_digit("".join(body))
    return "".join(body)


def make_id_number(birthday: datetime.date = datetime.date(1985, 6, 15), male: bool = True) -> str:
    seq = f"{random.randint(0, 49) * 2 + (1 if male else 0):03d}"[-3:]
    first17 = f"340104{birthday:%Y%m%d}{seq}"
    return first17 + id_number_check_char(first17)


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:02d}")
    name = factory.Sequence(lambda n: f"测试丰田{n}店")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("pw-12345-test")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*[Group.objects.get(name=role) for role in extracted])

    @factory.post_generation
    def stores(self, create, extracted, **kwargs):
        if create and extracted:
            self.stores.add(*extracted)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("store", "kind")

    store = factory.SubFactory(StoreFactory)
    kind = DepartmentKind.SERVICE


class RepairTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RepairTeam
        django_get_or_create = ("store", "name")

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"维修{n}组")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        django_get_or_create = ("store", "name")

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"顾问{n}")
    role = StaffRole.SALES_CONSULTANT


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    store = factory.SubFactory(StoreFactory)
    name = factory.Sequence(lambda n: f"客户{n}")
    gender = Gender.MALE
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    card_type = CardType.A


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    store = factory.SubFactory(StoreFactory)
    vin = factory.LazyFunction(make_vin)
    plate = factory.Sequence(lambda n: f"皖N{n:05d}")
    series = "卡罗拉"
    model = "卡罗拉 1.6L"
    owner = factory.SubFactory(CustomerFactory, store=factory.SelfAttribute("..store"))


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    store = factory.SubFactory(StoreFactory)
    delivery_no = factory.Sequence(lambda n: f"XS{n:06d}")
    delivered_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=8))
    customer = factory.SubFactory(CustomerFactory, store=factory.SelfAttribute("..store"))
    vehicle = factory.SubFactory(
        VehicleFactory, store=factory.SelfAttribute("..store"), owner=factory.SelfAttribute("..customer")
    )
    sales_consultant = factory.SubFactory(StaffFactory, store=factory.SelfAttribute("..store"))


class RepairOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RepairOrder

    store = factory.SubFactory(StoreFactory)
    ro_no = factory.Sequence(lambda n: f"WX{n:07d}")
    opened_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=5))
    delivered_at = factory.LazyAttribute(lambda o: o.opened_at + datetime.timedelta(hours=6))
    customer = factory.SubFactory(CustomerFactory, store=factory.SelfAttribute("..store"), card_type=CardType.C)
    vehicle = factory.SubFactory(
        VehicleFactory, store=factory.SelfAttribute("..store"), owner=factory.SelfAttribute("..customer")
    )
    service_advisor = factory.SubFactory(
        StaffFactory, store=factory.SelfAttribute("..store"), role=StaffRole.SERVICE_ADVISOR
    )


def random_plate_suffix(rng: random.Random) -> str:
    return "".join(rng.choice(string.digits) for _ in range(5))
