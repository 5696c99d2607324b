"""SLA clocks in wall-clock and business time (issue 4 item 5).

Calendar used for the business-hours cases (2026, a year whose National Day notice we model):
- Monday–Friday 08:30–12:00 and 13:30–17:30 (7.5 h a day), Saturday and Sunday off, unless a test
  says otherwise;
- 国庆节 holidays 2026-10-01 (Thursday) … 2026-10-07 (Wednesday);
- 调休 working Saturday 2026-09-26 before National Day, working like a Monday.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from complaints.calendar import (
    WorkCalendar,
    add_working_time,
    policy_for_store,
    sla_deadline,
    sla_deadlines,
    sla_policy_set_business_hours,
    working_minutes_between,
    working_seconds_between,
)
from complaints.models.calendar import CalendarDay, CalendarDayKind, WorkingPeriod

SH = ZoneInfo("Asia/Shanghai")
MORNING = (dt.time(8, 30), dt.time(12, 0))
AFTERNOON = (dt.time(13, 30), dt.time(17, 30))
WEEKDAY_PERIODS = [(wd, s, e) for wd in range(5) for s, e in (MORNING, AFTERNOON)]
NATIONAL_DAY = [(dt.date(2026, 10, d), "holiday", 0) for d in range(1, 8)]
SWAPPED_SATURDAY = (dt.date(2026, 9, 26), "workday", 0)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def bh_policy(store_a):
    """Store A with business hours on, Monday–Friday, National Day 2026 and its 调休 Saturday."""
    policy = policy_for_store(store_a.id)
    policy.business_hours_enabled = True
    policy.save()
    WorkingPeriod.objects.bulk_create(
        WorkingPeriod(policy=policy, weekday=wd, starts_at=s, ends_at=e) for wd, s, e in WEEKDAY_PERIODS
    )
    CalendarDay.objects.bulk_create(
        CalendarDay(policy=policy, date=d, kind=k, works_like=w, name="国庆节") for d, k, w in NATIONAL_DAY
    )
    CalendarDay.objects.create(policy=policy, date=SWAPPED_SATURDAY[0], kind=CalendarDayKind.WORKDAY, name="国庆调休")
    return policy


# --- wall clock (the default) --------------------------------------------------------------------


@pytest.mark.django_db
def test_policy_defaults_count_wall_clock(store_a, django_assert_num_queries):
    policy = policy_for_store(store_a.id)
    assert policy.business_hours_enabled is False
    assert (policy.first_contact_warning_minutes, policy.first_contact_minutes) == (20 * 60, 24 * 60)
    start = at(2026, 9, 30, 19, 59, 30)
    with django_assert_num_queries(0):
        assert sla_deadline(policy=policy, start=start, minutes=20 * 60) == at(2026, 10, 1, 15, 59, 30)
        assert sla_deadline(policy=policy, start=start, minutes=24 * 60) == at(2026, 10, 1, 19, 59, 30)
        assert working_minutes_between(policy=policy, start=start, end=at(2026, 10, 1, 19, 59, 30)) == 24 * 60
    assert policy_for_store(store_a.id).pk == policy.pk


@pytest.mark.django_db
def test_turning_business_hours_on_creates_default_week_once(store_a):
    policy = sla_policy_set_business_hours(policy=policy_for_store(store_a.id), enabled=True)
    periods = list(policy.working_periods.values_list("weekday", "starts_at", "ends_at"))
    assert len(periods) == 12
    assert {p[0] for p in periods} == {0, 1, 2, 3, 4, 5}
    assert (0, dt.time(8, 30), dt.time(12, 0)) in periods and (5, dt.time(13, 30), dt.time(17, 30)) in periods
    sla_policy_set_business_hours(policy=policy, enabled=False)
    sla_policy_set_business_hours(policy=policy, enabled=True)
    assert policy.working_periods.count() == 12


# --- business hours ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_friday_afternoon_case_continues_on_monday(bh_policy, django_assert_num_queries):
    # Received Friday 2026-09-18 17:00: 30 min left that day, the weekend is off, so a 24-hour clock
    # ends 23.5 working hours later: Mon 7.5 + Tue 7.5 + Wed 7.5 = 22.5, then one more hour Thursday.
    with django_assert_num_queries(2):
        deadline = sla_deadline(policy=bh_policy, start=at(2026, 9, 18, 17, 0), minutes=24 * 60)
    assert deadline == at(2026, 9, 24, 9, 30)
    with django_assert_num_queries(2):
        assert working_minutes_between(policy=bh_policy, start=at(2026, 9, 18, 17, 0), end=deadline) == 24 * 60


@pytest.mark.django_db
def test_lunch_break_does_not_count(bh_policy):
    # 30 minutes from 11:45 Monday: 15 minutes before lunch, 15 after 13:30.
    assert sla_deadline(policy=bh_policy, start=at(2026, 9, 14, 11, 45), minutes=30) == at(2026, 9, 14, 13, 45)
    assert working_minutes_between(policy=bh_policy, start=at(2026, 9, 14, 11, 0), end=at(2026, 9, 14, 14, 0)) == 90
    # A deadline that lands on the end of the morning is noon, not 13:30.
    assert sla_deadline(policy=bh_policy, start=at(2026, 9, 14, 11, 30), minutes=30) == at(2026, 9, 14, 12, 0)


@pytest.mark.django_db
def test_national_day_holiday_is_skipped(bh_policy):
    # Wednesday 2026-09-30 at 17:00: 30 minutes that day, then nothing until Thursday 10-08.
    deadline = sla_deadline(policy=bh_policy, start=at(2026, 9, 30, 17, 0), minutes=60)
    assert deadline == at(2026, 10, 8, 9, 0)
    assert working_minutes_between(policy=bh_policy, start=at(2026, 9, 30, 8, 0), end=at(2026, 10, 8, 8, 0)) == 450


@pytest.mark.django_db
def test_swapped_working_saturday_counts_with_monday_hours(bh_policy):
    # Friday 2026-09-25 17:00 + 60 min: 30 min Friday, then the 调休 Saturday 09-26 opens at 08:30.
    assert sla_deadline(policy=bh_policy, start=at(2026, 9, 25, 17, 0), minutes=60) == at(2026, 9, 26, 9, 0)
    # An ordinary Saturday the week before stays off: Friday 09-18 17:00 + 60 min → Monday 09-21 09:00.
    assert sla_deadline(policy=bh_policy, start=at(2026, 9, 18, 17, 0), minutes=60) == at(2026, 9, 21, 9, 0)
    assert working_minutes_between(policy=bh_policy, start=at(2026, 9, 26, 0, 0), end=at(2026, 9, 27, 0, 0)) == 450


@pytest.mark.django_db
def test_start_during_holiday_counts_from_next_opening(bh_policy):
    assert sla_deadline(policy=bh_policy, start=at(2026, 10, 3, 10, 0), minutes=30) == at(2026, 10, 8, 9, 0)
    # Before opening and after closing on an ordinary day as well.
    assert sla_deadline(policy=bh_policy, start=at(2026, 9, 14, 6, 0), minutes=30) == at(2026, 9, 14, 9, 0)
    assert sla_deadline(policy=bh_policy, start=at(2026, 9, 14, 20, 0), minutes=30) == at(2026, 9, 15, 9, 0)


@pytest.mark.django_db
def test_feedback_48_hours_over_a_weekend(bh_policy):
    # Thursday 2026-09-10 10:00 + 48 working hours (2880 min, 450 a day): Thursday 360 (10:00–12:00
    # and 13:30–17:30); Friday, then Saturday and Sunday off, Monday to Thursday: 5 × 450 = 2250;
    # 270 left on Friday 09-18: 210 in the morning, 60 from 13:30 → 14:30.
    assert sla_deadline(policy=bh_policy, start=at(2026, 9, 10, 10, 0), minutes=48 * 60) == at(2026, 9, 18, 14, 30)


@pytest.mark.django_db
def test_utc_input_is_read_in_shanghai_time_without_dst(bh_policy):
    # 00:30 UTC is 08:30 in Shanghai all year round (no daylight saving), summer and winter alike.
    for month, day in ((1, 5), (7, 6)):  # Mondays in winter and summer
        start = dt.datetime(2026, month, day, 0, 30, tzinfo=dt.UTC)
        deadline = sla_deadline(policy=bh_policy, start=start, minutes=60)
        assert deadline == at(2026, month, day, 9, 30)
        assert deadline.utcoffset() == dt.timedelta(hours=8)


@pytest.mark.django_db
def test_policy_without_periods_counts_wall_clock(store_a):
    policy = policy_for_store(store_a.id)
    policy.business_hours_enabled = True
    policy.save()
    start = at(2026, 9, 19, 10, 0)
    assert sla_deadline(policy=policy, start=start, minutes=90) == start + dt.timedelta(minutes=90)


@pytest.mark.django_db
def test_long_clock_past_the_first_loaded_range(bh_policy):
    # A year-long clock still lands on a working instant and round-trips.
    start = at(2026, 9, 14, 9, 0)
    deadline = sla_deadline(policy=bh_policy, start=start, minutes=450 * 260)
    assert working_minutes_between(policy=bh_policy, start=start, end=deadline) == 450 * 260


# --- the pure core, property-based ---------------------------------------------------------------

CORE = WorkCalendar.build(
    [*WEEKDAY_PERIODS, (5, dt.time(9, 0), dt.time(12, 0))],
    [*NATIONAL_DAY, SWAPPED_SATURDAY, (dt.date(2026, 10, 10), "workday", 4)],
)

moments = st.datetimes(min_value=dt.datetime(2026, 9, 1), max_value=dt.datetime(2026, 11, 30))


@settings(max_examples=300, deadline=None)
@given(start=moments, minutes=st.integers(min_value=0, max_value=60 * 24 * 20))
def test_deadline_round_trips(start, minutes):
    deadline = add_working_time(CORE, start, minutes * 60)
    assert deadline >= start
    assert working_seconds_between(CORE, start, deadline) == minutes * 60


@settings(max_examples=200, deadline=None)
@given(start=moments, end=moments)
def test_working_time_is_bounded_by_wall_time(start, end):
    worked = working_seconds_between(CORE, start, end)
    assert 0 <= worked <= max(0, (end - start).total_seconds())


@settings(max_examples=200, deadline=None)
@example(start=dt.datetime(2026, 9, 1, 8, 30, 0, 1), minutes=660)
@given(start=moments, minutes=st.integers(min_value=1, max_value=60 * 24 * 10))
def test_deadline_lands_inside_working_hours(start, minutes):
    deadline = add_working_time(CORE, start, minutes * 60)
    # Keep the microseconds: a start of 08:30:00.000001 legitimately ends a span later at X:00:00.000001.
    seconds = deadline.hour * 3600 + deadline.minute * 60 + deadline.second + deadline.microsecond / 1e6
    assert any(s < seconds <= e for s, e in CORE.spans_on(deadline.date()))


def test_core_holiday_and_workday_spans():
    assert CORE.spans_on(dt.date(2026, 10, 5)) == ()  # a Monday inside 国庆
    assert CORE.spans_on(dt.date(2026, 9, 26)) == CORE.spans_on(dt.date(2026, 9, 28))  # works like Monday
    assert CORE.spans_on(dt.date(2026, 10, 10)) == CORE.spans_on(dt.date(2026, 10, 9))  # works like Friday
    assert CORE.spans_on(dt.date(2026, 9, 27)) == ()  # an ordinary Sunday


@pytest.mark.django_db
def test_all_clocks_of_a_case_in_two_queries(bh_policy, django_assert_num_queries):
    start = at(2026, 9, 30, 16, 0)  # Wednesday before National Day
    with django_assert_num_queries(2):
        dispatch, warning, first_contact, feedback = sla_deadlines(
            policy=bh_policy, start=start, minutes=[30, 20 * 60, 24 * 60, 48 * 60]
        )
    assert dispatch == at(2026, 9, 30, 16, 30)
    for deadline, m in ((warning, 20 * 60), (first_contact, 24 * 60), (feedback, 48 * 60)):
        assert deadline == sla_deadline(policy=bh_policy, start=start, minutes=m)
    # 90 minutes on Wednesday, then Thursday 10-08 and Friday 10-09 (450 each), Saturday 10-10 off:
    # 1200 - 990 = 210 → Monday 10-12 at 12:00.
    assert warning == at(2026, 10, 12, 12, 0)
