"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Sends what quiet hours (21:00–08:00) held back, and anything whose on-commit send was lost.
    "crm-sms-flush": {
        "task": "crm.sms.tasks.sms_flush_queue",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    # Uploads whose task was never queued (broker down) or whose worker died (crm.tasking).
    "crm-import-jobs-requeue": {
        "task": "crm.tasks.import_jobs_requeue",
        "schedule": crontab(minute="*/2"),
        "options": {"expires": 100},
    },
    # Beat's heartbeat for /healthz: recorded in beat's process when it publishes this entry.
    "crm-beat-heartbeat": {
        "task": "crm.tasks.beat_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
}
