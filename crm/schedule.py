"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Sends what quiet hours (21:00–08:00) held back, and anything whose on-commit send was lost.
    "crm-sms-flush": {
        "task": "crm.sms.tasks.sms_flush_queue",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
}
