"""Issue 10 leftovers on the outreach side: the queue header counts outreach calls, one recording
path and one outcome table for the queue's call page and the win-back page, the outreach permission
on next call and claim, and no reminder call recorded after its window."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from retention import services
from retention.choices import FOLLOW_UP_DAYS, OUTCOMES, Outcome, OutreachState
from retention.choices import OutreachKind as K
from retention.choices import OutreachResult as R
from retention.models import OutreachTask
from retention.queue import outreach_queue_counts, outreach_queue_rows
from tests.factories import CustomerFactory, UserFactory
from tests.retention.factories import SHANGHAI
from tests.winback.factories import customer_with_ro, local
from winback import services as winback_services
from winback.models import WinbackEntry
from winback.services import winback_scan

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def open_task(store, kind=K.FIRST_SERVICE, *, closes=NOW + dt.timedelta(days=5), **kw):
    task, _created = services.outreach_task_open(
        store=store,
        kind=kind,
        customer=CustomerFactory(store=store),
        window_opens_at=NOW - dt.timedelta(days=2),
        window_closes_at=closes,
        **kw,
    )
    return task


def test_queue_header_counts_outreach_calls(store_a, store_b, agent, client_for, django_assert_num_queries):
    open_task(store_a)
    open_task(store_a, closes=NOW + dt.timedelta(hours=3))  # about to expire
    open_task(store_b)  # another store
    done = open_task(store_a)
    services.outreach_attempt_record(task=done, user=agent, result=R.REMINDED)
    # The roles and stores of the user (cached on the page's user), then the counts: one query.
    with django_assert_num_queries(3):
        counts = outreach_queue_counts(user=agent, now=NOW)
    assert counts == {"due_today": 2, "about_to_expire": 1, "done_today": 1}
    page = client_for(agent).get(reverse("callbacks:queue")).content.decode()
    assert 'id="count-due">2<' in page and 'id="count-done">1<' in page


def test_the_header_count_and_the_queue_rows_take_one_due_rule(store_a, agent):
    """Due (retention.services.outreach_due_q) for the header's count and the queue's rows alike;
    only a fresh claim by another agent keeps a due task out of the rows (not out of the count)."""
    other = UserFactory(username="bob", stores=[store_a])
    tasks = {}
    for name, change in {
        "due": {},
        "retry_over": {"next_attempt_at": NOW},
        "held_by_other": {"claimed_by": other, "claimed_at": NOW},
        "retry_pending": {"next_attempt_at": NOW + dt.timedelta(minutes=1)},
        "not_yet_open": {"window_opens_at": NOW + dt.timedelta(minutes=1)},
        "closed_window": {"window_closes_at": NOW - dt.timedelta(minutes=1)},
        "others_call": {"assigned_to": other},
        "done": {"state": OutreachState.DONE},
    }.items():
        tasks[name] = open_task(store_a).pk
        OutreachTask.objects.filter(pk=tasks[name]).update(**change)
    due = OutreachTask.objects.filter(services.outreach_due_q(user=agent, now=NOW))
    assert set(due.values_list("id", flat=True)) == {tasks["due"], tasks["retry_over"], tasks["held_by_other"]}
    assert outreach_queue_counts(user=agent, now=NOW)["due_today"] == due.count()
    assert {row["id"] for row in outreach_queue_rows(user=agent, now=NOW)} == {tasks["due"], tasks["retry_over"]}


def test_the_outcome_table_is_one_and_interested_is_a_follow_up_on_both_pages(store_a, agent):
    assert OUTCOMES[R.INTERESTED] == Outcome.FOLLOW_UP and OUTCOMES[R.UNREACHABLE] == Outcome.RETRY
    assert {r for r, o in OUTCOMES.items() if o == Outcome.FINAL} == set(R.values) - {R.INTERESTED, R.UNREACHABLE}
    queue_task = open_task(store_a, K.WINBACK)
    services.outreach_attempt_record(task=queue_task, user=agent, result=R.INTERESTED)
    customer = customer_with_ro(store_a, local(dt.date(2025, 10, 1)))
    winback_scan(on=dt.date(2026, 12, 1))
    entry = WinbackEntry.objects.get(customer=customer)
    winback_services.winback_contact_record(entry=entry, user=agent, result=R.INTERESTED)
    for task in (queue_task, entry.task):
        task.refresh_from_db()
        assert (task.state, task.result, task.failed_attempts) == (OutreachState.OPEN, R.INTERESTED, 0)
        assert task.next_attempt_at == NOW + dt.timedelta(days=FOLLOW_UP_DAYS)


def test_the_winback_page_records_through_retentions_one_path(store_a, agent, monkeypatch):
    customer = customer_with_ro(store_a, local(dt.date(2025, 10, 1)))
    winback_scan(on=dt.date(2026, 12, 1))
    entry = WinbackEntry.objects.get(customer=customer)
    calls = []
    real = services.outreach_attempt_record

    def spy(**kwargs):
        calls.append(kwargs["result"])
        return real(**kwargs)

    monkeypatch.setattr(winback_services, "outreach_attempt_record", spy)
    winback_services.winback_contact_record(entry=entry, user=agent, result=R.SOLD)
    assert calls == [R.SOLD]
    assert entry.task.attempts.get().reason_category == "sold"
    # A call on the finished task is refused; an SMS contact may still be logged.
    with pytest.raises(ValidationError):
        winback_services.winback_contact_record(entry=entry, user=agent, result=R.BOOKED, booked_on=NOW.date())
    winback_services.winback_contact_record(entry=entry, user=agent, result=R.UNREACHABLE, channel="sms")
    entry.task.refresh_from_db()
    assert (entry.task.state, entry.task.result, entry.task.attempts.count()) == (OutreachState.DONE, R.SOLD, 2)


def test_next_call_and_claim_need_the_outreach_permission(store_a, client_for):
    task = open_task(store_a)
    caller = UserFactory(stores=[store_a])
    caller.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="callbacks", codename__in=["view_callbacktask", "add_callattempt"]
        ),
        Permission.objects.get(content_type__app_label="retention", codename="view_outreachtask"),
    )
    with pytest.raises(PermissionDenied):
        services.outreach_task_claim_next(user=caller)
    response = client_for(caller).post(reverse("callbacks:next_call"), {"kind": K.FIRST_SERVICE})
    assert response.url == reverse("callbacks:queue")
    task.refresh_from_db()
    assert task.claimed_by is None


def test_a_reminder_call_is_refused_after_its_window(store_a, agent, client_for):
    task = open_task(store_a, closes=NOW - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="联系期限"):
        services.outreach_attempt_record(task=task, user=agent, result=R.REMINDED)
    page = client_for(agent).post(reverse("retention:call", args=[task.pk]), {"result": R.REMINDED})
    assert "联系期限" in page.content.decode()
    task.refresh_from_db()
    assert (task.state, task.attempts.count()) == (OutreachState.OPEN, 0)
