"""Celery tasks of callbacks: thin, take ids, safe to run twice."""

import datetime

from celery import shared_task
from django.utils import timezone

from callbacks import generation, services, sms


@shared_task
def callback_tasks_generate_nightly(days: int = 30) -> dict:
    """Catch up anything an import step missed (the last `days` days)."""
    since = timezone.localdate() - datetime.timedelta(days=days)
    return generation.callback_tasks_generate(since=since)


@shared_task
def callback_tasks_expire() -> int:
    return services.callback_tasks_expire()


@shared_task
def callback_sms_survey_send(task_id: int) -> bool:
    """THE Celery task of the SMS survey: the send service, which sends at most once per task."""
    return sms.callback_sms_survey_send(task_id=task_id)


@shared_task
def callback_sms_fallback_sweep() -> int:
    """Send the SMS survey for tasks that reached the failure maximum but have none yet (a lost
    on_commit publish, a broker outage, a changed setting): the same service, inline."""
    return sum(bool(sms.callback_sms_survey_send(task_id=pk)) for pk in sms.callback_sms_survey_due())
