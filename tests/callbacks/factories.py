"""Factories for callbacks models."""

import datetime

import factory
from django.utils import timezone

from callbacks.choices import CallbackKind
from callbacks.models import CallbackTask
from tests.factories import DeliveryFactory


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
