"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # SPEC §10.4 "every Monday": daily at 06:30, so that a missed Monday is caught up (idempotent:
    # a drawn week is never drawn again).
    "improvement-file-audits-sample": {
        "task": "improvement.tasks.file_audits_sample_due",
        "schedule": crontab(hour=6, minute=30),
        "options": {"expires": 6 * 3600},
    },
    # A meeting recorded ahead keeps its prepared figures from the day it is held (idempotent: a
    # meeting's figures are frozen once).
    "improvement-meetings-freeze": {
        "task": "improvement.tasks.meetings_freeze_held",
        "schedule": crontab(hour=23, minute=50),
        "options": {"expires": 6 * 3600},
    },
}
