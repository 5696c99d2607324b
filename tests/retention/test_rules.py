"""SPEC §10.2 date rules at their edges: month ends, 29 Feb, the 60,000 km projection."""

import datetime as dt

import pytest

from retention.rules import (
    add_months,
    anniversaries_between,
    anniversary,
    birthday_from_id_number,
    month_day_pairs,
    warranty_end_due,
)
from tests.factories import make_id_number

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 8, 31), 3, D(2026, 11, 30)),
        (D(2026, 10, 31), 3, D(2027, 1, 31)),
        (D(2026, 5, 15), 5, D(2026, 10, 15)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
    ],
)
def test_plus_months_keeps_the_day_clamped_to_the_months_end(day, months, expected):
    assert add_months(day, months) == expected


def test_29_february_falls_on_28_february_in_a_common_year():
    assert anniversary(D(2024, 2, 29), 2025) == D(2025, 2, 28)
    assert anniversary(D(2024, 2, 29), 2028) == D(2028, 2, 29)
    assert month_day_pairs(D(2027, 2, 28), D(2027, 2, 28)) == [(2, 28), (2, 29)]
    assert month_day_pairs(D(2028, 2, 28), D(2028, 2, 28)) == [(2, 28)]


def test_anniversaries_every_n_years_only():
    delivered = D(2024, 3, 10)
    assert anniversaries_between(delivered, D(2025, 3, 1), D(2025, 3, 31), every=2) == []
    assert anniversaries_between(delivered, D(2026, 3, 1), D(2026, 3, 31), every=2) == [D(2026, 3, 10)]
    assert anniversaries_between(delivered, D(2024, 3, 1), D(2024, 3, 31)) == []  # the day itself is no anniversary


def test_birthday_from_an_18_digit_id_number():
    assert birthday_from_id_number(make_id_number(D(1988, 2, 29))) == D(1988, 2, 29)
    assert birthday_from_id_number("1234") is None
    assert birthday_from_id_number("") is None


def test_warranty_end_is_two_years_without_a_mileage():
    assert warranty_end_due(delivered_on=D(2025, 1, 31), years=2, km=60000) == D(2027, 1, 31)


def test_warranty_end_projects_60000_km_from_the_latest_ro():
    # 30,000 km in 200 days: 150 km a day; 30,000 km left = 200 more days after the RO.
    ro = D(2025, 1, 1) + dt.timedelta(days=200)
    due = warranty_end_due(delivered_on=D(2025, 1, 1), years=2, km=60000, ro_date=ro, ro_mileage=30000)
    assert due == ro + dt.timedelta(days=200)
    # A slow driver: the time limit comes first.
    slow = warranty_end_due(delivered_on=D(2025, 1, 1), years=2, km=60000, ro_date=ro, ro_mileage=3000)
    assert slow == D(2027, 1, 1)
    # ⌈⌉: ~600 km a day, 20 km left → 1 day, not 0.
    assert warranty_end_due(
        delivered_on=D(2025, 1, 1), years=2, km=60000, ro_date=D(2025, 1, 1) + dt.timedelta(days=100), ro_mileage=59980
    ) - (D(2025, 1, 1) + dt.timedelta(days=100)) == dt.timedelta(days=1)


def test_warranty_projection_of_an_exact_quotient_is_not_a_day_late():
    # 5,000 km in 38 days: 55,000 km left take exactly 55,000 × 38 / 5,000 = 418 days (in floats 418.00…01,
    # which rounded up to 419).
    ro = D(2025, 1, 1) + dt.timedelta(days=38)
    due = warranty_end_due(delivered_on=D(2025, 1, 1), years=2, km=60000, ro_date=ro, ro_mileage=5000)
    assert due == ro + dt.timedelta(days=418)
