"""The queue page: its header counts (callback_queue_counts, one query whatever the size) and its list."""

import datetime

import pytest
from django.utils import timezone

from callbacks.choices import Disposition, TaskState
from callbacks.models import CallAttempt, CallbackTask
from callbacks.selectors import callback_queue, callback_queue_counts
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _done(task, *, agent, at):
    CallAttempt.objects.create(task=task, agent=agent, at=at, disposition=Disposition.SUCCESS)
    CallbackTask.objects.filter(pk=task.pk).update(state=TaskState.DONE, completed_at=at)


def test_counts_due_appointments_expiring_and_done_by_me_today(store_a, store_b, agent, django_assert_num_queries):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    colleague = UserFactory(stores=[store_a])
    SalesTaskFactory(delivery__store=store_a)  # due
    SalesTaskFactory(delivery__store=store_a, appointment_at=now - hour)  # due, an appointment
    SalesTaskFactory(delivery__store=store_a, window_closes_at=now + 2 * hour)  # due, about to expire
    SalesTaskFactory(delivery__store=store_a, assigned_to=agent)  # due, mine
    SalesTaskFactory(delivery__store=store_a, assigned_to=colleague)  # someone else's
    SalesTaskFactory(delivery__store=store_a, window_opens_at=now + hour)  # window not open yet
    SalesTaskFactory(delivery__store=store_b)  # another store
    _done(SalesTaskFactory(delivery__store=store_a), agent=agent, at=now - 0.1 * hour)  # done by me today
    _done(SalesTaskFactory(delivery__store=store_a), agent=colleague, at=now - 0.1 * hour)  # by a colleague
    _done(SalesTaskFactory(delivery__store=store_a), agent=agent, at=now - 50 * hour)  # done by me, not today

    with django_assert_num_queries(3):  # the roles and stores of the user, then the counts
        counts = callback_queue_counts(user=agent, now=now)

    assert counts == {"due_today": 4, "done_today": 1, "appointments": 1, "about_to_expire": 1}


def test_queue_page_lists_due_appointments_first_then_closing_soonest_then_oldest(store_a, agent):
    now = timezone.now()
    day = datetime.timedelta(days=1)
    later = SalesTaskFactory(delivery__store=store_a, window_closes_at=now + 3 * day)
    soon_old = SalesTaskFactory(delivery__store=store_a, window_closes_at=now + day)
    soon_new = SalesTaskFactory(delivery__store=store_a, window_closes_at=now + day)
    appointment = SalesTaskFactory(
        delivery__store=store_a, window_closes_at=now + 3 * day, appointment_at=now - datetime.timedelta(minutes=5)
    )
    SalesTaskFactory(delivery__store=store_a, appointment_at=now + datetime.timedelta(hours=1))  # not yet due
    assert callback_queue(user=agent, now=now) == [appointment, soon_old, soon_new, later]
    # The page size cuts across the steps: the appointment, then the first by closing window.
    assert callback_queue(user=agent, now=now, limit=2) == [appointment, soon_old]
    assert callback_queue(user=agent, now=now, limit=1) == [appointment]
