"""Calendar months in local time (Asia/Shanghai, SPEC §3): THE month rule of every report, export and
selector that counts by month. reports.periods builds its labels and parsing on these."""

import calendar
import datetime as dt
import re

from django.utils import timezone

# ASCII digits only: '²' or '２' are not a month someone typed into a month field.
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)


def parse_month(text: str) -> dt.date:
    """'2026-10' → date(2026, 10, 1); ValueError with a readable message otherwise."""
    match = _MONTH_RE.match((text or "").strip())
    # Up to 9998: December 9999 has no next month for month_bounds to end at.
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 9998:
        raise ValueError(f"月份格式应为 YYYY-MM（例如 2026-10），收到：{text!r}")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` + `months` calendar months, the day clamped to the target month's last day (a month's
    first day stays its first day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def day_bounds(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The days first_day..last_day (both included) as a half-open interval of aware datetimes, local
    midnight to local midnight."""
    tz = timezone.get_default_timezone()
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tz)
    return dt.datetime.combine(first_day, dt.time.min, tz), end


def month_bounds(month: dt.date, last: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The month (or the months `month`..`last`) as a half-open interval of aware datetimes, local
    midnight to local midnight."""
    return day_bounds(month.replace(day=1), next_month(last or month) - dt.timedelta(days=1))
