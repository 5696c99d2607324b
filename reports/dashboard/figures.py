"""The dashboard's figures (SPEC §9): COUNTS per store and month, computed in the database, stored in
`StoreMonthFigures`, combined for the stores in view.

At SPEC §12 scale a year of callbacks takes seconds to aggregate, so no page aggregates it: beat
rewrites the rows of the current and the previous month every 15 minutes (a late callback of last
month's delivery still closes early this month) and 24 months of history nightly
(`HISTORY_MONTHS`: the twelve-month trend of every month of the past year). The page reads its
stores' twelve rows in one query. A store-month with no row (a month nobody opened, a new store), a
row of another `FIGURES_VERSION` or one older than `MAX_AGE` (beat stopped) is computed on the spot
— for the stores missing it only — and stored. Every row carries its `computed_at`, and the page says it.

A report package freezes `dashboard_figures`, the same computation done now: a stored row equals it
for the same data and the same moment (tests/reports/test_figures.py).

The figures of one store: {"version", "month", "computed_at", "trend_computed_at", "trend" (12
entries, the last is the month), "staff", "questions", "staff_questions"}; `combine_figures` adds
several stores' up; `reports.dashboard.board.present` turns them into tiles, charts, ranking and flags.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Case, JSONField, When
from django.utils import timezone

from crm.models import Store
from crm.periods import add_months, parse_month
from crm.reporting import without_jit
from reports.dashboard import kpis, questions
from reports.dashboard.retention import retention_counts_by_store_month
from reports.models import StoreMonthFigures

# 2: SPEC §9's 回访成功率 (sales counters read from deliveries, with 交车数 `delivered`) and SLA
# compliance (`<clock>_late` instead of `<clock>_measured`). A row of another version is recomputed
# when read, and the nightly beat rewrites the history: no manual refresh is needed.
# 3: the 客户维系 counts (reports.dashboard.retention) in each month's trend entry, "retention".
FIGURES_VERSION = 3
TREND_MONTHS = 12
# Rows beat keeps: any month of the past year opens with its twelve-month trend from stored rows (a
# month earlier in the year otherwise computed the trend's older months on the first visit: 1.5 s
# at SPEC §12 scale). Twice the rows of the two trends the default months show; the nightly run
# takes about twice as long (some 5 s).
HISTORY_MONTHS = 2 * TREND_MONTHS
# A row older than this is computed again when read: the nightly refresh rewrites every row of the
# history in time, so only a stopped beat (or a month outside the history) gets here.
MAX_AGE = dt.timedelta(hours=26)

# Per store id, per "YYYY-MM": {"counts": the month's trend entry, "detail": {"staff", "questions",
# "staff_questions"}}.
StoreMonths = dict[int, dict[str, dict]]


# --- computing ------------------------------------------------------------------------------------


def compute_store_months(
    *,
    store_ids: list[int],
    first: dt.date,
    last: dt.date,
    now: dt.datetime,
    detail_from: dt.date | None = None,
) -> StoreMonths:
    """The counts of months first..last per store, and the detail (staff rows, question counts) of
    the months from `detail_from` (default: all of them) on. Nothing when `store_ids` is empty.

    Queries, whatever the number of stores and months: complaints (one), staff and per-staff
    question counts of the detail months (two each) — their callback and question counts are the
    staff rows summed — callbacks of the months before `detail_from` (two, if any), and the
    客户维系 counts (two: reminders, win-back entries)."""
    if not store_ids:
        return {}
    detail_from = max(detail_from or first, first)
    with without_jit():
        complaints = kpis.complaint_counts_by_store_month(store_ids=store_ids, first=first, last=last, now=now)
        staff = kpis.staff_counts_by_store_month(store_ids=store_ids, first=detail_from, last=last)
        staff_questions = questions.staff_question_counts_by_store_month(
            store_ids=store_ids, first=detail_from, last=last
        )
        retention = retention_counts_by_store_month(store_ids=store_ids, first=first, last=last)
        callbacks = {}
        if detail_from > first:
            callbacks = kpis.callback_counts_by_store_month(
                store_ids=store_ids, first=first, last=add_months(detail_from, -1)
            )
    result: StoreMonths = {}
    for store_id in store_ids:
        result[store_id] = {}
        for month in kpis.month_range(first, last):
            key = kpis.month_key(month)
            part: dict = {}
            if month >= detail_from:
                part["detail"] = {
                    "staff": staff.get((store_id, key), []),
                    "questions": questions.question_counts_from_staff(staff_questions.get((store_id, key), [])),
                    "staff_questions": staff_questions.get((store_id, key), []),
                }
                month_callbacks = kpis.callback_counts_from_staff(part["detail"]["staff"])
            else:
                month_callbacks = callbacks.get((store_id, key))
            part["counts"] = kpis.trend_entry(
                key, callbacks=month_callbacks, complaints=complaints.get((store_id, key))
            ) | {"retention": retention[(store_id, key)]}
            result[store_id][key] = part
    return result


def _figures(
    *, months: dict[str, dict], month: dt.date, computed_at: str, trend_computed_at: str | None = None
) -> dict:
    """One store's figures of `month` from its store-months (the twelve of the trend, the last
    with its detail)."""
    keys = [kpis.month_key(m) for m in kpis.month_range(add_months(month, -(TREND_MONTHS - 1)), month)]
    return {
        "version": FIGURES_VERSION,
        "month": keys[-1],
        "computed_at": computed_at,
        "trend_computed_at": trend_computed_at or computed_at,
        "trend": [months[key]["counts"] for key in keys],
        **months[keys[-1]]["detail"],
    }


def dashboard_figures_by_store(*, store_ids: list[int], month: dt.date, now: dt.datetime | None = None) -> dict:
    """Per store, its figures computed now (nothing stored). Seven GROUP BY queries whatever the
    stores: the month's staff rows, the trend's earlier months and complaints."""
    now = now or timezone.now()
    parts = compute_store_months(
        store_ids=store_ids,
        first=add_months(month, -(TREND_MONTHS - 1)),
        last=month,
        now=now,
        detail_from=month,
    )
    return {
        store_id: _figures(months=months, month=month, computed_at=now.isoformat())
        for store_id, months in parts.items()
    }


def dashboard_figures(*, store_ids: list[int] | None, month: dt.date, now: dt.datetime | None = None) -> dict:
    """The figures of the stores together (every store when None), computed now: what a report
    package freezes."""
    if store_ids is None:
        store_ids = list(Store.objects.values_list("id", flat=True))
    return combine_figures(
        list(dashboard_figures_by_store(store_ids=store_ids, month=month, now=now).values()), month=month
    )


def empty_figures(*, month: dt.date, now: dt.datetime | None = None) -> dict:
    at = (now or timezone.now()).isoformat()
    return {
        "version": FIGURES_VERSION,
        "month": kpis.month_key(month),
        "computed_at": at,
        "trend_computed_at": at,
        "trend": kpis.empty_trend(last_month=month, months=TREND_MONTHS),
        "staff": [],
        "questions": [],
        "staff_questions": [],
    }


def combine_figures(parts: list[dict], *, month: dt.date | None = None) -> dict:
    """The figures of several stores as one (counts add up; staff rows stay per store). The
    combined times are the oldest part's."""
    if not parts:
        return empty_figures(month=month or timezone.localdate().replace(day=1))
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    return {
        "version": first["version"],
        "month": first["month"],
        "computed_at": _oldest(p.get("computed_at") for p in parts),
        # A package frozen before the trend had its own time has only `computed_at`.
        "trend_computed_at": _oldest(p.get("trend_computed_at") or p.get("computed_at") for p in parts),
        "trend": kpis.sum_trends([p["trend"] for p in parts]),
        "staff": [row for p in parts for row in p["staff"]],
        "questions": questions.combine_question_counts([p["questions"] for p in parts]),
        "staff_questions": [row for p in parts for row in p.get("staff_questions", [])],
    }


