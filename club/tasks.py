"""Celery tasks of the club: thin, safe to run twice."""

from celery import shared_task
from django.db import transaction

from club.levels import levels_refresh


@shared_task
def club_levels_refresh() -> int:
    """Every active card's level as of today (points older than 12 months no longer count)."""
    with transaction.atomic():
        return levels_refresh()
