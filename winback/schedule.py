"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    # SPEC §10.3: the scan of the first day of each month. Daily rather than on the 1st only: every
    # run scans as of the 1st of the current month, so a missed 1st is made up the next night and
    # the other runs add nothing (and mark recovered whoever came back, the import's safety net).
    "winback-scan-monthly": {
        "task": "winback.tasks.winback_scan_monthly",
        "schedule": crontab(hour=2, minute=20),
        "options": {"expires": 20 * 3600},
    },
}
