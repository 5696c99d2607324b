"""Claiming the next call: SPEC §6 order, assignment, retry gap, claim expiry, concurrency."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from callbacks.choices import TaskState
from callbacks.models import CallbackTask
from callbacks.services import callback_task_claim_next
from crm.choices import Role
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_order_appointment_due_then_closing_soonest_then_oldest(store_a, agent):
    now = timezone.now()
    later = SalesTaskFactory(delivery__store=store_a, window_closes_at=now + datetime.timedelta(days=3))
    soon_old = SalesTaskFactory(delivery__store=store_a, window_closes_at=now + datetime.timedelta(days=1))
    soon_new = SalesTaskFactory(delivery__store=store_a, window_closes_at=now + datetime.timedelta(days=1))
    appointment = SalesTaskFactory(
        delivery__store=store_a,
        window_closes_at=now + datetime.timedelta(days=3),
        appointment_at=now - datetime.timedelta(minutes=5),
    )
    future_appointment = SalesTaskFactory(delivery__store=store_a, appointment_at=now + datetime.timedelta(hours=1))
    got = []
    for _ in range(5):
        task = callback_task_claim_next(user=agent, now=now)
        got.append(task)
        if task:  # the agent finishes the call before pressing "next call" again
            CallbackTask.objects.filter(pk=task.pk).update(state=TaskState.DONE)
    assert got == [appointment, soon_old, soon_new, later, None]
    assert future_appointment not in got


def test_next_call_skips_and_releases_the_held_task(store_a, agent, agent_b):
    first = SalesTaskFactory(delivery__store=store_a)
    second = SalesTaskFactory(delivery__store=store_a)
    assert callback_task_claim_next(user=agent) == first
    assert callback_task_claim_next(user=agent) == second
    first.refresh_from_db()
    assert first.claimed_by is None
    assert callback_task_claim_next(user=agent) == first


def test_skips_other_store_closed_window_and_others_assignment(store_a, store_b, agent):
    now = timezone.now()
    SalesTaskFactory(delivery__store=store_b)
    SalesTaskFactory(delivery__store=store_a, window_opens_at=now + datetime.timedelta(hours=1))
    SalesTaskFactory(delivery__store=store_a, state=TaskState.DONE)
    other = UserFactory(roles=[Role.CALLBACK_AGENT], stores=[store_a])
    SalesTaskFactory(delivery__store=store_a, assigned_to=other)
    SalesTaskFactory(delivery__store=store_a, next_attempt_at=now + datetime.timedelta(minutes=30))
    assert callback_task_claim_next(user=agent, now=now) is None
    mine = SalesTaskFactory(delivery__store=store_a, assigned_to=agent)
    assert callback_task_claim_next(user=agent, now=now) == mine


def test_claim_expires_after_idle_minutes(store_a, agent):
    other = UserFactory(roles=[Role.CALLBACK_AGENT], stores=[store_a])
    task = SalesTaskFactory(delivery__store=store_a)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert callback_task_claim_next(user=other) == task
        assert callback_task_claim_next(user=agent) is None
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert callback_task_claim_next(user=agent) is None
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        assert callback_task_claim_next(user=agent) == task
    task.refresh_from_db()
    assert task.claimed_by == agent


@pytest.mark.django_db(transaction=True)
def test_concurrent_next_call_never_hands_out_a_task_twice(store_a):
    threads_n, claims_each = 8, 50
    agents = [
        UserFactory(username=f"agent{i}", roles=[Role.CALLBACK_AGENT], stores=[store_a]) for i in range(threads_n)
    ]
    tasks = SalesTaskFactory.create_batch(threads_n * claims_each - 20, delivery__store=store_a)
    results: dict[int, list[int]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_n)

    def work(user):
        got = []
        try:
            barrier.wait()
            for _ in range(claims_each):
                task = callback_task_claim_next(user=user)
                if task is not None:
                    got.append(task.pk)
                    # The call ends before the agent presses "next call" again.
                    CallbackTask.objects.filter(pk=task.pk).update(state=TaskState.DONE)
        except BaseException as exc:  # surfaced below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            results[user.pk] = got
            connection.close()

    threads = [threading.Thread(target=work, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    claimed = [pk for got in results.values() for pk in got]
    # No task goes to two agents, and every task is handed out.
    assert len(claimed) == len(set(claimed)) == len(tasks)
    owners = dict(CallbackTask.objects.values_list("pk", "claimed_by"))
    for user_pk, got in results.items():
        assert all(owners[pk] == user_pk for pk in got)


def test_touching_the_task_one_holds_is_one_update_and_keeps_the_claim(
    store_a, agent, agent_b, django_assert_num_queries
):
    """The call page's open and heartbeat (issue 17: CPU per request): the agent who holds the task
    keeps it with one conditional UPDATE; another agent's fresh claim still refuses him."""
    from callbacks.services import callback_task_touch

    now = timezone.now()
    SalesTaskFactory(delivery__store=store_a)
    task = callback_task_claim_next(user=agent, now=now)
    later = now + datetime.timedelta(minutes=2)
    with django_assert_num_queries(1):
        assert callback_task_touch(task=task, user=agent, now=later) is True
    task.refresh_from_db()
    assert (task.claimed_by, task.claimed_at, task.last_activity_at) == (agent, later, later)
    assert callback_task_touch(task=task, user=agent_b, now=later) is False
    CallbackTask.objects.filter(pk=task.pk).update(state=TaskState.DONE)
    assert callback_task_touch(task=task, user=agent, now=later) is False
