"""Celery tasks of the telephone system: thin, take ids, safe to run twice."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from crm.tasking import enqueue
from telephony import recordings, services


@shared_task
def recording_fetch(record_id: int) -> bool:
    return recordings.recording_fetch(record_id=record_id)


@shared_task
def recordings_requeue_pending() -> int:
    """Beat: downloads whose queued task was lost (a broker restart) are queued again."""
    ids = recordings.recordings_pending_ids()
    for record_id in ids:
        enqueue(recording_fetch, record_id)
    return len(ids)


@shared_task
def recordings_purge_expired() -> int:
    """Beat, daily: recordings past their store's retention period are deleted (audit-logged)."""
    return recordings.recordings_purge_expired()


@shared_task
def call_records_link_attempts() -> int:
    """Beat: calls that ended before the agent recorded the attempt get it (last two days)."""
    return services.call_records_link_attempts(since=timezone.now() - dt.timedelta(days=2))


@shared_task
def call_records_record_unanswered() -> int:
    """Beat: unanswered calls on a task the agent never recorded get their failed attempt."""
    return services.call_records_record_unanswered()
