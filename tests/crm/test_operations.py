"""Operations (issue 17 item 5): /healthz for the load balancer and the administrator's page."""

import datetime
import json
from types import SimpleNamespace
from unittest import mock

import pytest
from celery.signals import before_task_publish, heartbeat_sent
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from complaints.models import Notification
from crm.choices import ImportStatus
from crm.models import ImportJob, ServiceHeartbeat, SmsMessage
from crm.operations import heartbeats
from crm.operations.heartbeats import BEAT, heartbeat_record
from crm.sms.choices import Direction, SmsStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_write_throttle():
    heartbeats._last_write.clear()
    yield
    heartbeats._last_write.clear()


def alive(now=None):
    heartbeat_record(BEAT, now=now, force=True)
    heartbeat_record("worker:celery@w1", now=now, force=True)


def healthz(client):
    response = client.get("/healthz")
    return response.status_code, json.loads(response.content)


def test_healthz_is_200_when_all_is_alive_and_needs_no_login(client, django_assert_max_num_queries):
    alive()
    with django_assert_max_num_queries(2):  # SELECT 1, the heartbeats
        status, body = healthz(client)
    assert status == 200 and body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "broker": True,
        "beat": True,
        "workers": True,
    }
    assert body["checks"]["workers"]["alive"] == 1
    assert "w1" not in json.dumps(body)  # no host names for an unauthenticated caller


def test_healthz_is_503_when_beat_stopped_or_no_worker_ever_ran(client):
    alive(now=timezone.now() - datetime.timedelta(minutes=10))
    heartbeat_record("worker:celery@w2", force=True)
    status, body = healthz(client)
    assert status == 503 and body["status"] == "fail"
    assert body["checks"]["beat"]["ok"] is False and body["checks"]["beat"]["age_s"] >= 600
    assert body["checks"]["workers"] == {**body["checks"]["workers"], "ok": True, "alive": 1}
    ServiceHeartbeat.objects.all().delete()
    status, body = healthz(client)
    assert status == 503 and body["checks"]["workers"]["ok"] is False and body["checks"]["workers"]["age_s"] is None


def test_healthz_is_503_quickly_when_redis_is_down(client, settings):
    alive()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6399/0"  # nothing listens there
    status, body = healthz(client)
    assert status == 503 and body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ms"] < 1500


def test_healthz_is_503_when_the_database_is_down(client):
    with (
        mock.patch.object(connection, "cursor", side_effect=OperationalError("server closed the connection")),
        mock.patch.object(connection, "close"),
    ):
        status, body = healthz(client)
    assert status == 503 and body["checks"]["database"]["ok"] is False
    assert body["checks"]["beat"] == {"ok": False, "ms": 0.0, "age_s": None}


class Heart:
    """What Celery's worker passes as the sender of `heartbeat_sent`."""

    eventer = SimpleNamespace(hostname="celery@w7")


def test_worker_heartbeat_signal_and_beat_publish_record_heartbeats():
    heartbeat_sent.send(sender=Heart())
    heartbeat_sent.send(sender=Heart())  # throttled
    before_task_publish.send(sender="crm.tasks.beat_heartbeat", body=None)
    before_task_publish.send(sender="crm.tasks.import_jobs_requeue", body=None)  # not the beat's entry
    assert sorted(ServiceHeartbeat.objects.values_list("name", flat=True)) == ["beat", "worker:celery@w7"]
    assert heartbeat_record("worker:celery@w7") is False  # at most one write per 30 s per process


def test_operations_page_for_administrator_and_superuser_only(client_for, administrator, agent, cr_manager, store_a):
    old = timezone.now() - datetime.timedelta(hours=1)
    ImportJob.objects.create(
        store=store_a, file="x.xlsx", original_name="x.xlsx", status=ImportStatus.RUNNING, heartbeat_at=old
    )
    SmsMessage.objects.create(
        store=store_a,
        mobile="13912345678",
        body="b",
        direction=Direction.OUTBOUND,
        status=SmsStatus.SENDING,
        claimed_at=old,
        queued_at=old,
        send_after=old,
    )
    note = Notification.objects.create(recipient=cr_manager, kind="k", title="t", dedup_key="d", email_pending=True)
    Notification.objects.filter(pk=note.pk).update(created_at=old)
    alive()

    page = client_for(administrator).get(reverse("crm:operations"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="health-ok"' in html and "worker:celery@w1" in html
    rows = {row.label: row.count for row in page.context["stuck"]}
    assert rows["导入任务：进程中断（心跳超时）"] == 1
    assert rows["短信：发送中无结果"] == 1
    assert rows["投诉通知：邮件未发送"] == 1
    assert rows["导入任务：排队未开始"] == 0
    assert reverse("crm:operations") in client_for(administrator).get(reverse("crm:home"), follow=True).content.decode()

    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert client_for(superuser).get(reverse("crm:operations")).status_code == 200
    for user in (agent, cr_manager):
        assert client_for(user).get(reverse("crm:operations")).status_code == 403
