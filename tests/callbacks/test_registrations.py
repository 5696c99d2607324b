"""Timeline provider and seed_demo step."""

import io
import random

import pytest

from callbacks.choices import Disposition
from callbacks.models import CallAttempt, CallbackTask
from callbacks.services import callback_attempt_record
from callbacks.timeline import callback_timeline_entries
from crm.timeline import customer_timeline
from demo.context import DemoContext
from demo.steps import demo_steps
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import DeliveryFactory, RepairOrderFactory

pytestmark = pytest.mark.django_db


def test_timeline_shows_callbacks_in_fixed_queries(store_a, agent, django_assert_max_num_queries):
    task = SalesTaskFactory(delivery__store=store_a)
    for d in (Disposition.NO_ANSWER, Disposition.BUSY_LINE, Disposition.POWERED_OFF):
        callback_attempt_record(task=task, user=agent, disposition=d)
    with django_assert_max_num_queries(1):
        entries = list(callback_timeline_entries(task.customer))
    assert set(entries) == {e for e in customer_timeline(task.customer) if e.kind == "callback"}
    assert len(entries) == 3 and "关机" in {e.title.split("：")[1] for e in entries}


def test_demo_step_is_idempotent(store_a):
    DeliveryFactory.create_batch(5, store=store_a)
    RepairOrderFactory.create_batch(5, store=store_a)
    step = next(s for s in demo_steps() if s.name == "callbacks")
    step.run(DemoContext(rng=random.Random(1), stdout=io.StringIO()))
    counts = (CallbackTask.objects.count(), CallAttempt.objects.count())
    step.run(DemoContext(rng=random.Random(1), stdout=io.StringIO()))
    assert counts[0] == 10
    assert (CallbackTask.objects.count(), CallAttempt.objects.count()) == counts
