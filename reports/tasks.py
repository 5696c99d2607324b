"""Celery tasks of reports: thin wrappers over services, safe to run twice."""

from celery import shared_task

from reports.approval import report_packages_draft


@shared_task(name="reports.draft_monthly_packages")
def draft_monthly_packages() -> int:
    """Daily: a draft report package of last month for every store that has none yet (so a missed
    first of the month is caught up the next day; existing packages are never touched)."""
    return report_packages_draft()
