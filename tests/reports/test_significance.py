"""The significance flag (seed 003's per-advisor comparison) against hand-computed and brute-force values."""

import itertools
import math
from fractions import Fraction

import pytest

from reports.dashboard.significance import ALPHA, fisher_one_sided, hypergeometric_upper_tail, significance


def brute_force_tail(*, x: int, n: int, k_total: int, n_total: int) -> Fraction:
    """Count every way to draw n of n_total (the first k_total bad) with at least x bad."""
    hits = sum(1 for draw in itertools.combinations(range(n_total), n) if sum(i < k_total for i in draw) >= x)
    return Fraction(hits, math.comb(n_total, n))


def test_small_table_by_hand():
    # 4 customers, 2 unhappy; the person saw 2, both unhappy: 1 of the C(4,2)=6 draws.
    assert fisher_one_sided(staff_bad=2, staff_total=2, store_bad=2, store_total=4) == pytest.approx(1 / 6)
    # At least 0 bad is certain.
    assert fisher_one_sided(staff_bad=0, staff_total=3, store_bad=2, store_total=9) == 1.0


@pytest.mark.parametrize("x,n,k,total", [(2, 4, 3, 9), (3, 5, 4, 10), (1, 3, 1, 8), (4, 6, 5, 11), (0, 2, 0, 6)])
def test_matches_brute_force_enumeration(x, n, k, total):
    expected = brute_force_tail(x=x, n=n, k_total=k, n_total=total)
    assert hypergeometric_upper_tail(x=x, n=n, k_total=k, n_total=total) == pytest.approx(float(expected), rel=1e-9)


def test_seed_003_advisor_is_flagged_with_counts():
    """One advisor: 20 of 50 customers unhappy about car washing; the store: 30 of 300."""
    result = significance(staff_bad=20, staff_total=50, store_bad=30, store_total=300)
    assert result.flagged
    assert result.p_value < 1e-9  # 6.3e-11: far beyond chance
    assert (result.staff_bad, result.staff_total, result.store_bad, result.store_total) == (20, 50, 30, 300)
    assert result.staff_rate == pytest.approx(0.4) and result.store_rate == pytest.approx(0.1)


@pytest.mark.parametrize(
    "bad,total",
    [
        (10, 50),  # 20 % against 10 %: p ≈ 0.014, suggestive but not beyond the strict level
        (3, 10),  # 30 % of only ten customers: p ≈ 0.067
        (4, 20),  # p ≈ 0.13
        (5, 50),  # exactly the store's rate
        (2, 4),  # 50 %, but fewer customers than a rate can speak for
    ],
)
def test_borderline_and_ordinary_cases_are_not_flagged(bad, total):
    result = significance(staff_bad=bad, staff_total=total, store_bad=30, store_total=300)
    assert not result.flagged


def test_just_past_the_level_is_flagged():
    result = significance(staff_bad=11, staff_total=50, store_bad=30, store_total=300)
    assert result.p_value < ALPHA and result.flagged


def test_below_store_rate_is_never_flagged():
    assert not significance(staff_bad=0, staff_total=100, store_bad=30, store_total=300).flagged


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        fisher_one_sided(staff_bad=6, staff_total=5, store_bad=30, store_total=300)
    with pytest.raises(ValueError):
        fisher_one_sided(staff_bad=2, staff_total=5, store_bad=30, store_total=3)


def test_large_counts_agree_with_exact_integers():
    """A store month at scale: thousands of answers; the float recurrence matches exact integers."""
    x, n, k, total = 120, 900, 400, 6000
    exact = Fraction(
        sum(math.comb(k, i) * math.comb(total - k, n - i) for i in range(x, min(n, k) + 1)), math.comb(total, n)
    )
    assert hypergeometric_upper_tail(x=x, n=n, k_total=k, n_total=total) == pytest.approx(float(exact), rel=1e-9)
