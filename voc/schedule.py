"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

BEAT_SCHEDULE: dict = {
    # New verbatims since the last run (a cursor per source): every 15 minutes, so that the VOC page
    # and the suggestions' feedback list are at most a quarter of an hour behind the calls.
    "voc-tag-new": {
        "task": "voc.tasks.voc_tag_new",
        "schedule": 15 * 60,
        "options": {"expires": 14 * 60},
    },
}
