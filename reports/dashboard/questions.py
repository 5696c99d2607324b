"""The survey questions' figures for the dashboard (SPEC §9): per question and month, answers,
negative answers and scores of successful callbacks (by source month, like every figure), per
store and per staff member, and the five weakest questions."""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from callbacks.figures import success, task_month, task_month_filter
from reports.dashboard.kpis import KINDS, STAFF_FIELD, month_key, rate
from surveys.choices import QuestionType
from surveys.models import Answer

QUESTION_COUNTERS = ("answered", "negative", "score_sum", "score_count")
# Questions with a right and a wrong answer; text (the customer's words) is never negative, and the
# overall question is the satisfaction rate itself.
RATED_TYPES = (QuestionType.SCORE, QuestionType.YES_NO, QuestionType.CHOICE)


TASK = "response__callback_task__"  # from an answer to its callback task


def _answers(*, kind: str, store_ids: list[int] | None, first: dt.date, last: dt.date) -> QuerySet[Answer]:
    """Answers of the months' successful callbacks of one kind (by source month, like every figure),
    with the source month as `source_month`."""
    return Answer.objects.filter(
        task_month_filter(kind=kind, first=first, last=last, store_ids=store_ids, prefix=TASK),
        success(TASK),
        question__is_overall=False,
        question__type__in=RATED_TYPES,
    ).annotate(source_month=task_month(kind, TASK))


def _question_aggregates() -> dict:
    return {
        # One code may have different wording across template versions: show the latest seen.
        "text": Max("question__text"),
        "answered": Count("id"),
        "negative": Count("id", filter=Q(is_negative=True)),
        "score_sum": Coalesce(Sum("score"), 0),
        "score_count": Count("score"),
    }


def question_counts(*, store_ids: list[int] | None, month: dt.date) -> list[dict]:
    """Per survey question (by kind and code) of the stores together: answers, negative answers,
    sum and count of scores."""
    return question_counts_from_staff(staff_question_counts(store_ids=store_ids, month=month))


def question_counts_from_staff(rows: list[dict]) -> list[dict]:
    """Per-staff question counts summed per question (kind and code), in their order: the store's
    (or stores') counts, since every answered callback has its staff member."""
    return combine_question_counts(
        [[{key: row[key] for key in ("kind", "code", "text", *QUESTION_COUNTERS)} for row in rows]]
    )


def staff_question_counts(*, store_ids: list[int] | None, month: dt.date) -> list[dict]:
    """The same per staff member (the task's sales consultant or service advisor) and store, for
    the per-question significance flags."""
    by_store = staff_question_counts_by_store_month(store_ids=store_ids, first=month, last=month)
    rows = [row for part in by_store.values() for row in part]
    rows.sort(key=lambda r: (r["kind"], r["code"], r["store_id"], r["staff_id"]))
    return rows


def staff_question_counts_by_store_month(
    *, store_ids: list[int] | None, first: dt.date, last: dt.date
) -> dict[tuple[int, str], list[dict]]:
    """Per (store id, "YYYY-MM"), by kind then code and staff. One GROUP BY query per kind."""
    by_key: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for kind in KINDS:
        staff = f"{TASK}{STAFF_FIELD[kind]}"
        qs = (
            _answers(kind=kind, store_ids=store_ids, first=first, last=last)
            .values(
                "source_month",
                code=F("question__code"),
                store_id=F(f"{TASK}store_id"),
                store__name=F(f"{TASK}store__name"),
                staff_id=F(f"{staff}_id"),
                staff_name=F(f"{staff}__name"),
            )
            .annotate(**_question_aggregates())
            .order_by("source_month", "store_id", "code", "staff_id")
        )
        for row in qs:
            by_key[(row["store_id"], month_key(row.pop("source_month")))].append({"kind": kind, **row})
    return dict(by_key)


def combine_question_counts(parts: list[list[dict]]) -> list[dict]:
    """Several stores' question counts as one (the text as `_question_aggregates` picks it)."""
    combined: dict[tuple, dict] = {}
    for part in parts:
        for row in part:
            key = (row["kind"], row["code"])
            if key not in combined:
                combined[key] = dict(row)
            else:
                combined[key]["text"] = max(combined[key]["text"], row["text"])
                for counter in QUESTION_COUNTERS:
                    combined[key][counter] += row[counter]
    return list(combined.values())


def weakest_questions(rows: list[dict], limit: int = 5) -> list[dict]:
    """The `limit` weakest questions: the highest share of negative answers (a score of 1–5 counts
    as negative, as for hot alerts), ties broken by the lower mean score."""
    ranked = []
    for row in rows:
        share = rate(row["negative"], row["answered"])
        if share is None:
            continue
        mean = row["score_sum"] / row["score_count"] if row["score_count"] else None
        ranked.append({**row, "negative_rate": share, "mean_score": mean})
    ranked.sort(key=lambda r: (-r["negative_rate"], r["mean_score"] if r["mean_score"] is not None else 11))
    return ranked[:limit]


def question_month_counts(
    *, kind: str, store_ids: list[int] | None, first: dt.date, last: dt.date, codes: list[str] | None = None
) -> list[dict]:
    """Per store, source month and question code of `kind` (only `codes` when given): the same
    counters as the dashboard's question figures (answers, negative answers, sum and count of
    scores), over months first..last. One GROUP BY query; improvement.eqc sums them into its
    three-month windows."""
    qs = _answers(kind=kind, store_ids=store_ids, first=first, last=last)
    if codes is not None:
        qs = qs.filter(question__code__in=codes)
    rows = (
        qs.values("source_month", code=F("question__code"), store_id=F(f"{TASK}store_id"))
        .annotate(**{key: value for key, value in _question_aggregates().items() if key != "text"})
        .order_by()
    )
    return list(rows)
