"""Calendar months in local time (Asia/Shanghai, SPEC §3): THE month rule of every report, export and
selector that counts by month. reports.periods builds its labels and parsing on these."""

import datetime as dt

from django.utils import timezone


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as a half-open interval of aware datetimes, local midnight to local midnight."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(month.replace(day=1), dt.time.min, tz)
    return start, dt.datetime.combine(next_month(month), dt.time.min, tz)
