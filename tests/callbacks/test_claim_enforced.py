"""One agent holds one task, and a call is recorded only by the agent who holds it (issue 12 item 5,
issue 17 item 3)."""

import datetime

import psycopg
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.urls import reverse

from callbacks import services
from callbacks.choices import Disposition, TaskState
from callbacks.models import CallAttempt, CallbackTask
from callbacks.services import (
    ClaimBusy,
    TaskHeldByOther,
    callback_attempt_record,
    callback_task_claim_next,
    callback_task_touch,
)
from crm.choices import Role
from tests.callbacks.factories import SalesTaskFactory
from tests.concurrency import run_at_once
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC)  # 18:00 in Shanghai


@pytest.fixture
def colleague(store_a):
    return UserFactory(username="dave", display_name="Dave", roles=[Role.CALLBACK_AGENT], stores=[store_a])


# --- one agent, two tabs -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_next_call_presses_by_one_agent_leave_one_task_held(store_a, agent):
    SalesTaskFactory.create_batch(12, delivery__store=store_a)
    presses = 8
    results = run_at_once(lambda: callback_task_claim_next(user=agent), [()] * presses)
    assert len(results) == presses and all(task is not None for task in results)
    assert CallbackTask.objects.filter(claimed_by=agent).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_touches_of_two_tasks_by_one_agent_leave_one_held(store_a, agent):
    tasks = SalesTaskFactory.create_batch(6, delivery__store=store_a)
    results = run_at_once(lambda t: callback_task_touch(task=t, user=agent), [(t,) for t in tasks])
    assert all(results)
    assert CallbackTask.objects.filter(claimed_by=agent).count() == 1


def test_opening_another_task_gives_up_the_one_held(store_a, agent):
    first, second = SalesTaskFactory.create_batch(2, delivery__store=store_a)
    assert callback_task_claim_next(user=agent) == first
    assert callback_task_touch(task=second, user=agent)
    assert list(CallbackTask.objects.filter(claimed_by=agent)) == [second]


def _deadlock() -> OperationalError:
    exc = OperationalError("deadlock detected")
    exc.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    return exc


