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


# --- quarters and years (the quarterly and annual complaint reports, seed 002) ----------------------

# How many months each report period spans. A report of a longer period is still built from a
# `month` (the registry's contract): the quarter or the year that holds it.
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def period_first(kind: str, month: dt.date) -> dt.date:
    """The first month of the period of `kind` holding `month`."""
    if kind == "quarter":
        return dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
    if kind == "year":
        return dt.date(month.year, 1, 1)
    return month.replace(day=1)


def period_months(kind: str, month: dt.date) -> list[dt.date]:
    """Every month of the period of `kind` holding `month`, in order."""
    first = period_first(kind, month)
    return [dt.date(first.year, first.month + i, 1) for i in range(PERIOD_MONTHS[kind])]


def quarter_of(month: dt.date) -> int:
    return (month.month - 1) // 3 + 1


def period_label(kind: str, month: dt.date) -> str:
    """'2026年第3季度', '2026年' or the month's label (in the active language)."""
    first = period_first(kind, month)
    if kind == "quarter":
        return _("%(year)s年第%(quarter)s季度") % {"year": first.year, "quarter": quarter_of(first)}
    if kind == "year":
        return _("%(year)s年") % {"year": first.year}
    return month_label(first)


def period_key(kind: str, month: dt.date) -> str:
    """'2026-10', '2026-Q3' or '2026': a period in file names and audit entries."""
    first = period_first(kind, month)
    if kind == "quarter":
        return f"{first.year}-Q{quarter_of(first)}"
    if kind == "year":
        return f"{first.year}"
    return f"{first:%Y-%m}"
