"""The CTI's call events (POST /api/v1/telephony/events/): an API client's posts only, kept to its
stores, one effect per (call, event), and the attach rule."""

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from api.choices import Scope
from api.services import api_client_create, api_client_revoke
from callbacks.services import callback_attempt_record
from crm.choices import Role
from retention.choices import OutreachKind
from retention.models import OutreachTask
from telephony.choices import Direction
from telephony.models import AgentExtension, CallEvent, CallRecord, DialRequest
from telephony.services import dial_request_create
from telephony.tasks import call_records_link_attempts
from tests.conftest import SHANGHAI
from tests.factories import CustomerFactory, UserFactory
from tests.telephony.conftest import EVENTS_URL, NOW, bearer

pytestmark = pytest.mark.django_db


def _raw_post(client, body: bytes, headers: dict):
    return client.post(EVENTS_URL, data=body, content_type="application/json", **headers)


# --- authentication: the CTI is an API client (scope cti:events), kept to its stores ----------------


def test_an_event_without_a_token_or_the_scope_is_refused(client, frozen, store_a):
    body = json.dumps({"call_id": "c1", "event": "ringing"}).encode()
    assert _raw_post(client, body, {}).status_code == 401
    assert _raw_post(client, body, bearer("not-a-token")).status_code == 401
    dms = api_client_create(name="DMS", stores=[store_a], scopes=[Scope.DMS_PUSH, Scope.LOOKUP])
    assert _raw_post(client, body, bearer(dms.token)).status_code == 403
    revoked = api_client_create(name="Old CTI", stores=[store_a], scopes=[Scope.CTI_EVENTS])
    api_client_revoke(client=revoked.client)
    assert _raw_post(client, body, bearer(revoked.token)).status_code == 401
    assert not CallEvent.objects.exists() and not CallRecord.objects.exists()


def test_every_event_is_in_the_audit_log(post_event, frozen):
    assert post_event(call_id="c1", event="ringing").status_code == 200
    entry = LogEntry.objects.get(object_repr__startswith="API POST /api/v1/telephony/events/")
    assert entry.additional_data["client"] == "CTI" and entry.additional_data["status"] == 200


def test_another_stores_cti_neither_attaches_to_nor_touches_this_stores_calls(
    client, frozen, store_a, store_b, extension, task, cti_auth
):
    """Store B's CTI: store A's dial request, customer and agent are not found for its events, and a
    call already attached to store A is unknown to it (404, nothing written)."""
    other = bearer(api_client_create(name="HF CTI", stores=[store_b], scopes=[Scope.CTI_EVENTS]).token)
    request = dial_request_create(
        user=task.claimed_by, customer=task.customer, number=task.customer.mobile, callback_task=task
    )
    body = {"call_id": "b1", "event": "ringing", "extension": "8001", "number": task.customer.mobile}
    body["client_ref"] = str(request.pk)
    assert _raw_post(client, json.dumps(body).encode(), other).status_code == 200
    record = CallRecord.objects.get(call_id="b1")
    assert (record.dial_request, record.callback_task, record.customer, record.agent) == (None, None, None, None)
    # Store A's own call, then store B's CTI posting the same call id: its own call, not A's.
    assert _raw_post(client, json.dumps({**body, "call_id": "a1"}).encode(), cti_auth).status_code == 200
    mine = CallRecord.objects.get(call_id="a1")
    assert mine.callback_task == task and mine.store == store_a
    ended = {"call_id": "a1", "event": "ended", "duration": 999}
    response = _raw_post(client, json.dumps(ended).encode(), other)
    assert response.status_code == 200 and response.json()["call"] != mine.pk
    mine.refresh_from_db()
    assert mine.ended_at is None and mine.duration_seconds in (None, 0)
    assert not CallEvent.objects.filter(call_id="a1", event="ended", reported_by=mine.reported_by).exists()


def test_another_stores_cti_cannot_touch_a_call_with_no_store(client, frozen, store_a, store_b, agent_b):
    """A call store A's CTI reported with no store yet (ringing on a queue, unknown number): store
    B's CTI answering it at its own extension neither takes it nor attaches it to store B."""
    AgentExtension.objects.create(user=agent_b, extension="8002")
    cti_a = bearer(api_client_create(name="LA CTI", stores=[store_a], scopes=[Scope.CTI_EVENTS]).token)
    cti_b = bearer(api_client_create(name="HF CTI", stores=[store_b], scopes=[Scope.CTI_EVENTS]).token)
    ringing = {"call_id": "q1", "event": "ringing", "direction": "in", "number": "13900009999"}
    assert _raw_post(client, json.dumps(ringing).encode(), cti_a).status_code == 200
    queued = CallRecord.objects.get(call_id="q1")
    assert (queued.store, queued.agent) == (None, None)
    answered = {**ringing, "event": "answered", "extension": "8002"}
    response = _raw_post(client, json.dumps(answered).encode(), cti_b)
    assert response.status_code == 200 and response.json()["call"] != queued.pk
    queued.refresh_from_db()
    assert (queued.store, queued.agent, queued.answered_at) == (None, None, None)
    assert not CallEvent.objects.filter(call_id="q1", event="answered", reported_by=queued.reported_by).exists()


