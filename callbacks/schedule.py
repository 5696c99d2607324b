"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    "callbacks-generate-nightly": {
        "task": "callbacks.tasks.callback_tasks_generate_nightly",
        "schedule": crontab(hour=1, minute=10),
        "options": {"expires": 3 * 3600},
    },
    "callbacks-expire": {
        "task": "callbacks.tasks.callback_tasks_expire",
        "schedule": crontab(hour=0, minute=5),
        "options": {"expires": 3 * 3600},
    },
    "callbacks-sms-fallback": {
        "task": "callbacks.tasks.callback_sms_fallback_sweep",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 600},
    },
}
