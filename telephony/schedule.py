"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Recording retention (issue 16 item 3): once a night; a missed night is made up by the next.
    "telephony-recordings-purge": {
        "task": "telephony.tasks.recordings_purge_expired",
        "schedule": crontab(hour=3, minute=40),
        "options": {"expires": 20 * 3600},
    },
    "telephony-recordings-requeue": {
        "task": "telephony.tasks.recordings_requeue_pending",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    # A call's attempt is recorded after the hang-up; the sweep links the ones recorded later.
    "telephony-link-attempts": {
        "task": "telephony.tasks.call_records_link_attempts",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
    # An unanswered call on a task that the agent never recorded gets its failed attempt (10 minutes
    # after the hang-up at the earliest; telephony.services.call_records_record_unanswered).
    "telephony-record-unanswered": {
        "task": "telephony.tasks.call_records_record_unanswered",
        "schedule": crontab(minute="5-59/10"),
        "options": {"expires": 9 * 60},
    },
}
