"""SMS gateway services: quiet hours, idempotent send, consent, delivery claims, the beat flush."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crm.sms import services
from crm.sms.backends import SmsBackendError
from crm.sms.choices import SmsStatus
from crm.sms.models import SmsMessage
from crm.sms.quiet_hours import is_quiet, next_send_time
from tests.factories import CustomerFactory

TZ = ZoneInfo("Asia/Shanghai")


def local(y, m, d, hh, mm, ss=0, us=0):
    return datetime.datetime(y, m, d, hh, mm, ss, us, tzinfo=TZ)


@pytest.mark.parametrize(
    ("at", "quiet", "sends_at"),
    [
        (local(2026, 3, 2, 20, 59, 59, 999999), False, local(2026, 3, 2, 20, 59, 59, 999999)),
        (local(2026, 3, 2, 21, 0), True, local(2026, 3, 3, 8, 0)),
        (local(2026, 3, 2, 23, 59), True, local(2026, 3, 3, 8, 0)),
        (local(2026, 3, 3, 0, 0), True, local(2026, 3, 3, 8, 0)),
        (local(2026, 3, 3, 7, 59, 59), True, local(2026, 3, 3, 8, 0)),
        (local(2026, 3, 3, 8, 0), False, local(2026, 3, 3, 8, 0)),
        # UTC input: 13:00Z is 21:00 in Shanghai
        (datetime.datetime(2026, 3, 2, 13, 0, tzinfo=datetime.UTC), True, local(2026, 3, 3, 8, 0)),
        # month end
        (local(2026, 3, 31, 22, 30), True, local(2026, 4, 1, 8, 0)),
    ],
)
def test_quiet_hours_edges(at, quiet, sends_at):
    assert is_quiet(at) is quiet
    assert next_send_time(at) == sends_at


class RecordingBackend:
    def __init__(self, fail=False):
        self.sent = []
        self.fail = fail

    def send(self, message):
        if self.fail:
            raise SmsBackendError("HTTP 500: boom")
        self.sent.append(message.pk)
        return f"gw-{message.pk}"


def _send(store, customer, key="k1", at=None, **kw):
    return services.sms_send(
        store=store,
        customer=customer,
        mobile=kw.pop("mobile", customer.mobile),
        body="测试短信",
        reason="callback_survey",
        related_key=key,
        now=at,
        **kw,
    )


def test_send_in_day_goes_on_commit(store_a, django_capture_on_commit_callbacks):
    customer = CustomerFactory(store=store_a)
    with (
        time_machine.travel(local(2026, 3, 2, 20, 59), tick=False),
        django_capture_on_commit_callbacks(execute=True) as hooks,
    ):
        msg = _send(store_a, customer)
    assert len(hooks) == 1
    msg.refresh_from_db()
    assert msg.status == SmsStatus.SENT and msg.sent_at == local(2026, 3, 2, 20, 59)
    assert msg.provider_id == f"dev-{msg.pk}"


def test_send_in_quiet_hours_waits_for_eight(store_a, django_capture_on_commit_callbacks):
    customer = CustomerFactory(store=store_a)
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        msg = _send(store_a, customer, at=local(2026, 3, 2, 21, 0))
    assert hooks == []  # nothing to send now
    assert msg.status == SmsStatus.QUEUED
    assert msg.send_after == local(2026, 3, 3, 8, 0)
    backend = RecordingBackend()
    assert services.sms_flush_queue(now=local(2026, 3, 3, 7, 59), backend=backend) == 0
    assert services.sms_flush_queue(now=local(2026, 3, 3, 8, 0), backend=backend) == 1
    msg.refresh_from_db()
    assert msg.status == SmsStatus.SENT and msg.sent_at == local(2026, 3, 3, 8, 0)


def test_send_is_idempotent_per_reason_and_key(store_a):
    customer = CustomerFactory(store=store_a)
    first = _send(store_a, customer, at=local(2026, 3, 2, 22, 0))
    second = _send(store_a, customer, at=local(2026, 3, 2, 22, 5))
    assert first.pk == second.pk
    assert SmsMessage.objects.count() == 1
    other = _send(store_a, customer, key="k2", at=local(2026, 3, 2, 22, 5))
    assert other.pk != first.pk


def test_no_consent_or_invalid_mobile_is_logged_failed_and_never_sent(store_a):
    no_sms = CustomerFactory(store=store_a, may_sms=False)
    msg = _send(store_a, no_sms, key="a", at=local(2026, 3, 2, 10, 0))
    assert msg.status == SmsStatus.FAILED and "不同意" in msg.error
    flagged = CustomerFactory(store=store_a, mobile_invalid=True)
    msg2 = _send(store_a, flagged, key="b", at=local(2026, 3, 2, 10, 0))
    assert msg2.status == SmsStatus.FAILED and "无效" in msg2.error
    bad = CustomerFactory(store=store_a)
    msg3 = _send(store_a, bad, key="c", mobile="1234", at=local(2026, 3, 2, 10, 0))
    assert msg3.status == SmsStatus.FAILED
    backend = RecordingBackend()
    assert services.sms_flush_queue(now=local(2026, 3, 3, 10, 0), backend=backend) == 0
    assert backend.sent == []


def test_beat_flush_twice_sends_once(store_a):
    customers = CustomerFactory.create_batch(3, store=store_a)
    for i, c in enumerate(customers):
        _send(store_a, c, key=f"k{i}", at=local(2026, 3, 2, 23, 0))
    backend = RecordingBackend()
    assert services.sms_flush_queue(now=local(2026, 3, 3, 8, 5), backend=backend) == 3
    assert services.sms_flush_queue(now=local(2026, 3, 3, 8, 10), backend=backend) == 0
    assert sorted(backend.sent) == sorted(SmsMessage.objects.values_list("id", flat=True))


def test_deliver_claim_lets_exactly_one_caller_send(store_a):
    msg = _send(store_a, CustomerFactory(store=store_a), at=local(2026, 3, 2, 23, 0))
    backend = RecordingBackend()
    at = local(2026, 3, 3, 9, 0)
    results = [services.sms_deliver(message_id=msg.pk, now=at, backend=backend) for _ in range(3)]
    assert results == [True, False, False]
    assert backend.sent == [msg.pk]


def test_backend_error_marks_failed_with_reason(store_a):
    msg = _send(store_a, CustomerFactory(store=store_a), at=local(2026, 3, 2, 23, 0))
    services.sms_flush_queue(now=local(2026, 3, 3, 9, 0), backend=RecordingBackend(fail=True))
    msg.refresh_from_db()
    assert msg.status == SmsStatus.FAILED and "HTTP 500" in msg.error


def test_stale_sending_is_failed_not_resent(store_a):
    msg = _send(store_a, CustomerFactory(store=store_a), at=local(2026, 3, 2, 23, 0))
    SmsMessage.objects.filter(pk=msg.pk).update(status=SmsStatus.SENDING, claimed_at=local(2026, 3, 3, 8, 0))
    backend = RecordingBackend()
    services.sms_flush_queue(now=local(2026, 3, 3, 8, 30), backend=backend)
    msg.refresh_from_db()
    assert msg.status == SmsStatus.FAILED and backend.sent == []


def test_message_due_before_nine_pm_but_picked_up_after_waits_for_morning(store_a):
    msg = _send(store_a, CustomerFactory(store=store_a), at=local(2026, 3, 2, 20, 59))
    assert msg.send_after == local(2026, 3, 2, 20, 59)
    backend = RecordingBackend()
    assert services.sms_flush_queue(now=local(2026, 3, 2, 21, 0, 30), backend=backend) == 0
    msg.refresh_from_db()
    assert msg.status == SmsStatus.QUEUED and msg.send_after == local(2026, 3, 3, 8, 0)
    assert services.sms_flush_queue(now=local(2026, 3, 3, 8, 0), backend=backend) == 1
    assert backend.sent == [msg.pk]