def _oldest(times) -> str | None:
    """The earliest of ISO times (compared as instants, whatever their offsets); None if none."""
    known = [t for t in times if t]
    return min(known, key=dt.datetime.fromisoformat) if known else None


# --- storing --------------------------------------------------------------------------------------


def _save(parts: StoreMonths, now: dt.datetime) -> int:
    """Write the store-months (complete: counts and detail) over whatever rows they had. One
    INSERT … ON CONFLICT UPDATE, so two writers of one row never collide."""
    rows = [
        StoreMonthFigures(
            store_id=store_id,
            month=parse_month(key),
            version=FIGURES_VERSION,
            counts=part["counts"],
            detail=part["detail"],
            computed_at=now,
        )
        for store_id, months in parts.items()
        for key, part in months.items()
    ]
    StoreMonthFigures.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["store", "month"],
        update_fields=["version", "counts", "detail", "computed_at"],
    )
    return len(rows)


def store_month_figures_refresh(
    *, store_ids: list[int], first: dt.date, last: dt.date, now: dt.datetime | None = None
) -> int:
    """Compute and store the stores' rows of months first..last; the number of rows written. Run
    twice on the same data, it writes the same rows."""
    now = now or timezone.now()
    return _save(compute_store_months(store_ids=store_ids, first=first, last=last, now=now), now)


