"""Calls the CTI reported that the agent never recorded: an unanswered call on a task gets its failed
attempt from the beat, through the one recording service (twice is once); an answered one is left to
the agent and marked 通话未登记 on the call page."""

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from callbacks.choices import Disposition
from callbacks.generation import store_callback_settings
from callbacks.models import CallAttempt, CallbackTask
from callbacks.selectors import agent_daily_report
from callbacks.services import callback_attempt_record
from crm.beat import beat_schedule_problems, beat_schedule_sync
from retention.choices import OutreachKind, OutreachResult
from retention.models import OutreachAttempt, OutreachTask
from retention.services import outreach_attempt_record
from telephony.models import CallRecord
from telephony.services import (
    UNRECORDED_NOTE,
    UNRECORDED_WINDOW,
    _record_unanswered,
    call_records_link_attempts,
    unrecorded_unanswered_calls,
)
from telephony.tasks import call_records_record_unanswered
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import CustomerFactory
from tests.telephony.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def unanswered(post_event, extension, frozen):
    """`unanswered(call_id, number)`: an outbound call that rang and ended without an answer, now."""

    def _call(call_id: str, number: str) -> CallRecord:
        post_event(call_id=call_id, event="ringing", direction="out", extension="8001", number=number)
        frozen.shift(30)
        post_event(call_id=call_id, event="ended", direction="out", extension="8001", number=number, duration=0)
        return CallRecord.objects.get(call_id=call_id)

    return _call


def _leave(task):
    """The agent left the task's page (released it: the queue's next task, or the claim went idle)."""
    type(task).objects.filter(pk=task.pk).update(claimed_by=None, claimed_at=None)


def test_the_beat_entry_is_declared_with_an_expiry_and_written():
    entry = settings.CELERY_BEAT_SCHEDULE["telephony-record-unanswered"]
    assert entry["task"] == "telephony.tasks.call_records_record_unanswered"
    assert entry["options"]["expire_seconds"] > 0
    beat_schedule_sync()
    assert [p for p in beat_schedule_problems() if p.name == "telephony-record-unanswered"] == []


def test_an_unanswered_call_the_agent_never_recorded_gets_one_no_answer_attempt(unanswered, task, agent, frozen):
    call = unanswered("u1", task.customer.mobile)
    assert call.callback_task == task
    _leave(task)
    frozen.shift(9 * 60)
    assert call_records_record_unanswered() == 0  # 9½ minutes: the agent may still record it
    frozen.shift(60)
    assert call_records_record_unanswered() == 1
    assert call_records_record_unanswered() == 0  # twice: one attempt
    attempt = CallAttempt.objects.get()
    assert (attempt.task, attempt.agent, attempt.disposition) == (task, agent, Disposition.NO_ANSWER)
    assert attempt.at == call.ended_at == NOW + dt.timedelta(seconds=30) and attempt.note == UNRECORDED_NOTE
    call.refresh_from_db()
    assert call.call_attempt == attempt
    task.refresh_from_db()
    assert task.failed_attempts == 1  # the disposition rule applied, as on the call page
    (row,) = agent_daily_report(store_ids=[task.store_id], date_from=NOW.date(), date_to=NOW.date())
    assert (row["agent_id"], row["attempts"], row["no_answer"]) == (agent.pk, 1, 1)


def test_two_unanswered_calls_share_one_attempt(unanswered, task, frozen):
    unanswered("u2", task.customer.mobile)
    frozen.shift(60)
    unanswered("u3", task.customer.mobile)
    _leave(task)
    frozen.shift(15 * 60)
    assert call_records_record_unanswered() == 1
    attempt = CallAttempt.objects.get()
    assert set(CallRecord.objects.values_list("call_attempt", flat=True)) == {attempt.pk}


def test_the_attempt_the_agent_records_is_linked_and_none_is_made(unanswered, task, agent, frozen):
    call = unanswered("u4", task.customer.mobile)
    frozen.shift(5 * 60)
    attempt = callback_attempt_record(task=task, user=agent, disposition=Disposition.POWERED_OFF)
    frozen.shift(10 * 60)
    assert call_records_record_unanswered() == 0
    call.refresh_from_db()
    assert call.call_attempt == attempt and CallAttempt.objects.count() == 1