def test_two_clients_with_the_same_call_id_get_two_calls(client, frozen, store_a, store_b):
    cti_a = bearer(api_client_create(name="LA CTI", stores=[store_a], scopes=[Scope.CTI_EVENTS]).token)
    cti_b = bearer(api_client_create(name="HF CTI", stores=[store_b], scopes=[Scope.CTI_EVENTS]).token)
    for headers, seconds in ((cti_a, 30), (cti_b, 90)):
        body = {"call_id": "1001", "event": "ended", "direction": "in", "number": "13900009999", "duration": seconds}
        response = _raw_post(client, json.dumps(body).encode(), headers)
        assert response.status_code == 200 and response.json()["changed"] is True
    calls = CallRecord.objects.filter(call_id="1001").order_by("duration_seconds")
    assert [c.duration_seconds for c in calls] == [30, 90]
    assert [c.reported_by.name for c in calls] == ["LA CTI", "HF CTI"]
    assert CallEvent.objects.filter(call_id="1001", event="ended").count() == 2


def test_a_call_of_a_store_taken_from_its_client_is_unknown(client, frozen, store_a, store_b, extension, task):
    created = api_client_create(name="CTI", stores=[store_a, store_b], scopes=[Scope.CTI_EVENTS])
    body = {"call_id": "s1", "event": "ringing", "extension": "8001", "number": task.customer.mobile}
    assert _raw_post(client, json.dumps(body).encode(), bearer(created.token)).status_code == 200
    assert CallRecord.objects.get(call_id="s1").store == store_a
    created.client.stores.remove(store_a)
    ended = {"call_id": "s1", "event": "ended", "duration": 60}
    assert _raw_post(client, json.dumps(ended).encode(), bearer(created.token)).status_code == 404
    assert not CallEvent.objects.filter(call_id="s1", event="ended").exists()


def test_bad_fields_are_a_400_not_a_500(post_event, frozen):
    assert post_event(call_id="", event="ringing").status_code == 400
    assert post_event(call_id="c1", event="exploded").status_code == 400
    assert post_event(call_id="c1", event="ended", duration="long").status_code == 400
    assert post_event(call_id="c1", event="ended", recording_url="file:///etc/passwd").status_code == 400
    assert not CallRecord.objects.exists()


# --- idempotency ------------------------------------------------------------------------------------


def test_the_same_event_twice_changes_nothing_the_second_time(post_event, extension, task):
    first = post_event(
        call_id="c1", event="ended", direction="out", extension="8001", number=task.customer.mobile, duration=65
    )
    again = post_event(
        call_id="c1", event="ended", direction="out", extension="8001", number=task.customer.mobile, duration=999
    )
    assert first.json()["changed"] is True
    assert again.status_code == 200 and again.json()["changed"] is False
    record = CallRecord.objects.get()
    assert record.duration_seconds == 65
    assert CallEvent.objects.filter(call_id="c1").count() == 1


def test_ringing_answered_ended_build_one_call(post_event, extension, task, frozen):
    number = task.customer.mobile
    post_event(call_id="c2", event="ringing", direction="out", extension="8001", number=number)
    frozen.shift(10)
    post_event(call_id="c2", event="answered", direction="out", extension="8001", number=number)
    frozen.shift(120)
    post_event(call_id="c2", event="ended", direction="out", extension="8001", number=number, duration=120)
    record = CallRecord.objects.get()
    assert record.started_at == NOW
    assert (record.answered_at - NOW).total_seconds() == 10
    assert record.duration_seconds == 120
    assert CallEvent.objects.filter(call_id="c2").count() == 3


# --- what a call is attached to ---------------------------------------------------------------------


def test_outbound_call_follows_its_dial_request_by_client_ref(post_event, extension, task, agent):
    request = dial_request_create(user=agent, customer=task.customer, number=task.customer.mobile, callback_task=task)
    post_event(call_id="cti-77", event="ringing", direction="out", extension="8001", client_ref=str(request.pk))
    record = CallRecord.objects.get()
    assert record.dial_request == request
    assert record.callback_task == task and record.customer == task.customer and record.store == task.store
    assert record.agent == agent