def _fresh(now: dt.datetime) -> dict:
    return {"version": FIGURES_VERSION, "computed_at__gt": now - MAX_AGE}


def _fill_missing(
    *, store_ids: list[int], first: dt.date, last: dt.date, present: set[tuple[int, str]], now: dt.datetime
) -> StoreMonths:
    """Compute and store the store-months of first..last not in `present`: for the stores missing
    one only, over the span of their missing months (one batch of five GROUP BYs)."""
    keys = {kpis.month_key(m): m for m in kpis.month_range(first, last)}
    missing = [
        (store_id, month) for store_id in store_ids for key, month in keys.items() if (store_id, key) not in present
    ]
    if not missing:
        return {}
    stores = sorted({store_id for store_id, _month in missing})
    span_first, span_last = min(m for _s, m in missing), max(m for _s, m in missing)
    parts = compute_store_months(store_ids=stores, first=span_first, last=span_last, now=now)
    _save(parts, now)
    return parts


def store_month_figures_fill_missing(
    *, store_ids: list[int], first: dt.date, last: dt.date, now: dt.datetime | None = None
) -> int:
    """Compute the stores' store-months of first..last that have no fresh row; the rows written."""
    now = now or timezone.now()
    present = {
        (store_id, kpis.month_key(month))
        for store_id, month in StoreMonthFigures.objects.filter(
            store_id__in=store_ids, month__gte=first, month__lte=last, **_fresh(now)
        ).values_list("store_id", "month")
    }
    parts = _fill_missing(store_ids=store_ids, first=first, last=last, present=present, now=now)
    return sum(len(months) for months in parts.values())


# --- reading --------------------------------------------------------------------------------------


