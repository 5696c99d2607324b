"""The customer's mood on a call (seed 004 2-6: record the customer's 喜怒哀乐 with their words): chosen
on the call page, stored on the attempt, shown on the customer's timeline."""

import pytest
from django.urls import reverse

from callbacks.choices import Mood
from callbacks.models import CallAttempt
from surveys.selectors import template_current_version
from tests.callbacks.factories import SalesTaskFactory

pytestmark = pytest.mark.django_db


def test_the_agent_records_the_customers_mood_and_the_timeline_shows_it(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    client = client_for(agent)
    page = client.get(reverse("callbacks:call", args=[task.pk]))
    assert 'name="mood"' in page.content.decode()
    version = template_current_version(kind="sales")
    data = {"disposition": "成功", "version": version.pk, "q_Q0": "3", "q_Q11": "等了2个小时", "mood": Mood.ANGRY}
    client.post(reverse("callbacks:call", args=[task.pk]), data)
    attempt = CallAttempt.objects.get(task=task)
    assert attempt.mood == Mood.ANGRY
    timeline = client.get(reverse("crm:customer_detail", args=[task.customer_id])).content.decode()
    assert "客户心情：生气（怒）" in timeline


def test_a_mood_is_optional_and_an_unknown_one_refused(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    client = client_for(agent)
    client.post(reverse("callbacks:call", args=[task.pk]), {"disposition": "无人接听", "mood": "bored"})
    assert not CallAttempt.objects.filter(task=task).exists()  # the form refused the unknown mood
    client.post(reverse("callbacks:call", args=[task.pk]), {"disposition": "无人接听"})
    assert CallAttempt.objects.get(task=task).mood == ""
