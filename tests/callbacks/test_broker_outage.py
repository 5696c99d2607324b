"""Redis down (issue 17 item 2): the fourth failed call is recorded once, the agent sees the queue
(not a 500 that invites a second attempt), and the fallback sweep sends the SMS survey later."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from callbacks.choices import Disposition
from callbacks.models import CallAttempt
from callbacks.tasks import callback_sms_fallback_sweep
from crm.sms.choices import SmsStatus
from crm.sms.models import SmsMessage
from tests.callbacks.factories import SalesTaskFactory
from tests.faults import broker_down

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # working hours: an SMS may go at once


def test_fourth_failed_call_with_broker_down_is_recorded_once(
    store_a, agent, client_for, django_capture_on_commit_callbacks
):
    with time_machine.travel(DAY, tick=False):
        task = SalesTaskFactory(delivery__store=store_a, delivery__customer__mobile="13912345678")
    client = client_for(agent)
    url = reverse("callbacks:call", args=[task.pk])
    for hours in range(3):
        with time_machine.travel(DAY + datetime.timedelta(hours=2 * hours), tick=False):
            assert client.post(url, {"disposition": Disposition.NO_ANSWER}).status_code == 302

    with (
        time_machine.travel(DAY + datetime.timedelta(hours=6), tick=False),
        broker_down() as refused,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url, {"disposition": Disposition.NO_ANSWER})
    assert refused == ["callbacks.tasks.callback_sms_survey_send"]
    assert response.status_code == 302 and response.url == reverse("callbacks:queue")
    assert CallAttempt.objects.filter(task=task).count() == 4
    assert not SmsMessage.objects.exists()

    with (
        time_machine.travel(DAY + datetime.timedelta(hours=6, minutes=15), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert callback_sms_fallback_sweep.delay().get() == 1
    message = SmsMessage.objects.get()
    assert message.status == SmsStatus.SENT and message.related_key == f"callback_task:{task.pk}"
