"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

BEAT_SCHEDULE: dict = {
    "complaints-sla-sweep": {
        "task": "complaints.sla_sweep",
        "schedule": 300.0,
        # A sweep that waited longer than one period is pointless: the next one does the same work.
        "options": {"expires": 290},
    },
    # E-mails whose after-commit task was never queued (broker down) or whose mail server was down.
    "complaints-notifications-email": {
        "task": "complaints.notifications_email_pending",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}
