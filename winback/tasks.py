"""Celery tasks of the win-back list: thin, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from winback.services import winback_scan


@shared_task
def winback_scan_monthly() -> int:
    """The monthly scan as of the 1st of the current month (beat runs it nightly, see schedule.py):
    the customers lost on that day join the list once; later runs of the month add nothing."""
    return sum(winback_scan(on=timezone.localdate().replace(day=1)).values())
