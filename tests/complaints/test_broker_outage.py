"""Redis down (issue 17 item 2): the SLA sweep's notifications are saved, their e-mails stay
pending, and the e-mail sweep sends each once when the broker is back."""

import datetime as dt

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail

from complaints.models import Notification
from complaints.notifications import notify
from complaints.tasks import notifications_email_pending, sla_sweep
from tests.faults import broker_down

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
RECEIVED = dt.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sweep_path")]


def test_sla_sweep_with_broker_down_emails_later_once(make_case, cr_manager, django_capture_on_commit_callbacks):
    cr_manager.email = "carol@example.com"
    cr_manager.save(update_fields=["email"])
    with time_machine.travel(RECEIVED, tick=False):
        make_case()
    with time_machine.travel(RECEIVED + dt.timedelta(minutes=31), tick=False):
        with broker_down() as refused, django_capture_on_commit_callbacks(execute=True):
            assert sla_sweep()["dispatch_overdue"] == 1
        assert refused == ["complaints.notifications_email"]
    note = Notification.objects.get(recipient=cr_manager)
    assert note.email_pending and note.emailed_at is None and mail.outbox == []

    with time_machine.travel(RECEIVED + dt.timedelta(minutes=35), tick=False):
        assert notifications_email_pending.delay().get() == 1
        assert notifications_email_pending.delay().get() == 0
    note.refresh_from_db()
    assert not note.email_pending and note.emailed_at is not None
    assert [m.to for m in mail.outbox] == [["carol@example.com"]]


def test_pending_email_of_a_recipient_without_address_is_settled(cr_manager, django_capture_on_commit_callbacks):
    with time_machine.travel(RECEIVED, tick=False), broker_down(), django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[cr_manager], kind="k", title="t", dedup_key="d")
    assert Notification.objects.get().email_pending
    with time_machine.travel(RECEIVED + dt.timedelta(minutes=5), tick=False):
        assert notifications_email_pending() == 0
    assert not Notification.objects.get().email_pending


def test_unreachable_mail_server_leaves_the_email_pending(cr_manager, settings, django_capture_on_commit_callbacks):
    cr_manager.email = "carol@example.com"
    cr_manager.save(update_fields=["email"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens
    # The e-mail task asks Celery for a retry with backoff (eager here, so the Retry surfaces) and
    # leaves the row pending, so the beat sweep sends it even if that retry is lost too.
    with (
        pytest.raises(Retry),
        time_machine.travel(RECEIVED, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(recipients=[cr_manager], kind="k", title="t", dedup_key="d")
    note = Notification.objects.get()
    assert note.email_pending and note.emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(RECEIVED + dt.timedelta(minutes=5), tick=False):
        assert notifications_email_pending() == 1
    note.refresh_from_db()
    assert not note.email_pending and len(mail.outbox) == 1
