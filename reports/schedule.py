"""This app's Celery beat entries (plain data; composed into settings.CELERY_BEAT_SCHEDULE)."""

from celery.schedules import crontab

BEAT_SCHEDULE: dict = {
    "reports-draft-monthly-packages": {
        "task": "reports.draft_monthly_packages",
        # Daily rather than on the 1st only: a run that is missed is made up the next night.
        "schedule": crontab(hour=2, minute=40),
        "options": {"expires": 6 * 3600},
    },
    "reports-warm-dashboard": {
        "task": "reports.warm_dashboard",
        "schedule": 15 * 60.0,
        # A late run is pointless: the next one recomputes the same figures.
        "options": {"expires": 14 * 60},
    },
    "reports-refresh-dashboard-history": {
        "task": "reports.refresh_dashboard_history",
        "schedule": crontab(hour=3, minute=10),
        # A missed night is made up by the quarter-hourly run, which recomputes every history row
        # older than reports.dashboard.figures.MAX_AGE (as a reader would).
        "options": {"expires": 6 * 3600},
    },
}
