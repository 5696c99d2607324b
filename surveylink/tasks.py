"""Celery tasks of the survey link: thin, safe to run twice."""

from celery import shared_task

from surveylink import services


@shared_task
def survey_link_after_sweep() -> int:
    """Send the link to the tasks of "after" stores whose SMS score survey went unanswered long
    enough; the send service checks each under its row lock, so two runs send one link."""
    return sum(bool(services.survey_link_send_after(task_id=pk)) for pk in services.survey_link_after_due())
