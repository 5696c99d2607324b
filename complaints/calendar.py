"""Complaint SLA clocks in wall-clock or business time (投诉时效计时, SPEC §8, issue 4 item 5).

Two layers:
- a pure core (`WorkCalendar`, `add_working_time`, `working_seconds_between`) on plain data — the
  weekly working spans and the dated exceptions — so that it is unit- and property-testable without
  a database;
- the database-facing functions the complaints workflow calls: `policy_for_store`, `sla_deadline`
  (`sla_deadlines` for several clocks from one start), `working_minutes_between`. Each loads the
  policy's working periods and the calendar days of the range it needs in two queries, then does
  arithmetic only.

Decisions where SPEC is silent:
- Business hours are off by default (the seed counts wall-clock hours); then every clock is plain
  `start + minutes` and no query runs.
- When a store turns business hours on and has no working periods yet, the default week is created:
  Monday to Saturday 08:30–12:00 and 13:30–17:30 (a dealership's usual opening hours, lunch break
  included; Sunday off). See `sla_policy_set_business_hours`.
- A policy with business hours on but no working period at all counts wall-clock time: a clock that
  never runs would hide every case from its deadline.
- A start outside working hours counts from the next opening; a deadline that falls exactly on the
  end of a span is that end (12:00, not 13:30).
- All calendar arithmetic is in Asia/Shanghai, which has had no daylight saving time since 1991, so
  local wall time plus a timedelta is exact.
- A swapped working day (调休上班) works the hours of its `works_like` weekday; a holiday works no hours
  even if it falls on a weekday.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction

from complaints.models.calendar import CalendarDay, CalendarDayKind, SlaPolicy, WorkingPeriod

CALENDAR_TZ = ZoneInfo("Asia/Shanghai")

# Monday–Saturday, morning and afternoon with a lunch break (created when business hours go on).
DEFAULT_WORKING_WEEKDAYS = (0, 1, 2, 3, 4, 5)
DEFAULT_WORKING_SPANS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30)))

# Safety net for a calendar that never opens (e.g. every day a holiday): stop searching after this.
MAX_SEARCH_DAYS = 3 * 366

Span = tuple[int, int]  # seconds since local midnight: [start, end)
US = 1_000_000  # microseconds in a second


def _seconds(t: dt.time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class WorkCalendar:
    """Plain data: working spans per weekday (0 = Monday) and dated exceptions.

    `exceptions` maps a date to ("holiday", _) or ("workday", works_like weekday).
    """

    weekly: Mapping[int, tuple[Span, ...]]
    exceptions: Mapping[dt.date, tuple[str, int]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        periods: Iterable[tuple[int, dt.time, dt.time]],
        days: Iterable[tuple[dt.date, str, int]] = (),
    ) -> WorkCalendar:
        weekly: dict[int, list[Span]] = {}
        for weekday, starts_at, ends_at in periods:
            weekly.setdefault(weekday, []).append((_seconds(starts_at), _seconds(ends_at)))
        return cls(
            weekly={wd: _merge(spans) for wd, spans in weekly.items()},
            exceptions={day: (kind, works_like) for day, kind, works_like in days},
        )

    @property
    def has_working_time(self) -> bool:
        return any(self.weekly.values())

    def spans_on(self, day: dt.date) -> tuple[Span, ...]:
        exception = self.exceptions.get(day)
        if exception is None:
            return self.weekly.get(day.weekday(), ())
        kind, works_like = exception
        if kind == CalendarDayKind.HOLIDAY:
            return ()
        return self.weekly.get(works_like, ())

    def weekly_seconds(self) -> int:
        return sum(end - start for spans in self.weekly.values() for start, end in spans)


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    """Sort and merge overlapping spans so that no second is counted twice."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _micros_since_midnight(moment: dt.datetime, day: dt.date) -> int:
    return (moment - _midnight(day)) // dt.timedelta(microseconds=1)


