"""Month labels, the default month and store labels of reports. The months themselves (parsing,
bounds) are crm.periods', THE month rule (SPEC §3, §9)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Store


def month_label(month: dt.date) -> str:
    """'2026年10月' (in the active language: exports are built in Chinese, see crm.reporting)."""
    return _("%(year)s年%(month)s月") % {"year": month.year, "month": month.month}


def current_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def default_month(now: dt.datetime | None = None) -> dt.date:
    """Last month: the one whose report package the CR manager prepares and the GM reads.

    Report pages and the dashboard open on it; the current month has barely begun for most of it.
    """
    first = timezone.localdate(now or timezone.now()).replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def store_label(store_ids: list[int] | None) -> str:
    """'全部门店' for every store, else the store names (one query)."""
    if store_ids is None:
        return _("全部门店")
    names = list(Store.objects.filter(id__in=store_ids).order_by("code").values_list("name", flat=True))
    return "、".join(names) if names else "—"
