"""Celery tasks of the improvement app: thin, idempotent (the work lives in improvement.audits)."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from improvement import services
from improvement.audits import audit_week_for, file_audits_sample_week


@shared_task
def meetings_freeze_held() -> int:
    """Keep the prepared figures of the meetings held by today (recorded ahead, not saved since)."""
    return services.meetings_freeze_held()


@shared_task
def file_audits_sample_due(day: str | None = None) -> dict[str, int]:
    """Every store's file-audit sample of the previous calendar week (SPEC §10.4). Beat runs it every
    day: on Monday it draws the week just ended, later in the week it draws nothing new (the week is
    drawn) — or catches up a missed Monday with the same sample; the weeks before it too, back to
    CATCH_UP_WEEKS, so that an outage longer than a week loses no week's sample. Returns the audits
    created per store."""
    today = dt.date.fromisoformat(day) if day else timezone.localdate()
    last = audit_week_for(today)
    created: dict[str, int] = {}
    for back in range(CATCH_UP_WEEKS - 1, -1, -1):
        for code, n in file_audits_sample_week(week=last - dt.timedelta(weeks=back)).items():
            created[code] = created.get(code, 0) + n
    return created


CATCH_UP_WEEKS = 4
