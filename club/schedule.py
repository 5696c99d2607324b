"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # SPEC §10.6: levels count the points of the last 12 months, so points age out nightly; the
    # refresh is one idempotent UPDATE (a missed night is made up by the next).
    "club-levels-refresh": {
        "task": "club.tasks.club_levels_refresh",
        "schedule": crontab(hour=3, minute=10),
        "options": {"expires": 20 * 3600},
    },
}