def test_outbound_call_without_ref_matches_the_latest_dial_of_that_extension_and_number(
    post_event, extension, task, agent, frozen
):
    request = dial_request_create(user=agent, customer=task.customer, number=task.customer.mobile, callback_task=task)
    DialRequest.objects.filter(pk=request.pk).update(call_id="")  # a CTI that returned no id
    frozen.shift(20)
    post_event(call_id="cti-78", event="ringing", direction="out", extension="8001", number=task.customer.mobile)
    assert CallRecord.objects.get().dial_request == request


def test_hand_dialled_call_goes_to_the_task_the_agent_holds(post_event, extension, task):
    post_event(call_id="c3", event="ringing", direction="out", extension="8001", number=task.customer.mobile)
    record = CallRecord.objects.get()
    assert record.dial_request is None
    assert record.callback_task == task


def test_hand_dialled_call_goes_to_the_held_outreach_task_when_no_callback(
    post_event, extension, agent, customer, frozen
):
    outreach = OutreachTask.objects.create(
        store=customer.store,
        kind=OutreachKind.WINBACK,
        customer=customer,
        window_opens_at=NOW,
        window_closes_at=NOW.replace(day=20),
        claimed_by=agent,
        claimed_at=NOW,
    )
    post_event(call_id="c4", event="ringing", direction="out", extension="8001", number=customer.mobile)
    record = CallRecord.objects.get()
    assert record.outreach_task == outreach and record.callback_task is None and record.customer == customer


def test_a_task_held_by_someone_else_is_not_taken(post_event, extension, task, cr_manager):
    task.claimed_by = cr_manager
    task.save(update_fields=["claimed_by"])
    post_event(call_id="c5", event="ringing", direction="out", extension="8001", number=task.customer.mobile)
    record = CallRecord.objects.get()
    assert record.callback_task is None
    assert record.customer == task.customer  # still the customer's call


def test_unknown_number_leaves_a_call_with_no_customer_at_the_agents_only_store(post_event, extension, store_a, frozen):
    post_event(call_id="c6", event="ringing", direction="in", extension="8001", number="13800000000")
    record = CallRecord.objects.get()
    assert record.customer is None
    assert record.store == store_a  # Alice belongs to store A only: its talk time counts the call


def test_unknown_number_of_an_agent_of_two_stores_has_no_store(post_event, extension, agent, store_b, frozen):
    agent.stores.add(store_b)
    post_event(call_id="c6b", event="ringing", direction="in", extension="8001", number="13800000000")
    record = CallRecord.objects.get()
    assert record.customer is None and record.store is None


@pytest.mark.parametrize("caller_id", ["+8613955501234", "008613955501234", "139 5550 1234", "+86 139 5550 1234"])
def test_the_events_number_is_normalised_before_matching(post_event, extension, customer, caller_id, frozen):
    post_event(call_id="n1", event="ringing", direction="in", extension="8001", number=caller_id)
    record = CallRecord.objects.get()
    assert record.customer == customer and record.number == "13955501234"


def test_customer_lookup_stays_in_the_agents_stores(post_event, extension, store_b, frozen):
    CustomerFactory(store=store_b, mobile="13911112222")
    post_event(call_id="c7", event="ringing", direction="in", extension="8001", number="13911112222")
    assert CallRecord.objects.get().customer is None


def test_attempt_recorded_after_the_hang_up_is_linked_by_the_sweep(post_event, extension, task, agent, frozen):
    number = task.customer.mobile
    post_event(call_id="c8", event="answered", direction="out", extension="8001", number=number)
    frozen.shift(60)
    post_event(call_id="c8", event="ended", direction="out", extension="8001", number=number, duration=60)
    assert CallRecord.objects.get().call_attempt is None
    frozen.shift(30)
    attempt = callback_attempt_record(task=task, user=agent, disposition="无人接听")
    assert call_records_link_attempts() == 1
    assert CallRecord.objects.get().call_attempt == attempt
    assert call_records_link_attempts() == 0  # twice: nothing more


def test_attempt_recorded_before_the_ended_event_is_linked_at_hang_up(post_event, extension, task, agent, frozen):
    number = task.customer.mobile
    post_event(call_id="c9", event="answered", direction="out", extension="8001", number=number)
    frozen.shift(60)
    attempt = callback_attempt_record(task=task, user=agent, disposition="无人接听")
    frozen.shift(5)
    post_event(call_id="c9", event="ended", direction="out", extension="8001", number=number, duration=0)
    assert CallRecord.objects.get().call_attempt == attempt


def test_ended_with_talk_time_but_no_answered_event_counts_as_answered(post_event, extension, task):
    post_event(
        call_id="c10", event="ended", direction="out", extension="8001", number=task.customer.mobile, duration=30
    )
    record = CallRecord.objects.get()
    assert record.answered_at is not None


# --- the inbound screen pop -------------------------------------------------------------------------


