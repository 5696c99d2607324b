"""Beat tasks: nightly generation catches what an import missed; expiry is safe to repeat."""

import datetime

import pytest
from django.utils import timezone

from callbacks import tasks
from callbacks.choices import TaskState
from callbacks.models import CallbackTask
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import DeliveryFactory

pytestmark = pytest.mark.django_db


def test_nightly_generation_catches_recent_sources_only(store_a):
    recent = DeliveryFactory(store=store_a, delivered_on=timezone.localdate() - datetime.timedelta(days=3))
    old = DeliveryFactory(store=store_a, delivered_on=timezone.localdate() - datetime.timedelta(days=60))
    tasks.callback_tasks_generate_nightly.delay()
    tasks.callback_tasks_generate_nightly.delay()
    assert CallbackTask.objects.filter(delivery=recent).count() == 1
    assert not CallbackTask.objects.filter(delivery=old).exists()


def test_expiry_task_closes_ended_windows(store_a):
    task = SalesTaskFactory(delivery__store=store_a, window_closes_at=timezone.now() - datetime.timedelta(hours=1))
    assert tasks.callback_tasks_expire.delay().get() == 1
    task.refresh_from_db()
    assert task.state == TaskState.CLOSED_UNSUCCESSFUL and task.final_disposition == "未回访"
