"""The general manager's figures (SPEC §9): KPIs, 12-month trends, staff ranking and the staff whose
rates stand out, for a month and a set of stores.

Everything here returns COUNTS (numerators and denominators), never only rates: counts of several
stores add up, so the dashboard can combine stores' approved snapshots, and a rate is computed in
one place (`rate`) with an empty value on a zero denominator. Every figure is aggregated in the
database with GROUP BY; the number of queries does not depend on the months, stores or rows.

Choices made here (SPEC is silent):
- A callback belongs to the month of its source event (delivery date, or the repair order's
  交车时间 in Asia/Shanghai), like tables 7 and 8; the success rate is successful tasks / tasks.
- A staff member's "complaint rate" is the share of their month's customers (callback tasks) who
  filed a complaint at the same store in that month: a subset of the store's, as the test needs.
- SLA compliance counts a clock as late when it was met after its due time OR is still running
  past it on an open case (an overdue case that nobody touched must not look compliant); a clock of
  a case closed before it ran (e.g. unfounded before dispatch) is not counted.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_noop

from callbacks import figures
from callbacks.choices import CallbackKind
from callbacks.models import CallbackTask
from complaints.choices import SlaColour
from complaints.models import Case
from complaints.reports import cases_received
from complaints.selectors import SLA_CLOCKS, case_closed_filter, case_colour_filter, sla_compliance, sla_counts
from crm.models import Delivery, Store
from crm.periods import add_months, month_bounds
from crm.reporting import rate as reporting_rate
from reports.dashboard.significance import ALPHA, significance
from surveys.choices import Satisfaction

KINDS = (CallbackKind.SALES.value, CallbackKind.SERVICE.value)

# --- months ---------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_key(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """The months first..last (first days), oldest first; empty when last is before first."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, i) for i in range(max(count, 0))]


# THE rate rule of every report: empty (None) on a zero denominator, never 0.
rate = reporting_rate


# --- callbacks ------------------------------------------------------------------------------------


STAFF_FIELD_SERVICE = "repair_order__service_advisor"


# Where each kind's callback counters are read from, so that 交车数 is tables 7/8's (SPEC §9): the
# month's deliveries with their task, if any (a customer who refused calls has a delivery and no
# task), or the service tasks, one per repair order that owns one.
# (model, path from it to the task, its source date, its staff member)
SOURCES = {
    CallbackKind.SALES.value: (Delivery, "callback_task__", "delivered_on", "sales_consultant"),
    CallbackKind.SERVICE.value: (
        CallbackTask,
        "",
        figures.SOURCE_DATE[CallbackKind.SERVICE.value],
        STAFF_FIELD_SERVICE,
    ),
}


def source_rows(*, kind: str, first: dt.date, last: dt.date, store_ids: list[int] | None) -> QuerySet:
    """The months' source rows of `kind` (deliveries, or service tasks) in the stores, annotated
    with `source_month`; their `store_id` is the source's store (a task's store is its source's)."""
    model, _task, date, _staff = SOURCES[kind]
    if kind == CallbackKind.SALES:
        qs = model.objects.filter(delivered_on__gte=first, delivered_on__lt=add_months(last, 1))
        if store_ids is not None:
            qs = qs.filter(store_id__in=store_ids)
    else:
        qs = model.objects.filter(figures.task_month_filter(kind=kind, first=first, last=last, store_ids=store_ids))
    return qs.annotate(source_month=TruncMonth(date, output_field=DateField()))  # figures.task_month


def _callback_counts(task: str = "") -> dict:
    """The per-group callback counters over source rows (`task`: their path to the task): 交车数
    (`delivered`), tasks, successes, satisfaction buckets, grumbles — by callbacks.figures' rules,
    the ones tables 7 and 8 count with."""
    return {
        "delivered": Count("id"),
        "tasks": Count(f"{task}id"),
        "successes": Count("id", filter=figures.success(task)),
        "full": Count("id", filter=figures.satisfied(Satisfaction.FULLY, task)),
        "basic": Count("id", filter=figures.satisfied(Satisfaction.BASICALLY, task)),
        "dissatisfied": Count("id", filter=figures.dissatisfied(task)),
        "grumbles": Count("id", filter=figures.grumbled(task)),
    }


