"""Celery tasks of the VOC app: thin and idempotent (the work lives in voc.services)."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from crm.periods import add_months
from voc import services


@shared_task
def voc_tag_new() -> dict[str, int]:
    """Tag the verbatims recorded since the last run (beat). Run twice, the second finds nothing new."""
    return services.voc_tag_new()


@shared_task
def voc_tag_late() -> dict[str, int]:
    """The nightly catch-up of the last day's rows that committed too late for the 15-minute run."""
    return services.voc_tag_late()


@shared_task
def voc_retag_recent(months: int = 13) -> dict[str, int]:
    """Tag again the last `months` months after the topic list changed (queued by the topic page)."""
    current = timezone.localdate().replace(day=1)
    totals: dict[str, int] = {}
    for back in range(months):
        month: dt.date = add_months(current, -back)
        for name, n in services.voc_tag_month(month=month).items():
            totals[name] = totals.get(name, 0) + n
    return totals