def test_a_deadlock_is_retried(store_a, agent, monkeypatch):
    task = SalesTaskFactory(delivery__store=store_a)
    real, calls = services._claim_next, []

    def once_deadlocked(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise _deadlock()
        return real(**kwargs)

    monkeypatch.setattr(services, "_claim_next", once_deadlocked)
    assert callback_task_claim_next(user=agent) == task
    assert len(calls) == 2


def test_a_press_that_keeps_deadlocking_gets_a_message_not_a_500(store_a, agent, client_for, monkeypatch):
    SalesTaskFactory(delivery__store=store_a)

    def always_deadlocked(**kwargs):
        raise _deadlock()

    monkeypatch.setattr(services, "_claim_next", always_deadlocked)
    with pytest.raises(ClaimBusy):
        callback_task_claim_next(user=agent)
    response = client_for(agent).post(reverse("callbacks:next_call"), follow=True)
    assert response.status_code == 200
    assert "系统繁忙" in response.content.decode()


def test_other_operational_errors_are_not_swallowed(store_a, agent, monkeypatch):
    def broken(**kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(services, "_claim_next", broken)
    with pytest.raises(OperationalError):
        callback_task_claim_next(user=agent)


# --- the claim is enforced when a disposition is written -----------------------------------------


def test_recording_on_a_task_another_agent_holds_is_refused(store_a, agent, colleague):
    with time_machine.travel(START, tick=False) as clock:
        task = SalesTaskFactory(delivery__store=store_a)
        assert callback_task_claim_next(user=colleague) == task
        clock.shift(datetime.timedelta(minutes=14))
        with pytest.raises(TaskHeldByOther, match="Dave"):
            callback_attempt_record(task=task, user=agent, disposition=Disposition.NO_ANSWER)
    assert not CallAttempt.objects.exists()
    task.refresh_from_db()
    assert task.claimed_by == colleague and task.failed_attempts == 0


def test_an_idle_claim_is_taken_over_after_the_timeout(store_a, agent, colleague):
    with time_machine.travel(START, tick=False) as clock:
        task = SalesTaskFactory(delivery__store=store_a)
        callback_task_claim_next(user=colleague)
        clock.shift(datetime.timedelta(minutes=16))
        attempt = callback_attempt_record(task=task, user=agent, disposition=Disposition.NO_ANSWER)
    assert attempt.agent == agent
    task.refresh_from_db()
    assert task.claimed_by == agent


def test_an_unclaimed_task_is_taken_by_the_recorder(store_a, agent):
    task = SalesTaskFactory(delivery__store=store_a)
    callback_attempt_record(task=task, user=agent, disposition=Disposition.NO_ANSWER)
    assert CallAttempt.objects.filter(task=task, agent=agent).count() == 1


def test_an_sms_reply_entered_by_a_manager_is_not_a_call(store_a, agent, cr_manager):
    """The claim guards calls; an SMS reply (SPEC §6) comes from the customer, not from a call page."""
    task = SalesTaskFactory(delivery__store=store_a)
    callback_task_claim_next(user=agent)
    callback_attempt_record(task=task, user=cr_manager, disposition=Disposition.SMS_REPLY, answers={"overall": "9"})
    task.refresh_from_db()
    assert task.state == TaskState.DONE


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("disposition", [Disposition.NO_ANSWER, Disposition.SUCCESS])
def test_two_agents_posting_dispositions_at_once_store_one(store_a, agent, colleague, disposition):
    """Two call pages open on one task (a shared link): whoever is first records, the other is refused."""
    task = SalesTaskFactory(delivery__store=store_a)
    answers = {"overall": "9"} if disposition == Disposition.SUCCESS else None

    def post(user):
        try:
            callback_attempt_record(task=task, user=user, disposition=disposition, answers=answers)
        except TaskHeldByOther:
            return "refused-held"
        except ValidationError:
            return "refused-ended"
        return "stored"

    for _ in range(5):
        CallAttempt.objects.all().delete()
        CallbackTask.objects.filter(pk=task.pk).update(
            state=TaskState.OPEN, claimed_by=None, claimed_at=None, failed_attempts=0, response=None
        )
        results = run_at_once(post, [(agent,), (colleague,)])
        assert sorted(results)[-1] == "stored" and results.count("stored") == 1
        assert CallAttempt.objects.filter(task=task).count() == 1


# --- the call page -------------------------------------------------------------------------------


def test_call_page_of_a_task_held_by_another_is_read_only_with_a_banner(store_a, agent, colleague, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    callback_task_claim_next(user=colleague)
    body = client_for(agent).get(reverse("callbacks:call", args=[task.pk])).content.decode()
    assert 'id="held-by-other"' in body and "Dave 正在回访该任务" in body
    assert '<fieldset class="card-body" disabled>' in body
    task.refresh_from_db()
    assert task.claimed_by == colleague


def test_call_page_of_a_free_task_is_editable(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    body = client_for(agent).get(reverse("callbacks:call", args=[task.pk])).content.decode()
    assert 'id="held-by-other"' not in body and '<fieldset class="card-body">' in body
    task.refresh_from_db()
    assert task.claimed_by == agent


def test_posting_a_disposition_on_a_task_held_by_another_shows_the_message(store_a, agent, colleague, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    callback_task_claim_next(user=colleague)
    response = client_for(agent).post(reverse("callbacks:call", args=[task.pk]), {"disposition": "无人接听"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "该任务正由 Dave 回访，不能记录" in body and 'id="held-by-other"' in body
    assert not CallAttempt.objects.exists()


def test_recording_a_call_on_another_task_gives_up_the_one_held(store_a, agent):
    first, second = SalesTaskFactory.create_batch(2, delivery__store=store_a)
    assert callback_task_claim_next(user=agent) == first
    callback_attempt_record(task=second, user=agent, disposition=Disposition.NO_ANSWER)
    assert list(CallbackTask.objects.filter(claimed_by=agent)) == [second]