def delivered(counts: dict) -> int:
    """交车数 of counters; a package frozen before SPEC §9 has none and divided by its tasks."""
    return counts.get("delivered", counts.get("tasks", 0))


def success_rate(counts: dict) -> float | None:
    """THE 回访成功率 (SPEC §9): 回访成功数 / 交车数, as tables 7/8 show it."""
    return rate(counts.get("successes", 0), delivered(counts))


def _empty_callback_counts() -> dict:
    return dict.fromkeys(_callback_counts(), 0)


# --- complaints -----------------------------------------------------------------------------------


def _complaint_counts(now: dt.datetime) -> dict:
    """Received / closed / red, and each SLA clock's met and late cases by THE rule of
    `complaints.selectors.sla_counts` (the monthly complaint report counts with it too)."""
    return {
        "received": Count("id"),
        "closed": Count("id", filter=case_closed_filter()),
        "red": Count("id", filter=case_colour_filter(SlaColour.RED, now)),
        **sla_counts(now),
    }


def _empty_complaint_counts() -> dict:
    return dict.fromkeys(_complaint_counts(timezone.now()), 0)


# --- monthly counts and trends --------------------------------------------------------------------


def monthly_counts_by_store(
    *, store_ids: list[int], last_month: dt.date, months: int = 12, now: dt.datetime | None = None
) -> dict[int, list[dict]]:
    """Per store: counts per month for the `months` months ending with `last_month`, oldest first,
    in three queries whatever the number of stores and months (sales and service callbacks GROUP BY
    store and source month; complaints GROUP BY store and month received).

    Each entry: {"month": "YYYY-MM", "sales": {...}, "service": {...}, "complaints": {...}}."""
    first = add_months(last_month, -(months - 1))
    callbacks = callback_counts_by_store_month(store_ids=store_ids, first=first, last=last_month)
    complaints = complaint_counts_by_store_month(store_ids=store_ids, first=first, last=last_month, now=now)
    return {
        store_id: [
            trend_entry(key, callbacks=callbacks.get((store_id, key)), complaints=complaints.get((store_id, key)))
            for key in map(month_key, month_range(first, last_month))
        ]
        for store_id in store_ids
    }


def trend_entry(key: str, *, callbacks: dict | None = None, complaints: dict | None = None) -> dict:
    """One month of a trend: {"month", "sales", "service", "complaints"}, zeros where none."""
    callbacks = callbacks or {}
    return {
        "month": key,
        **{kind: callbacks.get(kind) or _empty_callback_counts() for kind in KINDS},
        "complaints": complaints or _empty_complaint_counts(),
    }


def callback_counts_by_store_month(
    *, store_ids: list[int], first: dt.date, last: dt.date
) -> dict[tuple[int, str], dict[str, dict]]:
    """Per (store id, "YYYY-MM") of months first..last, the callback counters of each kind. One
    query per kind (see callbacks.figures.task_month_filter)."""
    result: dict[tuple[int, str], dict[str, dict]] = defaultdict(dict)
    for kind in KINDS:
        rows = (
            source_rows(kind=kind, first=first, last=last, store_ids=store_ids)
            .values("store_id", "source_month")
            .annotate(**_callback_counts(SOURCES[kind][1]))
            .order_by()
        )
        for row in rows:
            result[(row.pop("store_id"), month_key(row.pop("source_month")))][kind] = row
    return dict(result)


