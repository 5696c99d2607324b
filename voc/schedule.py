"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # New verbatims since the last run (a cursor per source): every 15 minutes, so that the VOC page
    # and the suggestions' feedback list are at most a quarter of an hour behind the calls.
    "voc-tag-new": {
        "task": "voc.tasks.voc_tag_new",
        "schedule": 15 * 60,
        "options": {"expires": 14 * 60},
    },
    # The rows of the last day that committed later than the 15-minute run's look-back (an hour)
    # after their insert: read again, those without an entry tagged.
    "voc-tag-late": {
        "task": "voc.tasks.voc_tag_late",
        "schedule": crontab(hour=2, minute=40),
        "options": {"expires": 3 * 60 * 60},
    },
}
