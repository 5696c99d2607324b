"""Inbound SMS: matching to the latest outbound message, handlers, opt-out, a person's queue."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from crm.sms import registry, services
from crm.sms.choices import Direction, ReplyOutcome
from crm.sms.models import SmsMessage
from tests.factories import CustomerFactory

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


@pytest.fixture
def handler_calls():
    calls = []

    def handler(*, message, reply, score):
        calls.append((message.pk, reply.pk, score))
        return True

    registry.register_reply_handler("test_reason", handler)
    yield calls
    registry._handlers.pop("test_reason", None)


def _sent(store, customer, key, at=T0, reason="test_reason"):
    msg = services.sms_send(
        store=store,
        customer=customer,
        mobile=customer.mobile,
        body="请回复1-10分",
        reason=reason,
        related_key=key,
        now=at,
    )
    assert services.sms_deliver(message_id=msg.pk, now=at)
    msg.refresh_from_db()
    return msg


def test_reply_goes_to_the_latest_message_to_that_mobile(store_a, handler_calls):
    customer = CustomerFactory(store=store_a, mobile="13911112222")
    _sent(store_a, customer, "old", at=T0)
    latest = _sent(store_a, customer, "new", at=T0 + datetime.timedelta(hours=2))
    reply = services.sms_receive(mobile="+86 139 1111 2222", text="8", received_at=T0 + datetime.timedelta(hours=3))
    assert reply.reply_to_id == latest.pk and reply.customer_id == customer.pk and reply.store_id == store_a.pk
    assert handler_calls == [(latest.pk, reply.pk, 8)]
    assert reply.applied and reply.handled and reply.outcome == ReplyOutcome.SCORE


def test_reply_older_than_seven_days_matches_nothing_and_waits_for_a_person(store_a, handler_calls):
    customer = CustomerFactory(store=store_a, mobile="13911112222")
    _sent(store_a, customer, "k", at=T0)
    reply = services.sms_receive(mobile="13911112222", text="9", received_at=T0 + datetime.timedelta(days=7, seconds=1))
    assert reply.reply_to is None and not reply.handled and handler_calls == []
    # The customer is still found by mobile, so the person sees whose reply it is.
    assert reply.customer_id == customer.pk and reply.store_id == store_a.pk


def test_score_to_a_reason_without_handler_waits_for_a_person(store_a):
    customer = CustomerFactory(store=store_a)
    _sent(store_a, customer, "k", reason="festival")
    reply = services.sms_receive(mobile=customer.mobile, text="10", received_at=T0 + datetime.timedelta(hours=1))
    assert reply.score == 10 and not reply.handled and not reply.applied


def test_handler_declining_keeps_reply(store_a):
    registry.register_reply_handler("declines", lambda **kw: False)
    try:
        customer = CustomerFactory(store=store_a)
        _sent(store_a, customer, "k", reason="declines")
        reply = services.sms_receive(mobile=customer.mobile, text="5", received_at=T0 + datetime.timedelta(hours=1))
    finally:
        registry._handlers.pop("declines", None)
    assert reply.pk and reply.handled and not reply.applied and reply.score == 5


@pytest.mark.parametrize("text", ["TD", "td", "退订"])
def test_opt_out_withdraws_consent_of_every_file_with_that_mobile(store_a, store_b, text):
    a = CustomerFactory(store=store_a, mobile="13733334444")
    b = CustomerFactory(store=store_b, mobile="13733334444")
    other = CustomerFactory(store=store_a, mobile="13733335555")
    reply = services.sms_receive(mobile="13733334444", text=text, received_at=T0)
    assert reply.outcome == ReplyOutcome.OPT_OUT and reply.handled
    for c in (a, b, other):
        c.refresh_from_db()
    assert (a.may_sms, b.may_sms, other.may_sms) == (False, False, True)
    # And the next message to them is logged, not sent.
    msg = services.sms_send(store=store_a, customer=a, mobile=a.mobile, body="x", reason="festival", related_key="f")
    assert msg.status == "failed"


def test_provider_id_dedupes_gateway_retries(store_a):
    first = services.sms_receive(mobile="13900000000", text="你好", provider_id="gw-1", received_at=T0)
    again = services.sms_receive(mobile="13900000000", text="你好", provider_id="gw-1", received_at=T0)
    assert first.pk == again.pk
    assert SmsMessage.objects.filter(direction=Direction.INBOUND).count() == 1


def test_mark_handled_once(store_a, cr_manager):
    reply = services.sms_receive(mobile="13900000000", text="在吗", received_at=T0)
    assert services.sms_mark_handled(message=reply, user=cr_manager)
    assert not services.sms_mark_handled(message=reply, user=cr_manager)
    reply.refresh_from_db()
    assert reply.handled and reply.handled_by == cr_manager


def test_outbound_reply_text_keeps_every_reply(store_a, handler_calls):
    customer = CustomerFactory(store=store_a)
    msg = _sent(store_a, customer, "k")
    services.sms_receive(mobile=customer.mobile, text="谢谢", received_at=T0 + datetime.timedelta(minutes=5))
    services.sms_receive(mobile=customer.mobile, text="9分", received_at=T0 + datetime.timedelta(minutes=6))
    msg.refresh_from_db()
    assert msg.reply_text == "谢谢 / 9分"
    assert msg.replied_at == T0 + datetime.timedelta(minutes=6)
