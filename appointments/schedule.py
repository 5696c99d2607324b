"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # The next morning, after the night's DMS import has marked the arrivals: what is still booked
    # for a past day is a no-show, and its follow-up call goes into the agents' queue.
    "appointments-no-shows": {
        "task": "appointments.tasks.appointments_no_shows",
        "schedule": crontab(hour=9, minute=30),
        "options": {"expires": 20 * 3600},
    },
    # The day-before reminder; quiet hours do not apply at 10:00, and the SMS log's key sends it once.
    "appointments-eve-sms": {
        "task": "appointments.tasks.appointments_eve_sms",
        "schedule": crontab(hour=10, minute=0),
        "options": {"expires": 10 * 3600},
    },
}
