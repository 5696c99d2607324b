"""Two posts of a call racing (a CTI retry on a slow answer, ringing and answered at once): one call,
one row per event, no error."""

import pytest

from telephony.models import AgentExtension, CallEvent, CallRecord
from telephony.services import call_event_ingest
from tests.concurrency import run_at_once
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_event_twice_at_once_is_applied_once(agent, store_a):
    AgentExtension.objects.create(user=agent, extension="8001")
    customer = CustomerFactory(store=store_a)
    payload = {"call_id": "race-1", "event": "ended", "extension": "8001", "number": customer.mobile, "duration": 30}
    results = run_at_once(lambda: call_event_ingest(payload=payload)[1], args=[(), ()])
    assert sorted(results) == [False, True]
    assert CallRecord.objects.count() == 1 and CallEvent.objects.count() == 1
    assert CallRecord.objects.get().duration_seconds == 30


def test_two_first_events_of_a_call_at_once_make_one_call(agent, store_a):
    AgentExtension.objects.create(user=agent, extension="8001")
    customer = CustomerFactory(store=store_a)
    base = {"call_id": "race-2", "direction": "in", "extension": "8001", "number": customer.mobile}
    results = run_at_once(
        lambda event: call_event_ingest(payload={**base, "event": event})[1], args=[("ringing",), ("answered",)]
    )
    assert results == [True, True]
    record = CallRecord.objects.get()
    assert record.answered_at is not None and record.customer == customer
    assert CallEvent.objects.filter(call_id="race-2").count() == 2
