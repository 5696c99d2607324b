"""Celery tasks of retention: thin, safe to run twice."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from retention.choices import REMINDER_KINDS
from retention.dispatch import reminders_expire_queued_sms
from retention.generation import reminders_generate
from retention.outcomes import reminders_mark_returned
from retention.services import outreach_tasks_expire
from retention.store_settings import RULE_MAXIMA


@shared_task
def reminders_generate_daily() -> dict[str, list[int]]:
    """Beat: today's reminders (the unique constraints make a second run a no-op), the reminder
    calls whose window has ended closed, and the returned rule over the reminders still inside any
    store's return window — the import's post-step marks them as ROs arrive; this catches a reminder
    created after its RO was imported and a store's changed window."""
    today = timezone.localdate()
    reminders_expire_queued_sms(today=today)
    totals = reminders_generate(day=today)
    outreach_tasks_expire(kinds=REMINDER_KINDS)
    reminders_mark_returned(sent_since=today - dt.timedelta(days=RULE_MAXIMA["return_window_days"]))
    return {kind: [c.created, c.skipped] for kind, c in totals.items()}
