"""Months and store labels of reports. Months are calendar months in Asia/Shanghai (SPEC §3, §9)."""

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Store

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_month(text: str) -> dt.date:
    """'2026-10' → date(2026, 10, 1); ValueError with a readable message otherwise."""
    match = _MONTH_RE.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise ValueError(f"月份格式应为 YYYY-MM（例如 2026-10），收到：{text!r}")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as a half-open interval of aware datetimes, local midnight to local midnight."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(month.replace(day=1), dt.time.min, tz)
    return start, dt.datetime.combine(next_month(month), dt.time.min, tz)


def month_label(month: dt.date) -> str:
    """'2026年10月' (in the active language: exports are built in Chinese, see crm.reporting)."""
    return _("%(year)s年%(month)s月") % {"year": month.year, "month": month.month}


def current_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def store_label(store_ids: list[int] | None) -> str:
    """'全部门店' for every store, else the store names (one query)."""
    if store_ids is None:
        return _("全部门店")
    names = list(Store.objects.filter(id__in=store_ids).order_by("code").values_list("name", flat=True))
    return "、".join(names) if names else "—"