def callback_counts_from_staff(rows: list[dict]) -> dict[str, dict]:
    """The callback counters of each kind summed over a store-month's staff rows: the store's own,
    since every task has its sales consultant or service advisor (required on the source)."""
    counts = {kind: _empty_callback_counts() for kind in KINDS}
    for row in rows:
        for counter, total in counts[row["kind"]].items():
            counts[row["kind"]][counter] = total + row[counter]
    return counts


def complaint_counts_by_store_month(
    *, store_ids: list[int], first: dt.date, last: dt.date, now: dt.datetime | None = None
) -> dict[tuple[int, str], dict]:
    """Per (store id, "YYYY-MM") of months first..last, the complaints received and their SLA
    clocks (as of `now`), over the cases the complaint reports count
    (complaints.reports.cases_received). One query."""
    start, end = month_bounds(first, last)
    rows = (
        cases_received(start=start, end=end, store_ids=store_ids)
        .annotate(received_month=TruncMonth("received_at", output_field=DateField()))
        .values("store_id", "received_month")
        .annotate(**_complaint_counts(now or timezone.now()))
        .order_by()
    )
    return {(row.pop("store_id"), month_key(row.pop("received_month"))): row for row in rows}


def empty_trend(*, last_month: dt.date, months: int = 12) -> list[dict]:
    """A trend of zeros (a store, or no store, with nothing in those months)."""
    return [trend_entry(month_key(m)) for m in month_range(add_months(last_month, -(months - 1)), last_month)]


def sum_trends(trends: list[list[dict]]) -> list[dict]:
    """Several stores' trends (same months) as one."""
    return [sum_counts(list(months)) for months in zip(*trends, strict=True)]


def monthly_counts(
    *, store_ids: list[int] | None, last_month: dt.date, months: int = 12, now: dt.datetime | None = None
) -> list[dict]:
    """The trend of the stores together (every store when `store_ids` is None)."""
    if store_ids is None:
        store_ids = list(Store.objects.values_list("id", flat=True))
    by_store = monthly_counts_by_store(store_ids=store_ids, last_month=last_month, months=months, now=now)
    if not by_store:
        return empty_trend(last_month=last_month, months=months)
    return sum_trends(list(by_store.values()))


def kpis_from_counts(counts: dict) -> dict:
    """The KPI tiles of one month (rates from counts; None where a denominator is zero)."""
    sales, service, complaints = counts["sales"], counts["service"], counts["complaints"]
    tasks = sales["tasks"] + service["tasks"]
    successes = sales["successes"] + service["successes"]
    both = {"successes": successes, "delivered": delivered(sales) + delivered(service)}
    complaints = _frozen_v1_sla(complaints)
    sla_met = sum(complaints[f"{c}_met"] for c in SLA_CLOCKS)
    sla_late = sum(complaints[f"{c}_late"] for c in SLA_CLOCKS)
    return {
        "month": counts["month"],
        "tasks": tasks,
        "successes": successes,
        "delivered": both["delivered"],
        "success_rate": success_rate(both),
        "sales_success_rate": success_rate(sales),
        "service_success_rate": success_rate(service),
        "sales_full": sales["full"],
        "sales_successes": sales["successes"],
        "sales_full_rate": rate(sales["full"], sales["successes"]),
        "service_full": service["full"],
        "service_successes": service["successes"],
        "service_full_rate": rate(service["full"], service["successes"]),
        "complaints_received": complaints["received"],
        "complaints_closed": complaints["closed"],
        "complaints_red": complaints["red"],
        "sla_rate": sla_compliance(complaints),
        "sla_dispatch_rate": sla_compliance(complaints, "dispatch"),
        "sla_contact_rate": sla_compliance(complaints, "contact"),
        "sla_feedback_rate": sla_compliance(complaints, "feedback"),
        "sla_met": sla_met,
        "sla_measured": sla_met + sla_late,
    }


