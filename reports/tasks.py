"""Celery tasks of reports: thin wrappers over services, safe to run twice."""

from celery import shared_task

from reports.approval import report_packages_draft


@shared_task(name="reports.draft_monthly_packages")
def draft_monthly_packages() -> int:
    """Daily: a draft report package of last month for every store that has none yet (so a missed
    first of the month is caught up the next day; existing packages are never touched)."""
    return report_packages_draft()


@shared_task(name="reports.warm_dashboard")
def warm_dashboard() -> int:
    """Every 10 minutes: recompute the live dashboard figures of every active store for the month
    the dashboard opens on, so that the general manager never waits for a year of aggregation."""
    from crm.models import Store
    from reports.dashboard import default_month, warm_live_figures

    store_ids = list(Store.objects.filter(is_active=True).values_list("id", flat=True))
    return len(warm_live_figures(store_ids=store_ids, month=default_month()))
