"""Celery tasks of complaints: thin wrappers over services, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from complaints.sweeps import complaints_sla_sweep


@shared_task(name="complaints.sla_sweep")
def sla_sweep() -> dict[str, int]:
    """Every 5 minutes: yellow / red / dispatch-overdue / feedback-overdue alerts, each once."""
    return complaints_sla_sweep(now=timezone.now())
