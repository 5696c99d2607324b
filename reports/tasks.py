"""Celery tasks of reports: thin wrappers over services, safe to run twice."""

from celery import shared_task

from reports.dashboard.figures import figures_refresh_history, figures_refresh_recent
from reports.packages.approval import report_packages_draft


@shared_task(name="reports.draft_monthly_packages")
def draft_monthly_packages() -> int:
    """Daily: a draft report package of last month for every store that has none yet (so a missed
    first of the month is caught up the next day; existing packages are never touched)."""
    return report_packages_draft()


@shared_task(name="reports.warm_dashboard")
def warm_dashboard() -> int:
    """Every 15 minutes: the stored dashboard figures of the current and the previous month of
    every active store, and any month of their history that has none (a new store, the first run
    after a deploy); the number of store-months written."""

    return figures_refresh_recent()


@shared_task(name="reports.refresh_dashboard_history")
def refresh_dashboard_history() -> int:
    """Nightly: every active store's stored figures of the whole history the trends show (a
    complaint of an older month closed since, a late import)."""

    return figures_refresh_history()