def test_not_while_the_agent_still_holds_the_task(unanswered, task, agent, frozen):
    unanswered("u5", task.customer.mobile)
    type(task).objects.filter(pk=task.pk).update(last_activity_at=NOW + dt.timedelta(minutes=10))
    frozen.shift(12 * 60)  # the page's heartbeat two minutes ago: he is on it
    assert call_records_record_unanswered() == 0
    frozen.shift(20 * 60)  # idle past the store's 15 minutes: he left
    assert call_records_record_unanswered() == 1


def test_an_answered_call_is_left_to_the_agent_and_marked_on_the_call_page(
    post_event, extension, task, agent, client_for, frozen
):
    number = task.customer.mobile
    post_event(call_id="a1", event="answered", direction="out", extension="8001", number=number)
    frozen.shift(120)
    post_event(call_id="a1", event="ended", direction="out", extension="8001", number=number, duration=120)
    _leave(task)
    frozen.shift(30 * 60)
    assert call_records_record_unanswered() == 0 and not CallAttempt.objects.exists()
    client = client_for(agent)
    page = client.get(reverse("callbacks:call", args=[task.pk])).content.decode()
    assert 'data-testid="call-unrecorded"' in page and "通话未登记" in page
    callback_attempt_record(task=task, user=agent, disposition=Disposition.BUSY_APPOINTMENT,
                            appointment_at=NOW + dt.timedelta(days=1))  # fmt: skip
    page = client.get(reverse("callbacks:call", args=[task.pk])).content.decode()
    assert 'data-testid="call-unrecorded"' not in page  # recorded: linked or not yet, no longer marked


def test_an_unanswered_outreach_call_gets_an_unreachable_contact(unanswered, agent, customer, frozen):
    outreach = OutreachTask.objects.create(
        store=customer.store, kind=OutreachKind.WINBACK, customer=customer, window_opens_at=NOW,
        window_closes_at=NOW.replace(day=20),
    )  # fmt: skip
    type(outreach).objects.filter(pk=outreach.pk).update(claimed_by=agent, claimed_at=NOW)
    call = unanswered("o1", customer.mobile)
    assert call.outreach_task == outreach
    _leave(outreach)
    frozen.shift(11 * 60)
    assert call_records_record_unanswered() == 1
    assert call_records_record_unanswered() == 0
    contact = OutreachAttempt.objects.get()
    assert (contact.task, contact.user, contact.result) == (outreach, agent, OutreachResult.UNREACHABLE)
    call.refresh_from_db()
    outreach.refresh_from_db()
    assert call.outreach_attempt == contact and outreach.failed_attempts == 1


def test_a_task_no_longer_open_gets_nothing(unanswered, task, frozen):
    unanswered("u6", task.customer.mobile)
    type(task).objects.filter(pk=task.pk).update(state="closed_unsuccessful", claimed_by=None)
    frozen.shift(15 * 60)
    assert call_records_record_unanswered() == 0 and not CallAttempt.objects.exists()


def _holds(agent, other_task):
    """The agent is on another task's page now (a fresh claim)."""
    fresh = {"last_activity_at": NOW} if hasattr(other_task, "last_activity_at") else {}
    type(other_task).objects.filter(pk=other_task.pk).update(claimed_by=agent, claimed_at=NOW, **fresh)


def test_the_sweep_neither_takes_the_task_nor_the_agents_current_one_from_him(unanswered, task, agent, frozen):
    unanswered("c1", task.customer.mobile)
    _leave(task)
    frozen.shift(11 * 60)
    other = SalesTaskFactory(delivery__store=task.store)
    _holds(agent, other)  # he has moved on to task B
    assert call_records_record_unanswered() == 1
    other.refresh_from_db()
    task.refresh_from_db()
    assert other.claimed_by == agent  # B is still his
    assert task.claimed_by is None and task.claimed_at is None  # A is nobody's
    # The failed-attempt rules apply as on the call page: one more failure, back after the retry gap.
    gap = store_callback_settings([task.store_id])[task.store_id].retry_gap_minutes
    assert task.failed_attempts == 1
    assert task.next_attempt_at == NOW + dt.timedelta(seconds=30) + dt.timedelta(minutes=gap)