def _frozen_v1_sla(complaints: dict) -> dict:
    """A package frozen before SPEC §9 defined SLA compliance stored `<clock>_measured` (met + late
    by the old rule): its figure is shown as it was approved, never recounted."""
    if all(f"{c}_late" in complaints for c in SLA_CLOCKS):
        return complaints
    return {
        **complaints,
        **{f"{c}_late": complaints.get(f"{c}_measured", 0) - complaints.get(f"{c}_met", 0) for c in SLA_CLOCKS},
    }


def sum_counts(entries: list[dict]) -> dict:
    """Add counts of the same shape (e.g. one month of several stores' snapshots)."""
    total: dict = {}
    for entry in entries:
        for key, value in entry.items():
            if isinstance(value, dict):
                total[key] = sum_counts([total.get(key, {}), value])
            elif isinstance(value, int) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + value
            else:
                total[key] = value
    return total


def customer_complaints(*, customers, store, month) -> QuerySet[Case]:
    """THE "this customer complained" rule (投诉率's numerator, the staff page's case list): cases
    of the callback's customer at its store received in the callback's source month (local time).
    `customers`: an OuterRef to a customer id, or a queryset of customer ids; `store`, `month` (its
    first day): values or OuterRefs."""
    customer = {"customer_id__in": customers} if isinstance(customers, QuerySet) else {"customer_id": customers}
    return Case.objects.annotate(received_month=TruncMonth("received_at", output_field=DateField())).filter(
        store_id=store, received_month=month, **customer
    )


# --- staff ----------------------------------------------------------------------------------------

STAFF_FIELD = {
    CallbackKind.SALES.value: "delivery__sales_consultant",
    CallbackKind.SERVICE.value: STAFF_FIELD_SERVICE,
}


def staff_counts(*, store_ids: list[int] | None, month: dt.date) -> list[dict]:
    """One row per sales consultant and service advisor with callbacks in the month: their counts,
    and whether each customer complained, ordered by kind, store and name."""
    by_store = staff_counts_by_store_month(store_ids=store_ids, first=month, last=month)
    rows = [row for part in by_store.values() for row in part]
    rows.sort(key=lambda r: (r["kind"], r["store__name"], r["staff_name"], r["staff_id"]))
    return rows


def staff_counts_by_store_month(
    *, store_ids: list[int] | None, first: dt.date, last: dt.date
) -> dict[tuple[int, str], list[dict]]:
    """The staff rows of months first..last per (store id, "YYYY-MM"), each list ordered by kind
    and name. A customer "complained" when a case of theirs at the store was received in the
    callback's source month. Two queries (one per kind), GROUP BY month and staff."""
    by_key: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for kind in KINDS:
        _model, task, _date, field = SOURCES[kind]
        complained = Exists(
            customer_complaints(
                customers=OuterRef(f"{task}customer_id"), store=OuterRef("store_id"), month=OuterRef("source_month")
            )
        )
        qs = (
            source_rows(kind=kind, first=first, last=last, store_ids=store_ids)
            .values(
                "source_month", "store_id", "store__name", staff_id=F(f"{field}_id"), staff_name=F(f"{field}__name")
            )
            .annotate(**_callback_counts(task), complained=Count(f"{task}id", filter=Q(complained)))
            .order_by()
        )
        for row in qs:
            by_key[(row["store_id"], month_key(row.pop("source_month")))].append({"kind": kind, **row})
    for rows in by_key.values():
        rows.sort(key=lambda r: (r["kind"], r["staff_name"], r["staff_id"]))
    return dict(by_key)


def staff_ranking(rows: list[dict]) -> dict[str, list[dict]]:
    """Per kind, staff by full-satisfaction rate (highest first; no successful callback last), then
    by callback success rate, with their counts."""
    ranking: dict[str, list[dict]] = {}
    for kind in KINDS:
        ranked = [
            {
                **row,
                "full_rate": rate(row["full"], row["successes"]),
                "success_rate": success_rate(row),
            }
            for row in rows
            if row["kind"] == kind
        ]
        ranked.sort(
            key=lambda r: (r["full_rate"] is None, -(r["full_rate"] or 0), -(r["success_rate"] or 0), r["staff_name"])
        )
        ranking[kind] = ranked
    return ranking


