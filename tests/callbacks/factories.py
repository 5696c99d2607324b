"""Factories for callbacks models."""

import datetime

import factory
from django.utils import timezone

from callbacks.choices import CallbackKind
from callbacks.models import CallbackTask, CallbackTaskRepairOrder
from tests.factories import DeliveryFactory, RepairOrderFactory


class SalesTaskFactory(factory.django.DjangoModelFactory):
    """An open sales callback task whose window is open now."""

    class Meta:
        model = CallbackTask

    delivery = factory.SubFactory(DeliveryFactory)
    store = factory.SelfAttribute("delivery.store")
    customer = factory.SelfAttribute("delivery.customer")
    vehicle = factory.SelfAttribute("delivery.vehicle")
    kind = CallbackKind.SALES
    window_opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    window_closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))


class ServiceTaskFactory(factory.django.DjangoModelFactory):
    """An open service callback task (one repair order) whose window is open now."""

    class Meta:
        model = CallbackTask
        skip_postgeneration_save = True

    repair_order = factory.SubFactory(RepairOrderFactory)
    store = factory.SelfAttribute("repair_order.store")
    customer = factory.SelfAttribute("repair_order.customer")
    vehicle = factory.SelfAttribute("repair_order.vehicle")
    kind = CallbackKind.SERVICE
    window_opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    window_closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))

    @factory.post_generation
    def link(obj, create, extracted, **kwargs):
        if create:
            CallbackTaskRepairOrder.objects.create(task=obj, repair_order=obj.repair_order)