def test_inbound_answered_call_pops_the_customer_for_the_agent_who_answered(
    post_event, extension, customer, agent, client_for, frozen
):
    post_event(call_id="in1", event="ringing", direction="in", extension="8001", number=customer.mobile)
    post_event(call_id="in1", event="answered", direction="in", extension="8001", number=customer.mobile)
    record = CallRecord.objects.get()
    assert record.direction == Direction.INBOUND and record.customer == customer
    client = client_for(agent)
    pop = client.get(reverse("telephony:pop"))
    assert customer.name in pop.content.decode()
    opened = client.get(reverse("telephony:pop_open", args=[record.pk]))
    assert opened.status_code == 302 and opened["Location"] == reverse("crm:customer_detail", args=[customer.pk])
    assert customer.name not in client.get(reverse("telephony:pop")).content.decode()


def _pop_names(client_for, user) -> str:
    return client_for(user).get(reverse("telephony:pop")).content.decode()


def test_a_call_ringing_on_a_queue_pops_for_the_agent_who_answered(
    post_event, extension, customer, agent, store_a, client_for, frozen
):
    # Ringing on the queue: no extension, no agent yet. The number's customer is the only one with
    # it, in one store: the call is his.
    post_event(call_id="q1", event="ringing", direction="in", number=customer.mobile)
    record = CallRecord.objects.get()
    assert record.agent is None and record.customer == customer
    post_event(call_id="q1", event="answered", direction="in", extension="8001", number=customer.mobile)
    record.refresh_from_db()
    assert record.agent == agent and record.extension == "8001" and record.store == store_a
    assert customer.name in _pop_names(client_for, agent)


def test_a_call_ringing_at_one_extension_and_answered_at_another_pops_only_for_the_answerer(
    post_event, extension, customer, agent, store_a, client_for, frozen
):
    colleague = UserFactory(username="dora", roles=[Role.CALLBACK_AGENT], stores=[store_a])
    AgentExtension.objects.create(user=colleague, extension="8002")
    post_event(call_id="q2", event="ringing", direction="in", extension="8002", number=customer.mobile)
    assert CallRecord.objects.get().agent == colleague
    post_event(call_id="q2", event="answered", direction="in", extension="8001", number=customer.mobile)
    assert CallRecord.objects.get().agent == agent
    assert customer.name in _pop_names(client_for, agent)
    assert customer.name not in _pop_names(client_for, colleague)


def test_the_answering_agent_takes_the_task_he_holds(post_event, extension, task, agent, frozen):
    # Rang on the queue from the customer of the task Alice holds; she picks up: the call is the task's.
    post_event(call_id="q3", event="ringing", direction="in", number=task.customer.mobile)
    assert CallRecord.objects.get().callback_task is None
    post_event(call_id="q3", event="answered", direction="in", extension="8001", number=task.customer.mobile)
    record = CallRecord.objects.get()
    assert record.callback_task == task and record.customer == task.customer


def test_no_agent_and_a_number_in_two_stores_is_not_guessed(post_event, customer, store_b, frozen):
    CustomerFactory(store=store_b, mobile=customer.mobile)
    post_event(call_id="q4", event="ringing", direction="in", number=customer.mobile)
    record = CallRecord.objects.get()
    assert record.customer is None and record.store is None


def test_answered_at_an_extension_finds_the_customer_in_that_agents_stores(
    post_event, extension, customer, agent, store_b, frozen
):
    CustomerFactory(store=store_b, mobile=customer.mobile)  # ambiguous while nobody had answered
    post_event(call_id="q5", event="ringing", direction="in", number=customer.mobile)
    assert CallRecord.objects.get().customer is None
    post_event(call_id="q5", event="answered", direction="in", extension="8001", number=customer.mobile)
    assert CallRecord.objects.get().customer == customer  # Alice's store A


def test_pop_is_one_query(extension, agent, client_for, django_assert_max_num_queries, frozen):
    client = client_for(agent)
    client.get(reverse("telephony:pop"))  # session and permissions loaded once
    with django_assert_max_num_queries(4):  # session, user, permissions, the pop
        client.get(reverse("telephony:pop"))


def test_another_agent_does_not_see_the_pop(post_event, extension, customer, agent_b, client_for, frozen):
    post_event(call_id="in2", event="answered", direction="in", extension="8001", number=customer.mobile)
    assert customer.name not in client_for(agent_b).get(reverse("telephony:pop")).content.decode()
    record = CallRecord.objects.get()
    assert client_for(agent_b).get(reverse("telephony:pop_open", args=[record.pk])).status_code == 404


def test_event_time_is_unix_time(post_event, extension, task, frozen):
    at = NOW.astimezone(SHANGHAI).timestamp() - 30
    post_event(call_id="c11", event="ringing", direction="out", extension="8001", number=task.customer.mobile, at=at)
    assert (NOW - CallRecord.objects.get().started_at).total_seconds() == 30
