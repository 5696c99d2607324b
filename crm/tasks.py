"""Celery tasks of crm: thin, take ids, safe to run twice."""

from celery import shared_task

from crm import services
from crm.operations.heartbeats import heartbeats_prune


@shared_task
def import_job_run_task(job_id: int) -> str:
    """Run an uploaded DMS import; a second delivery of the same job does nothing."""
    job = services.import_job_run(job_id=job_id)
    return job.status if job else "skipped"


@shared_task
def import_jobs_requeue() -> int:
    """Beat: queue again the uploads whose task was lost (broker down, worker killed)."""
    return services.import_jobs_requeue()


@shared_task
def beat_heartbeat() -> int:
    """Beat, every minute: beat's heartbeat is recorded when beat publishes this task
    (crm.operations.heartbeats); running it prunes the rows of workers long gone."""

    return heartbeats_prune()
