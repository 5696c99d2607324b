"""Is one person's rate of bad outcomes really above their store's, or just bad luck? (seed 003)

Seed 003's example: an advisor saw 50 customers and 20 said the car was not washed clean, while the
store as a whole had 30 such customers among 300. The question is whether 20 of 50 could come from
a store where 30 of 300 are unhappy by chance. That is the one-sided Fisher exact test on the 2×2
table (this person / everyone else × bad / good), whose p-value is the upper tail of the
hypergeometric distribution: drawing the person's n customers from the store's N without
replacement, how likely are at least x bad ones when the store has K?

Exact integers (`math.comb`) rather than scipy: the tail is a short sum, Python's integers do not
overflow, and int / int is a correctly rounded float, so the figure needs no new dependency.
"""

import math
from dataclasses import dataclass

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
    tail = sum(math.comb(k_total, k) * math.comb(n_total - k_total, n - k) for k in range(low, high + 1))
    return tail / math.comb(n_total, n)


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
    p_value: float
    flagged: bool

    @property
    def staff_rate(self) -> float | None:
        return self.staff_bad / self.staff_total if self.staff_total else None

    @property
    def store_rate(self) -> float | None:
        return self.store_bad / self.store_total if self.store_total else None


def significance(
    *, staff_bad: int, staff_total: int, store_bad: int, store_total: int, alpha: float = ALPHA
) -> Significance:
    """The test with its counts; flagged when the person's share is above the store's and the
    p-value is below `alpha` (and the person has at least MIN_STAFF_TOTAL customers)."""
    p = fisher_one_sided(staff_bad=staff_bad, staff_total=staff_total, store_bad=store_bad, store_total=store_total)
    above = staff_total > 0 and staff_bad * store_total > store_bad * staff_total
    flagged = above and staff_total >= MIN_STAFF_TOTAL and p < alpha
    return Significance(staff_bad, staff_total, store_bad, store_total, p, flagged)