def test_the_sweeps_last_allowed_failure_sends_the_sms_survey(
    unanswered, task, agent, frozen, django_capture_on_commit_callbacks
):
    maximum = store_callback_settings([task.store_id])[task.store_id].max_failed_attempts
    type(task).objects.filter(pk=task.pk).update(failed_attempts=maximum - 1)
    unanswered("c2", task.customer.mobile)
    _leave(task)
    frozen.shift(11 * 60)
    with (
        mock.patch("callbacks.services.enqueue_on_commit") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert call_records_record_unanswered() == 1
    enqueue.assert_called_once_with("callbacks.tasks.callback_sms_survey_send", task.pk)


def test_the_outreach_sweep_leaves_the_agents_current_task_with_him(unanswered, task, agent, customer, frozen):
    outreach = OutreachTask.objects.create(
        store=customer.store, kind=OutreachKind.WINBACK, customer=customer, window_opens_at=NOW,
        window_closes_at=NOW.replace(day=20),
    )  # fmt: skip
    _leave(task)
    type(outreach).objects.filter(pk=outreach.pk).update(claimed_by=agent, claimed_at=NOW)
    unanswered("c3", customer.mobile)
    _leave(outreach)
    frozen.shift(11 * 60)
    other = OutreachTask.objects.create(
        store=customer.store, kind=OutreachKind.WINBACK, customer=CustomerFactory(store=customer.store),
        window_opens_at=NOW, window_closes_at=NOW.replace(day=20),
    )  # fmt: skip
    _holds(agent, other)
    _holds(agent, task)  # one of each kind: neither is given up
    assert call_records_record_unanswered() == 1
    for held in (other, task):
        held.refresh_from_db()
        assert held.claimed_by == agent
    outreach.refresh_from_db()
    assert outreach.claimed_by is None and outreach.failed_attempts == 1


def test_an_attempt_recorded_after_the_link_step_is_seen_under_the_lock(unanswered, task, agent, frozen):
    """The sweep's steps in order, with the agent recording between the link step and the lock:
    the locked re-read sees his attempt (the page's rule of "recorded") and makes none."""
    call = unanswered("r1", task.customer.mobile)
    _leave(task)
    frozen.shift(11 * 60)
    now = timezone.now()
    call_records_link_attempts(since=now - UNRECORDED_WINDOW)
    assert list(unrecorded_unanswered_calls(now=now)) == [call]
    mine = callback_attempt_record(task=task, user=agent, disposition=Disposition.POWERED_OFF)
    _leave(task)  # and pressed "next call": no fresh claim stops the sweep
    assert _record_unanswered(CallbackTask, task.pk, agent.pk, now) == 0
    assert list(CallAttempt.objects.all()) == [mine]
    call_records_record_unanswered()  # the next run links his attempt
    call.refresh_from_db()
    assert call.call_attempt == mine and CallAttempt.objects.count() == 1


def test_an_outreach_contact_recorded_after_the_link_step_is_seen_under_the_lock(unanswered, agent, customer, frozen):
    outreach = OutreachTask.objects.create(
        store=customer.store, kind=OutreachKind.WINBACK, customer=customer, window_opens_at=NOW,
        window_closes_at=NOW.replace(day=20),
    )  # fmt: skip
    type(outreach).objects.filter(pk=outreach.pk).update(claimed_by=agent, claimed_at=NOW)
    unanswered("r2", customer.mobile)
    _leave(outreach)
    frozen.shift(11 * 60)
    now = timezone.now()
    call_records_link_attempts(since=now - UNRECORDED_WINDOW)
    mine = outreach_attempt_record(task=outreach, user=agent, result=OutreachResult.UNREACHABLE)
    assert _record_unanswered(OutreachTask, outreach.pk, agent.pk, now) == 0
    assert list(OutreachAttempt.objects.all()) == [mine]
