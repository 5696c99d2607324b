"""Celery tasks of the improvement app: thin, idempotent (the work lives in improvement.audits)."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from improvement.audits import audit_week_for, file_audits_sample_week


@shared_task
def file_audits_sample_due(day: str | None = None) -> dict[str, int]:
    """Every store's file-audit sample of the previous calendar week (SPEC §10.4). Beat runs it every
    day: on Monday it draws the week just ended, later in the week it draws nothing new (the week is
    drawn) — or catches up a missed Monday with the same sample."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    return file_audits_sample_week(week=audit_week_for(today))
