"""The date rules of SPEC §10.2, as pure functions: one place decides a due date, and the generation,
the tests and the demo all call it.

"+ N months" keeps the day of the month, clamped to the month's last day (31 Jan + 1 month = 28/29
Feb); a yearly anniversary of 29 Feb falls on 28 Feb in a common year.
"""

import calendar
import datetime as dt

from stdnum.cn import ric

from crm.periods import add_months


def anniversary(day: dt.date, year: int) -> dt.date:
    """`day`'s anniversary in `year` (29 Feb → 28 Feb in a common year)."""
    return add_months(day, (year - day.year) * 12)


def anniversaries_between(day: dt.date, start: dt.date, end: dt.date, *, every: int = 1) -> list[dt.date]:
    """The anniversaries of `day` in [start, end] that are a positive multiple of `every` years after it."""
    out = []
    for year in range(start.year, end.year + 1):
        years = year - day.year
        if years >= every and years % every == 0:
            due = anniversary(day, year)
            if start <= due <= end:
                out.append(due)
    return out


def birthday_from_id_number(id_number: str) -> dt.date | None:
    """The birth date in an 18-digit PRC id number (python-stdnum reads and checks it), or None."""
    if len(id_number or "") != 18:
        return None
    try:
        return ric.get_birth_date(id_number)
    except Exception:
        return None


def warranty_end_due(
    *,
    delivered_on: dt.date,
    years: int,
    km: int,
    ro_date: dt.date | None = None,
    ro_mileage: int | None = None,
) -> dt.date:
    """质保到期: the earlier of `delivered_on` + `years` and the day the mileage reaches `km`,
    projected from the latest RO with a mileage: ro_date + ⌈(km − mileage) / daily⌉ days with daily =
    mileage / days from delivery to that RO. Without such an RO (or one on the delivery day, which
    gives no rate) only the time limit counts."""
    by_time = add_months(delivered_on, years * 12)
    if ro_date is None or ro_mileage is None or ro_mileage <= 0:
        return by_time
    days = (ro_date - delivered_on).days
    if days <= 0:
        return by_time
    # ⌈(km − mileage) / (mileage / days)⌉ = ⌈(km − mileage) × days / mileage⌉, in integers: in floats
    # an exact quotient (55,000 × 38 / 5,000 = 418) can come out a hair above and round up a day late.
    by_km = ro_date + dt.timedelta(days=-(-(km - ro_mileage) * days // ro_mileage))
    return min(by_time, by_km)


def month_day_pairs(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """Every (month, day) that has an anniversary in [start, end]: the window's days, and 29 Feb
    when the window holds 28 Feb of a common year (its anniversary falls there)."""
    pairs = []
    day = start
    while day <= end:
        pairs.append((day.month, day.day))
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            pairs.append((2, 29))
        day += dt.timedelta(days=1)
    return pairs


def parse_day(text: str) -> dt.date:
    """'2026-10-05' → date; ValueError with a readable message otherwise."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"日期格式应为 YYYY-MM-DD（例如 2026-10-05），收到：{text!r}") from exc
