"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # Daily, early morning: the SMS it queues wait for 08:00 (quiet hours), the calls are in the queue
    # when agents start. A missed day is caught up by the next run (send date ≤ day ≤ due date).
    "retention-generate-reminders": {
        "task": "retention.tasks.reminders_generate_daily",
        "schedule": crontab(hour=6, minute=30),
        "options": {"expires": 6 * 3600},
    },
}