def add_working_time(calendar: WorkCalendar, start: dt.datetime, seconds: int) -> dt.datetime:
    """The naive local instant when `seconds` of working time have passed after naive local `start`.

    Counted in integer microseconds so that a start with a fractional second round-trips exactly.
    """
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    remaining = seconds * US
    day = start.date()
    offset = _micros_since_midnight(start, day)
    for _ in range(MAX_SEARCH_DAYS):
        for span_start, span_end in calendar.spans_on(day):
            span_start, span_end = span_start * US, span_end * US
            if span_end <= offset and not (remaining == 0 and span_end == offset):
                continue
            begin = max(span_start, offset)
            available = span_end - begin
            if remaining <= available:
                return _midnight(day) + dt.timedelta(microseconds=begin + remaining)
            remaining -= available
        day += dt.timedelta(days=1)
        offset = 0
    raise ValueError("the calendar has no working time within the search horizon")


def working_seconds_between(calendar: WorkCalendar, start: dt.datetime, end: dt.datetime) -> int:
    """Whole working seconds in [start, end) for naive local datetimes."""
    if end <= start:
        return 0
    total = 0
    day = start.date()
    while day <= end.date():
        low = max(0, _micros_since_midnight(start, day))
        high = min(86400 * US, _micros_since_midnight(end, day))
        for span_start, span_end in calendar.spans_on(day):
            total += max(0, min(span_end * US, high) - max(span_start * US, low))
        day += dt.timedelta(days=1)
    return total // US


# --- database-facing API -------------------------------------------------------------------------


def policy_for_store(store_id: int) -> SlaPolicy:
    """The store's SLA policy, created with the SPEC defaults (wall clock) on first use."""
    policy, _created = SlaPolicy.objects.get_or_create(store_id=store_id)
    return policy


def sla_policy_update(*, policy: SlaPolicy, **fields) -> SlaPolicy:
    """Save the SLA targets and the business-hours switch; the first time business hours go on,
    create the default week (Monday–Saturday 08:30–12:00, 13:30–17:30) so that the clock runs."""
    with transaction.atomic():
        for name, value in fields.items():
            setattr(policy, name, value)
        policy.save()
        if policy.business_hours_enabled and not policy.working_periods.exists():
            WorkingPeriod.objects.bulk_create(
                WorkingPeriod(policy=policy, weekday=weekday, starts_at=starts_at, ends_at=ends_at)
                for weekday in DEFAULT_WORKING_WEEKDAYS
                for starts_at, ends_at in DEFAULT_WORKING_SPANS
            )
    return policy


def sla_policy_set_business_hours(*, policy: SlaPolicy, enabled: bool) -> SlaPolicy:
    return sla_policy_update(policy=policy, business_hours_enabled=enabled)


def _load_periods(policy: SlaPolicy) -> list[tuple[int, dt.time, dt.time]]:
    return list(WorkingPeriod.objects.filter(policy=policy).values_list("weekday", "starts_at", "ends_at"))


def _load_days(policy: SlaPolicy, first: dt.date, last: dt.date) -> list[tuple[dt.date, str, int]]:
    return list(
        CalendarDay.objects.filter(policy=policy, date__range=(first, last)).values_list("date", "kind", "works_like")
    )


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return moment.astimezone(CALENDAR_TZ).replace(tzinfo=None)


def _aware(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=CALENDAR_TZ)


def sla_deadline(*, policy: SlaPolicy, start: dt.datetime, minutes: int) -> dt.datetime:
    """When a clock of `minutes` started at `start` runs out, in the policy's counting (aware)."""
    return sla_deadlines(policy=policy, start=start, minutes=[minutes])[0]


