"""The beat entry, the Celery tasks, concurrent flushes on PostgreSQL, and the customer timeline."""

import datetime
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from config.celery import app
from crm.sms import services
from crm.sms.models import SmsMessage
from tests.concurrency import run_at_once
from tests.factories import CustomerFactory, StoreFactory

TZ = ZoneInfo("Asia/Shanghai")
NIGHT = datetime.datetime(2026, 3, 2, 23, 0, tzinfo=TZ)
MORNING = datetime.datetime(2026, 3, 3, 8, 0, tzinfo=TZ)


def test_beat_entry_and_tasks_registered():
    entry = settings.CELERY_BEAT_SCHEDULE["crm-sms-flush"]
    assert entry["task"] == "crm.sms.tasks.sms_flush_queue" and entry["options"]["expires"]
    app.loader.import_default_modules()
    assert "crm.sms.tasks.sms_flush_queue" in app.tasks
    assert "crm.sms.tasks.sms_deliver" in app.tasks


class CountingBackend:
    def __init__(self):
        self.sent = []
        self.lock = threading.Lock()

    def send(self, message):
        time.sleep(0.002)  # widen the window in which a second worker could grab the same row
        with self.lock:
            self.sent.append(message.pk)
        return ""


@pytest.mark.django_db(transaction=True)
def test_concurrent_flushes_never_send_a_message_twice():
    store = StoreFactory(code="CC")
    for i in range(60):
        c = CustomerFactory(store=store)
        services.sms_send(store=store, customer=c, mobile=c.mobile, body="x", reason="t", related_key=str(i), now=NIGHT)
    backend = CountingBackend()
    run_at_once(lambda: services.sms_flush_queue(now=MORNING, backend=backend, batch_size=7), args=[()] * 4)
    assert len(backend.sent) == 60 == len(set(backend.sent))
    assert SmsMessage.objects.filter(status="sent").count() == 60


def test_customer_timeline_shows_sms(client_for, agent, store_a):
    customer = CustomerFactory(store=store_a, mobile="13811110000")
    services.sms_send(
        store=store_a,
        customer=customer,
        mobile=customer.mobile,
        body="请回复1-10分",
        reason="callback_survey",
        related_key="t1",
        now=NIGHT,
    )
    services.sms_receive(mobile=customer.mobile, text="满意，10", received_at=MORNING)
    response = client_for(agent).get(reverse("crm:customer_detail", args=[customer.pk]))
    kinds = [e.kind for e in response.context["timeline"]]
    assert kinds.count("sms") == 2
    html = response.content.decode()
    assert "请回复1-10分" in html and "满意，10" in html and "短信回访" in html
