"""Celery tasks of callbacks: thin, take ids, safe to run twice."""

import datetime

from celery import shared_task
from django.utils import timezone

from callbacks import generation, services


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
    return services.callback_task_sms_survey_send(task_id=task_id)


@shared_task
def callback_sms_fallback_sweep() -> int:
    """Send the SMS survey for tasks that reached the failure maximum but have none yet (a lost
    on_commit hook or a changed setting)."""
    from django.db.models import F

    from callbacks.choices import TaskState
    from callbacks.models import CallbackTask

    ids = list(
        CallbackTask.objects.filter(
            state=TaskState.OPEN,
            sms_survey_sent_at__isnull=True,
            failed_attempts__gte=F("store__callback_settings__max_failed_attempts"),
        ).values_list("id", flat=True)[:1000]
    )
    ids += list(
        CallbackTask.objects.filter(
            state=TaskState.OPEN,
            sms_survey_sent_at__isnull=True,
            store__callback_settings__isnull=True,
            failed_attempts__gte=generation.DEFAULTS.max_failed_attempts,
        ).values_list("id", flat=True)[:1000]
    )
    return sum(bool(services.callback_task_sms_survey_send(task_id=pk)) for pk in ids)
