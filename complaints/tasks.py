"""Celery tasks of complaints: thin wrappers over services, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from complaints.notifications import NotificationEmailFailed, notifications_send_email
from complaints.notifications import notifications_email_pending as sweep
from complaints.sweeps import complaints_sla_sweep


@shared_task(name="complaints.sla_sweep")
def sla_sweep() -> dict[str, int]:
    """Every 5 minutes: yellow / red / dispatch-overdue / feedback-overdue alerts, each once."""
    return complaints_sla_sweep(now=timezone.now())


@shared_task(
    name="complaints.notifications_email",
    autoretry_for=(NotificationEmailFailed,),
    retry_backoff=60,  # 1, 2, 4, 8, 16 minutes (with jitter): a mail server down for a while
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=5,
)
def notifications_email(notification_ids: list[int]) -> int:
    """E-mail new notifications (queued after the commit that created them); safe to run twice.

    A failed e-mail is released and the task retried with backoff; the retry sends only what is
    still unsent (each e-mail is claimed by `emailed_at` before it goes), never one twice."""
    return notifications_send_email(notification_ids=notification_ids)


@shared_task(name="complaints.notifications_email_pending")
def notifications_email_pending() -> int:
    """Beat: queue the notification e-mails whose after-commit task was lost (broker down)."""

    return sweep()
