"""Is one person's rate of bad outcomes really above their store's, or just bad luck? (seed 003)

Seed 003's example: an advisor saw 50 customers and 20 said the car was not washed clean, while the
store as a whole had 30 such customers among 300. The question is whether 20 of 50 could come from
a store where 30 of 300 are unhappy by chance. That is the one-sided Fisher exact test on the 2×2
table (this person / everyone else × bad / good), whose p-value is the upper tail of the
hypergeometric distribution: drawing the person's n customers from the store's N without
replacement, how likely are at least x bad ones when the store has K?

No scipy: the tail is a short sum. Its first term comes from log-gamma and each next term from
the previous one by the ratio of binomial coefficients, stopping once the terms no longer change
the sum — a few dozen float operations even for a store's thousands of answers, where exact
`math.comb` integers of thousands of digits cost milliseconds per test and a dashboard runs
thousands of tests (every person × every survey question).
"""

import math
from dataclasses import dataclass

from crm.reporting import rate  # THE rate rule: empty on a zero denominator

# A flag means "look at this person": a strict level because a store has dozens of staff and
# several measures, and every extra test is one more chance of a false alarm.
ALPHA = 0.01
# Below this many customers no rate says anything about a person.
MIN_STAFF_TOTAL = 5


def hypergeometric_upper_tail(*, x: int, n: int, k_total: int, n_total: int) -> float:
    """P(X >= x) for X ~ Hypergeometric(population n_total, k_total bad, n drawn)."""
    if not (0 <= k_total <= n_total and 0 <= n <= n_total and 0 <= x <= n):
        raise ValueError(f"impossible counts: x={x} n={n} K={k_total} N={n_total}")
    low = max(x, n - (n_total - k_total))  # fewer bad ones than that cannot be drawn
    high = min(n, k_total)
    if low > high:
        return 0.0
    good = n_total - k_total
    term = math.exp(_log_comb(k_total, low) + _log_comb(good, n - low) - _log_comb(n_total, n))
    tail = 0.0
    for k in range(low, high + 1):
        tail += term
        if k == high:
            break
        # P(k+1) / P(k) for the hypergeometric distribution.
        term *= (k_total - k) * (n - k) / ((k + 1) * (good - n + k + 1))
        if term < tail * 1e-17:  # past the mode the terms only shrink: the rest is below rounding
            break
    return min(tail, 1.0)


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_one_sided(*, staff_bad: int, staff_total: int, store_bad: int, store_total: int) -> float:
    """One-sided Fisher exact p-value that the person's bad share exceeds the rest of the store's.

    `store_*` are the whole store's counts, the person included (as the seed states them)."""
    return hypergeometric_upper_tail(x=staff_bad, n=staff_total, k_total=store_bad, n_total=store_total)


@dataclass(frozen=True)
class Significance:
    staff_bad: int
    staff_total: int
    store_bad: int
    store_total: int
    p_value: float | None  # None when not tested (not above the store, or too few customers)
    flagged: bool

    @property
    def staff_rate(self) -> float | None:
        return rate(self.staff_bad, self.staff_total)

    @property
    def store_rate(self) -> float | None:
        return rate(self.store_bad, self.store_total)


def significance(
    *, staff_bad: int, staff_total: int, store_bad: int, store_total: int, alpha: float = ALPHA
) -> Significance:
    """The test with its counts; flagged when the person's share is above the store's and the
    p-value is below `alpha` (and the person has at least MIN_STAFF_TOTAL customers)."""
    above = staff_total > 0 and staff_bad * store_total > store_bad * staff_total
    if not above or staff_total < MIN_STAFF_TOTAL:  # nothing to test: no p-value worth its time
        return Significance(staff_bad, staff_total, store_bad, store_total, None, False)
    p = fisher_one_sided(staff_bad=staff_bad, staff_total=staff_total, store_bad=store_bad, store_total=store_total)
    return Significance(staff_bad, staff_total, store_bad, store_total, p, p < alpha)
