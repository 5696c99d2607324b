"""The EQC evaluation of improvement actions (SPEC §10.5, table 15), set-based.

The **3-month cumulative result** of a question for month M: over the successful callbacks whose
source event falls in months M−2 … M (the source month, as every report counts), the mean answer of
a score question, or the share of non-negative answers of a yes/no or choice question. "Negative"
is `Answer.is_negative`, stored when the answer was recorded by THE rule
(`surveys.services.answer_is_negative`: a yes/no question's `negative_answer`, a choice question's
`negative_choices`); the counters come from `reports.dashboard.questions.question_month_counts`, the same
GROUP BY as the dashboard's question figures.

Baseline = the result for M0 (the decision month), +1 … +3 = the results for M0+1 … M0+3;
检核结果 = 改善 when the +3 result is higher than the baseline (higher mean / higher share), else
未改善 — blank until M0+3 has ended (local time).

Choices made here (SPEC is silent):
- A month that has not begun shows no result; the month in progress shows its running result
  (the page marks it), since a CR manager follows the action while it works.
- Once M0+3 has ended, a baseline or +3 result with no answers at all cannot show an improvement:
  未改善.

Set-based: one query per questionnaire kind for all the actions given (their stores, codes and the
months from the earliest M0−2 to the latest M0+3), summed into windows in Python. 50 actions cost
two queries whatever their months.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from crm.periods import add_months, next_month
from improvement.choices import EqcVerdict
from improvement.models import EqcAction
from reports.dashboard.questions import question_month_counts
from surveys.choices import QuestionType

WINDOW_MONTHS = 3  # the month and the two before it
OFFSETS = (0, 1, 2, 3)  # baseline, +1, +2, +3

Counters = dict[str, int]


@dataclass(frozen=True)
class EqcResult:
    """One month's 3-month cumulative result: `value` is a mean score (1–10) or a share (0–1)."""

    month: dt.date
    value: float | None
    answered: int
    in_progress: bool = False
    started: bool = True


@dataclass(frozen=True)
class EqcEvaluation:
    is_score: bool
    results: list[EqcResult] = field(default_factory=list)  # baseline, +1, +2, +3
    verdict: str | None = None  # EqcVerdict value, None until M0+3 has ended

    @property
    def baseline(self) -> EqcResult:
        return self.results[0]


def window_value(counters: Counters, *, is_score: bool) -> float | None:
    """The result of summed counters: mean score, or share of non-negative answers; None when
    nothing was answered."""
    if is_score:
        return counters["score_sum"] / counters["score_count"] if counters["score_count"] else None
    if not counters["answered"]:
        return None
    return (counters["answered"] - counters["negative"]) / counters["answered"]


def verdict(baseline: float | None, plus3: float | None) -> str:
    """改善 when the +3 result is better (higher) than the baseline, else 未改善."""
    if baseline is not None and plus3 is not None and plus3 > baseline:
        return EqcVerdict.IMPROVED
    return EqcVerdict.NOT_IMPROVED


def _empty() -> Counters:
    return {"answered": 0, "negative": 0, "score_sum": 0, "score_count": 0}


def _monthly_counters(actions: list[EqcAction], *, last_month: dt.date) -> dict[tuple, Counters]:
    """{(kind, store id, code, month): counters} for every month any action's windows need, up to
    `last_month`. One query per kind."""
    counters: dict[tuple, Counters] = {}
    by_kind: dict[str, list[EqcAction]] = defaultdict(list)
    for action in actions:
        by_kind[action.kind].append(action)
    for kind, group in sorted(by_kind.items()):
        first = add_months(min(a.decision_month for a in group), -(WINDOW_MONTHS - 1))
        last = min(add_months(max(a.decision_month for a in group), OFFSETS[-1]), last_month)
        if last < first:
            continue
        rows = question_month_counts(
            kind=kind,
            store_ids=sorted({a.store_id for a in group}),
            first=first,
            last=last,
            codes=sorted({a.question_code for a in group}),
        )
        for row in rows:
            counters[(kind, row["store_id"], row["code"], row["source_month"])] = {
                key: row[key] for key in ("answered", "negative", "score_sum", "score_count")
            }
    return counters


def eqc_evaluate(actions: list[EqcAction], *, today: dt.date | None = None) -> dict[int, EqcEvaluation]:
    """{action id: its evaluation} as of `today` (local date; default now)."""
    today = today or timezone.localdate()
    current = today.replace(day=1)
    monthly = _monthly_counters(actions, last_month=current)
    evaluations: dict[int, EqcEvaluation] = {}
    for action in actions:
        is_score = action.question_type == QuestionType.SCORE
        results = []
        for offset in OFFSETS:
            month = add_months(action.decision_month, offset)
            if month > current:
                results.append(EqcResult(month=month, value=None, answered=0, started=False))
                continue
            total = _empty()
            for back in range(WINDOW_MONTHS):
                found = monthly.get((action.kind, action.store_id, action.question_code, add_months(month, -back)))
                for key, value in (found or {}).items():
                    total[key] += value
            results.append(
                EqcResult(
                    month=month,
                    value=window_value(total, is_score=is_score),
                    answered=total["answered"],
                    in_progress=month == current,
                )
            )
        ended = today >= next_month(add_months(action.decision_month, OFFSETS[-1]))
        evaluations[action.pk] = EqcEvaluation(
            is_score=is_score,
            results=results,
            verdict=verdict(results[0].value, results[-1].value) if ended else None,
        )
    return evaluations
