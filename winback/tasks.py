"""Celery tasks of the win-back list: thin, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from winback.at_risk import at_risk_scan
from winback.services import winback_scan


@shared_task
def winback_scan_monthly() -> int:
    """The monthly scan as of the 1st of the current month (beat runs it nightly, see schedule.py):
    the customers lost on that day join the list once; later runs of the month add nothing. Then
    the at-risk calls as of today (daily: a customer turns 9 months away on any day)."""
    today = timezone.localdate()
    added = sum(winback_scan(on=today.replace(day=1)).values())
    at_risk_scan(on=today)
    return added