def sla_deadlines(*, policy: SlaPolicy, start: dt.datetime, minutes: Sequence[int]) -> list[dt.datetime]:
    """Several clocks from one start (dispatch, warning, first contact, feedback) in two queries."""
    if not minutes:
        return []
    if not policy.business_hours_enabled:
        return [start + dt.timedelta(minutes=m) for m in minutes]
    periods = _load_periods(policy)
    probe = WorkCalendar.build(periods)
    if not probe.has_working_time:
        return [start + dt.timedelta(minutes=m) for m in minutes]
    local_start = _local(start)
    # Load the exceptions of a range that certainly covers the longest clock: twice the weeks the
    # weekly pattern needs, plus a month for a long holiday. If a result still lands past it (a year
    # of holidays), load a wider range; the usual case is one query for the days.
    span_days = math.ceil(max(minutes) * 60 / probe.weekly_seconds() * 7) * 2 + 31
    while True:
        last = local_start.date() + dt.timedelta(days=span_days)
        calendar = WorkCalendar.build(periods, _load_days(policy, local_start.date(), last))
        results = [add_working_time(calendar, local_start, m * 60) for m in minutes]
        if max(results).date() <= last or span_days >= MAX_SEARCH_DAYS:
            return [_aware(result) for result in results]
        span_days *= 2


def working_minutes_between(*, policy: SlaPolicy, start: dt.datetime, end: dt.datetime) -> int:
    """Whole minutes of counted time between two aware instants (0 when end is not after start)."""
    if end <= start:
        return 0
    if not policy.business_hours_enabled:
        return int((end - start).total_seconds() // 60)
    periods = _load_periods(policy)
    if not WorkCalendar.build(periods).has_working_time:
        return int((end - start).total_seconds() // 60)
    local_start, local_end = _local(start), _local(end)
    calendar = WorkCalendar.build(periods, _load_days(policy, local_start.date(), local_end.date()))
    return working_seconds_between(calendar, local_start, local_end) // 60


# --- calendar editing (the CR manager's calendar page) -------------------------------------------

CALENDAR_KIND_WORDS = {
    "holiday": CalendarDayKind.HOLIDAY,
    "休": CalendarDayKind.HOLIDAY,
    "放假": CalendarDayKind.HOLIDAY,
    "节假日": CalendarDayKind.HOLIDAY,
    "workday": CalendarDayKind.WORKDAY,
    "班": CalendarDayKind.WORKDAY,
    "上班": CalendarDayKind.WORKDAY,
    "调休": CalendarDayKind.WORKDAY,
}


@dataclass(frozen=True)
class CalendarLine:
    date: dt.date
    kind: str
    name: str


def parse_calendar_lines(text: str) -> tuple[list[CalendarLine], list[str]]:
    """Parse pasted lines `2026-10-01 holiday 国庆节` (or `休` / `班`); returns (lines, errors).

    Errors name the line number so that a manager can fix the paste; blank lines and `#` comments
    are skipped.
    """
    lines: list[CalendarLine] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parts = stripped.split(None, 2)
        try:
            day = dt.date.fromisoformat(parts[0])
        except ValueError:
            errors.append(f"{number}: {stripped}")
            continue
        kind = CALENDAR_KIND_WORDS.get(parts[1].lower()) if len(parts) > 1 else None
        if kind is None:
            errors.append(f"{number}: {stripped}")
            continue
        lines.append(CalendarLine(date=day, kind=kind, name=(parts[2] if len(parts) > 2 else "")[:40]))
    return lines, errors


def calendar_days_upsert(*, policy: SlaPolicy, lines: list[CalendarLine], works_like: int = 0) -> int:
    """Add or replace the policy's special dates (one per date); returns how many lines were saved."""
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(policy=policy, date=line.date, kind=line.kind, name=line.name, works_like=works_like)
            for line in lines
        ],
        update_conflicts=True,
        unique_fields=["policy", "date"],
        update_fields=["kind", "name", "works_like"],
    )
    return len(lines)


def calendar_day_delete(*, policy: SlaPolicy, day_id: int) -> int:
    deleted, _per_model = CalendarDay.objects.filter(policy=policy, id=day_id).delete()
    return deleted