# Each measure: (code, label, bad count, total count) over a staff row; a rule lives once. Labels
# are msgids: figures are stored and frozen in Chinese, pages translate them when shown.
FLAG_MEASURES = (
    ("dissatisfied", gettext_noop("不满意率"), "dissatisfied", "successes"),
    ("grumble", gettext_noop("抱怨率"), "grumbles", "successes"),
    ("complaint", gettext_noop("投诉率"), "complained", "tasks"),
)
COUNTER_KEYS = ("delivered", "tasks", "successes", "grumbles", "full", "basic", "dissatisfied", "complained")


def _flag(row: dict, store: dict, *, code: str, label: str, bad: str, total: str, alpha: float) -> dict | None:
    result = significance(
        staff_bad=row[bad], staff_total=row[total], store_bad=store[bad], store_total=store[total], alpha=alpha
    )
    if not result.flagged:
        return None
    return {
        "staff_id": row["staff_id"],
        "staff_name": row["staff_name"],
        "store_id": row["store_id"],
        "store_name": row["store__name"],
        "kind": row["kind"],
        "measure": code,
        "label": label,
        "staff_bad": result.staff_bad,
        "staff_total": result.staff_total,
        "store_bad": result.store_bad,
        "store_total": result.store_total,
        "staff_rate": result.staff_rate,
        "store_rate": result.store_rate,
        "p_value": result.p_value,
    }


def _store_totals(rows: list[dict], group: tuple[str, ...], counters: tuple[str, ...]) -> dict[tuple, dict]:
    totals: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(counters, 0))
    for row in rows:
        total = totals[tuple(row[k] for k in group)]
        for counter in counters:
            total[counter] += row.get(counter, 0)  # a frozen v1 package's row has no 交车数
    return totals


def staff_flags(rows: list[dict], question_rows: list[dict] | None = None) -> list[dict]:
    """Staff whose rate of a bad outcome is significantly above their store's (one-sided Fisher
    exact test, `reports.dashboard.significance`), with the counts behind each flag.

    Measures: 不满意率 (overall 1–5 of successes), 抱怨率 (hot alerts of successes), 投诉率 (the
    month's customers who complained), and each survey question's negative share — seed 003's
    example exactly (20 of an advisor's 50 customers said the car was not washed clean, 30 of the
    store's 300). Questions are many, so their level is divided by the number of questions asked
    of that kind (Bonferroni): a person is not flagged because one of ten items drew bad luck."""
    store_totals = _store_totals(rows, ("store_id", "kind"), COUNTER_KEYS)
    flags = []
    for row in rows:
        store = store_totals[(row["store_id"], row["kind"])]
        for code, label, bad, total in FLAG_MEASURES:
            flag = _flag(row, store, code=code, label=label, bad=bad, total=total, alpha=ALPHA)
            if flag:
                flags.append(flag)
    question_rows = question_rows or []
    question_totals = _store_totals(question_rows, ("store_id", "kind", "code"), ("answered", "negative"))
    questions_per_kind = defaultdict(set)
    for row in question_rows:
        questions_per_kind[row["kind"]].add(row["code"])
    for row in question_rows:
        store = question_totals[(row["store_id"], row["kind"], row["code"])]
        label = f"{row['code']} {row['text']}"
        alpha = ALPHA / len(questions_per_kind[row["kind"]])
        flag = _flag(row, store, code=f"q:{row['code']}", label=label, bad="negative", total="answered", alpha=alpha)
        if flag:
            flags.append({**flag, "question_code": row["code"], "question_text": row["text"]})
    flags.sort(key=lambda f: f["p_value"])
    return flags
