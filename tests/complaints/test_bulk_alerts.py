"""The bulk path of the SLA sweep: notify_many, batched e-mail, bulk escalation, and a sweep whose
statements do not grow with its cases (the first sweep over 30,000 open cases must take seconds)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import notifications as notifications_module
from complaints import sweeps
from complaints.choices import Action
from complaints.models import Case, CaseEvent, Notification
from complaints.notifications import Message, NotificationEmailFailed, notifications_send_email, notify_many
from complaints.services import case_dispatch
from complaints.sweeps import complaints_sla_sweep
from crm.choices import Role
from tests.concurrency import run_at_once
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
RECEIVED = dt.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def managers(store_a):
    return [
        UserFactory(username=f"mgr{n}", email=f"mgr{n}@example.com", roles=[Role.CR_MANAGER], stores=[store_a])
        for n in range(3)
    ]


def _message(recipients, key, **kwargs):
    return Message(recipients=recipients, kind="sla_red", title=f"投诉 {key} 超时", dedup_key=key, **kwargs)


def test_notify_many_creates_each_once_and_emails_each_once(managers, django_capture_on_commit_callbacks):
    a, b, c = managers
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert notify_many([_message([a, b, None], "case:1:red"), _message([a.pk, c], "case:2:red")]) == 4
    assert len(callbacks) == 1  # one hook for the whole batch
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        # Existing rows are skipped, duplicates within the call count once, only the new one is e-mailed.
        assert notify_many([_message([a, b], "case:1:red"), _message([c, c], "case:3:red")]) == 1
    assert Notification.objects.count() == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["mgr0@example.com", "mgr1@example.com", "mgr0@example.com", "mgr2@example.com", "mgr2@example.com"]
    )
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_notify_many_inserts_in_chunks_and_nothing_for_nobody(managers, monkeypatch):
    monkeypatch.setattr(notifications_module, "INSERT_ROWS", 2)
    messages = [_message(managers, f"case:{n}:red") for n in range(3)]  # 9 rows
    with CaptureQueriesContext(connection) as ctx:
        assert notify_many(messages, email=False) == 9
    inserts = [q for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 5  # ceil(9 / 2)
    assert notify_many([_message([None], "case:9:red")]) == 0


def test_batched_email_claims_once_and_releases_a_failure(managers, monkeypatch):
    notify_many([_message(managers, "case:1:red")], email=False)
    ids = list(Notification.objects.values_list("id", flat=True))
    original_send = notifications_module.EmailMessage.send

    def send(self, *args, **kwargs):
        if self.to == ["mgr1@example.com"]:
            raise OSError("mailbox unavailable")
        return original_send(self, *args, **kwargs)

    monkeypatch.setattr(notifications_module.EmailMessage, "send", send)
    # The two others are sent; the failure is released and reported, for the Celery task to retry.
    with pytest.raises(NotificationEmailFailed):
        notifications_send_email(notification_ids=ids)
    assert len(mail.outbox) == 2
    with pytest.raises(NotificationEmailFailed):  # the failed one is free, but fails again
        notifications_send_email(notification_ids=ids)
    assert len(mail.outbox) == 2
    monkeypatch.setattr(notifications_module.EmailMessage, "send", original_send)
    assert notifications_send_email(notification_ids=ids) == 1  # the retry sends it
    assert notifications_send_email(notification_ids=ids) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["mgr0@example.com", "mgr1@example.com", "mgr2@example.com"]


def test_mail_server_down_leaves_every_claim_for_a_retry(managers, monkeypatch):
    notify_many([_message(managers, "case:1:red")], email=False)
    ids = list(Notification.objects.values_list("id", flat=True))

    class Down:
        def open(self):
            raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notifications_module, "get_connection", lambda: Down())
    with pytest.raises(NotificationEmailFailed):
        notifications_send_email(notification_ids=ids)
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 3
    monkeypatch.undo()
    assert notifications_send_email(notification_ids=ids) == 3


def _cases(store, n, department=None, handler=None, cr_manager=None):
    cases = []
    with time_machine.travel(RECEIVED, tick=False):
        from complaints.services import case_receive

        for i in range(n):
            customer = CustomerFactory(store=store)
            case = case_receive(
                user=None, store=store, customer=customer, channel="phone", category="fees", content=f"投诉{i}"
            )
            if department is not None:
                case = case_dispatch(case=case, user=cr_manager, department=department, handler=handler)
            cases.append(case)
    return cases


def test_escalation_at_48h_once_with_the_old_level_in_its_event(
    store_a, cr_manager, service_department, advisor, general_manager, sweep_path
):
    cases = _cases(store_a, 3, service_department, advisor, cr_manager)
    Case.objects.filter(pk=cases[1].pk).update(escalation_level=2)
    Case.objects.filter(pk=cases[2].pk).update(escalation_level=3)  # escalated by hand: alerted, not escalated
    # Feedback is due 48 h after the dispatch: nothing at 47 h.
    assert _sweep_queries(RECEIVED + dt.timedelta(hours=47))[0]["feedback_overdue"] == 0
    assert CaseEvent.objects.filter(action=Action.AUTO_ESCALATE).count() == 0

    later = RECEIVED + dt.timedelta(hours=49)
    assert _sweep_queries(later)[0]["feedback_overdue"] == 3
    assert _sweep_queries(later)[0]["feedback_overdue"] == 0
    assert set(Case.objects.values_list("escalation_level", flat=True)) == {3}
    events = CaseEvent.objects.filter(action=Action.AUTO_ESCALATE).order_by("case_id")
    assert [(e.case_id, e.at, e.changes) for e in events] == [
        (cases[0].pk, later, [{"field": "escalation_level", "old": 1, "new": 3}]),
        (cases[1].pk, later, [{"field": "escalation_level", "old": 2, "new": 3}]),
    ]
    assert Notification.objects.filter(recipient=general_manager, kind="complaint_feedback_overdue").count() == 3


def _sweep_queries(moment) -> tuple[dict, int]:
    with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as ctx:
        result = complaints_sla_sweep(now=moment)
    return result, len(ctx.captured_queries)


def test_sweep_statements_do_not_grow_with_cases(
    store_a, store_b, cr_manager, general_manager, service_department, advisor, department_manager, monkeypatch
):
    """A batch of cases costs the same statements whatever its alerts: 2 cases and 12 cases (in
    batches of 5) need the same number per batch, and every alert still goes out exactly once."""
    monkeypatch.setattr(sweeps, "BATCH_SIZE", 5)
    _cases(store_a, 2, service_department, advisor, cr_manager)
    moment = RECEIVED + dt.timedelta(hours=50)
    small, small_queries = _sweep_queries(moment)
    assert small == {"yellow": 0, "red": 2 * 2, "dispatch_overdue": 0, "feedback_overdue": 2}

    Notification.objects.all().delete()
    Case.objects.all().delete()
    _cases(store_a, 12, service_department, advisor, cr_manager)
    big, big_queries = _sweep_queries(moment)
    assert big == {"yellow": 0, "red": 12 * 2, "dispatch_overdue": 0, "feedback_overdue": 12}
    # 12 cases are 3 batches instead of 1: only a batch's savepoint, statement and release repeat.
    assert big_queries - small_queries == 2 * 3, (small_queries, big_queries)
    assert set(Case.objects.values_list("escalation_level", flat=True)) == {3}

    again, _ = _sweep_queries(moment + dt.timedelta(minutes=5))
    assert again == {"yellow": 0, "red": 0, "dispatch_overdue": 0, "feedback_overdue": 0}
    assert Notification.objects.filter(recipient=general_manager).count() == 12
    assert Notification.objects.filter(recipient=department_manager, kind="complaint_red").count() == 12


@pytest.mark.django_db(transaction=True)
def test_overlapping_sweeps_alert_and_escalate_each_case_once(
    store_a, cr_manager, general_manager, service_department, advisor, department_manager, monkeypatch
):
    """Two sweeps started together: SKIP LOCKED hands each batch of cases to one of them."""
    monkeypatch.setattr(sweeps, "BATCH_SIZE", 3)
    _cases(store_a, 10, service_department, advisor, cr_manager)
    moment = RECEIVED + dt.timedelta(hours=50)
    results = run_at_once(lambda: complaints_sla_sweep(now=moment))
    assert {kind: sum(r[kind] for r in results) for kind in results[0]} == {
        "yellow": 0,
        "red": 10 * 2,
        "dispatch_overdue": 0,
        "feedback_overdue": 10,
    }
    # (and the 10 dispatches' notifications of the handler, made before the sweeps)
    assert Notification.objects.exclude(kind="complaint_dispatched").count() == 30
    assert CaseEvent.objects.filter(action=Action.AUTO_ESCALATE).count() == 10


def test_case_pages_keep_room_for_the_sweeps_in_place_updates():
    """Half of each complaints_case page stays free, so that the sweep's marker and escalation
    writes (columns in no index) are HOT updates — see migration 0006."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [Case._meta.db_table])
        (options,) = cursor.fetchone()
    assert "fillfactor=50" in options
    indexed = {column for index in Case._meta.indexes for column in index.fields} | {
        f.name for f in Case._meta.fields if f.db_index or f.unique or f.is_relation
    }
    assert not indexed & {"escalation_level", "yellow_alerted_at", "red_alerted_at", "updated_at"}
