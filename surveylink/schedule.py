"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    "surveylink-after-sweep": {
        "task": "surveylink.tasks.survey_link_after_sweep",
        "schedule": crontab(minute="7,37"),
        "options": {"expires": 1200},
    },
}