def stored_figures_by_store(*, store_ids: list[int], month: dt.date, now: dt.datetime | None = None) -> dict:
    """Per store, its figures of `month` from the stored rows: one query when they are all there
    (the twelve months' counts, and the detail of `month` only). Missing ones are computed now."""
    now = now or timezone.now()
    first = add_months(month, -(TREND_MONTHS - 1))
    rows = (
        StoreMonthFigures.objects.filter(store_id__in=store_ids, month__gte=first, month__lte=month, **_fresh(now))
        # The detail (staff and question rows, the bulk of a row) of the month in view only.
        .annotate(month_detail=Case(When(month=month, then="detail"), output_field=JSONField()))
        .values_list("store_id", "month", "counts", "month_detail", "computed_at")
    )
    months: StoreMonths = defaultdict(dict)
    times: dict[int, dict[str, dt.datetime]] = defaultdict(dict)
    for store_id, row_month, counts, detail, computed_at in rows:
        key = kpis.month_key(row_month)
        months[store_id][key] = {"counts": counts, "detail": detail}
        times[store_id][key] = computed_at
    present = {(store_id, key) for store_id, by_month in months.items() for key in by_month}
    for store_id, by_month in _fill_missing(
        store_ids=store_ids, first=first, last=month, present=present, now=now
    ).items():
        for key, part in by_month.items():
            months[store_id][key] = part
            times[store_id][key] = now
    key = kpis.month_key(month)
    return {
        store_id: _figures(
            months=months[store_id],
            month=month,
            computed_at=times[store_id][key].isoformat(),
            trend_computed_at=min(times[store_id].values()).isoformat(),
        )
        for store_id in store_ids
    }


def stored_figures(*, store_ids: list[int], month: dt.date, now: dt.datetime | None = None) -> dict:
    """The stores' figures together, from the stored rows (see `stored_figures_by_store`)."""
    by_store = stored_figures_by_store(store_ids=store_ids, month=month, now=now)
    return combine_figures([by_store[store_id] for store_id in store_ids], month=month)


def stored_details(*, store_id: int, first: dt.date, last: dt.date, now: dt.datetime | None = None) -> dict:
    """One store's detail (staff rows, question counts) of months first..last, oldest first, from
    its stored rows — one query — the months without one computed and stored: what the staff page
    compares a person with, and their twelve-month trend.

    {"YYYY-MM": {"detail": {...}, "computed_at": datetime}}"""
    now = now or timezone.now()
    rows = StoreMonthFigures.objects.filter(
        store_id=store_id, month__gte=first, month__lte=last, **_fresh(now)
    ).values_list("month", "detail", "computed_at")
    found = {kpis.month_key(month): {"detail": detail, "computed_at": at} for month, detail, at in rows}
    present = {(store_id, key) for key in found}
    for key, part in (
        _fill_missing(store_ids=[store_id], first=first, last=last, present=present, now=now).get(store_id, {}).items()
    ):
        found[key] = {"detail": part["detail"], "computed_at": now}
    return {key: found[key] for key in map(kpis.month_key, kpis.month_range(first, last))}


def stored_detail(*, store_id: int, month: dt.date, now: dt.datetime | None = None) -> dict:
    """One store's detail of `month` (see `stored_details`)."""
    return stored_details(store_id=store_id, first=month, last=month, now=now)[kpis.month_key(month)]


# --- what beat runs -------------------------------------------------------------------------------


def _active_store_ids() -> list[int]:
    return list(Store.objects.filter(is_active=True).order_by("id").values_list("id", flat=True))


def figures_refresh_recent(*, now: dt.datetime | None = None) -> int:
    """Rewrite the current and the previous month of every active store, and fill the history's
    missing or stale store-months; the number of rows written."""
    now = now or timezone.now()
    current = kpis.month_start(timezone.localdate(now))
    store_ids = _active_store_ids()
    written = store_month_figures_refresh(store_ids=store_ids, first=add_months(current, -1), last=current, now=now)
    return written + store_month_figures_fill_missing(
        store_ids=store_ids,
        first=add_months(current, -(HISTORY_MONTHS - 1)),
        last=add_months(current, -2),
        now=now,
    )


def figures_refresh_history(*, now: dt.datetime | None = None) -> int:
    """Rewrite the whole history (`HISTORY_MONTHS` up to the current month) of every active store."""
    now = now or timezone.now()
    current = kpis.month_start(timezone.localdate(now))
    return store_month_figures_refresh(
        store_ids=_active_store_ids(), first=add_months(current, -(HISTORY_MONTHS - 1)), last=current, now=now
    )
