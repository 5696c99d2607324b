"""Celery tasks of retention: thin, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from retention.choices import REMINDER_KINDS
from retention.generation import reminders_generate
from retention.services import outreach_tasks_expire


@shared_task
def reminders_generate_daily() -> dict[str, list[int]]:
    """Beat: today's reminders (the unique constraints make a second run a no-op), and the reminder
    calls whose window has ended closed."""
    totals = reminders_generate(day=timezone.localdate())
    outreach_tasks_expire(kinds=REMINDER_KINDS)
    return {kind: [c.created, c.skipped] for kind, c in totals.items()}
