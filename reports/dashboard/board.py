"""The general manager's dashboard (SPEC §9): which figures to show (an approved package's frozen
figures, or the stored live ones of reports.dashboard.figures), and how they are presented (KPI tiles, trend
series, ranking, flags).

reports.dashboard.figures computes and stores COUNTS per store and month; a package freezes the same dict;
`present` turns counts into what the page shows. So the page, the package and the tests read one
set of rules.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.http import Http404

from callbacks.figures import task_month_filter, unhappy
from callbacks.models import CallbackTask
from complaints.selectors import with_sla_colour
from crm.choices import StaffRole
from crm.models import Staff, Store, User
from crm.periods import add_months
from crm.scoping import scope_for_user, stores_for_user
from reports import periods
from reports.dashboard import figures as store_figures
from reports.dashboard import kpis, questions
from reports.dashboard.retention import present_retention
from reports.models import PackageState, ReportPackage


def _percent_series(values: list[float | None]) -> list[float | None]:
    return [round(v * 100, 1) if v is not None else None for v in values]


def present(figures: dict) -> dict:
    """What the page shows: this month's KPI tiles (with last month's for comparison), chart series,
    the staff ranking, flagged staff and the five weakest questions."""
    months = [kpis.kpis_from_counts(entry) for entry in figures["trend"]]
    current, previous = months[-1], months[-2] if len(months) > 1 else None
    charts = {
        "labels": [m["month"] for m in months],
        "success_rate": _percent_series([m["success_rate"] for m in months]),
        "sales_full_rate": _percent_series([m["sales_full_rate"] for m in months]),
        "service_full_rate": _percent_series([m["service_full_rate"] for m in months]),
        "sla_rate": _percent_series([m["sla_rate"] for m in months]),
        "complaints_received": [m["complaints_received"] for m in months],
        "complaints_closed": [m["complaints_closed"] for m in months],
        "complaints_red": [m["complaints_red"] for m in months],
    }
    ranking = kpis.staff_ranking(figures["staff"])
    return {
        "kpis": current,
        "previous": previous,
        "charts": charts,
        "ranking": ranking,
        "flags": kpis.staff_flags(figures["staff"], figures.get("staff_questions", [])),
        "weakest": questions.weakest_questions(figures["questions"]),
        "retention": present_retention(figures["trend"]),
    }


@dataclass
class DashboardScope:
    """The stores a request covers and where its figures come from."""

    stores: list[Store]
    selected: Store | None
    month: dt.date
    source: str  # "approved" or "live"
    packages: list[ReportPackage] = field(default_factory=list)  # approved ones among the stores
    month_packages: list[ReportPackage] = field(default_factory=list)  # every state

    @property
    def single_package(self) -> ReportPackage | None:
        """The package of the month when one store is in view (for "尚未生成 / 已提交 …")."""
        if len(self.store_ids) != 1:
            return None
        return self.month_packages[0] if self.month_packages else None

    @property
    def store_ids(self) -> list[int]:
        return [s.pk for s in ([self.selected] if self.selected else self.stores)]

    @property
    def approved(self) -> bool:
        return self.source == "approved"


def dashboard_scope(*, user: User, store_id: int | None, month: dt.date) -> DashboardScope:
    """The user's stores (or the one chosen among them; another store's id is a 404) and their
    approved packages for the month. Two queries."""
    stores = list(stores_for_user(user))
    selected = None
    if store_id is not None:
        selected = next((s for s in stores if s.pk == store_id), None)
        if selected is None:
            raise Http404
    ids = [s.pk for s in ([selected] if selected else stores)]
    month_packages = list(
        ReportPackage.objects.filter(store_id__in=ids, month=month)
        .defer("tables")  # the report tables can be large; the dashboard reads only its figures
        .select_related("approved_by", "store")
        .order_by("store__code")
    )
    packages = [p for p in month_packages if p.state == PackageState.APPROVED]
    # Approved figures only when every store in view has an approved package: a mix of frozen and
    # live figures would be neither.
    source = "approved" if ids and len(packages) == len(ids) else "live"
    return DashboardScope(
        stores=stores,
        selected=selected,
        month=month,
        source=source,
        packages=packages,
        month_packages=month_packages,
    )


def _datetime(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def dashboard_data(*, scope: DashboardScope, now: dt.datetime | None = None) -> dict:
    """What the page shows, with when its figures were computed: `computed_at` for the month in
    view, `trend_computed_at` for the oldest month of its trend (older when the history is from
    the nightly refresh)."""
    if scope.approved:
        figures = store_figures.combine_figures([p.figures for p in scope.packages], month=scope.month)
    else:
        figures = store_figures.stored_figures(store_ids=scope.store_ids, month=scope.month, now=now)
    data = present(figures)
    data["computed_at"] = _datetime(figures.get("computed_at"))
    data["trend_computed_at"] = _datetime(figures.get("trend_computed_at")) or data["computed_at"]
    return data


def default_month(now: dt.datetime | None = None) -> dt.date:
    """Last month (reports.periods.default_month, the rule every report page shares)."""
    return periods.default_month(now)


# --- the staff page (drill-down from the ranking and the flags) ---------------------------------


def own_staff(user: User) -> Staff | None:
    """The staff record linked to the user's login, within the user's stores; None when the user
    has none (or it belongs to a store the user may not see)."""
    return scope_for_user(Staff.objects.select_related("store").filter(user=user), user).first()


def staff_kind(staff, requested: str | None = None) -> str:
    """Sales or service callbacks: as the link asked, else by the person's position."""
    if requested in kpis.KINDS:
        return requested
    return kpis.KINDS[0] if staff.role == StaffRole.SALES_CONSULTANT else kpis.KINDS[1]


def staff_month_tasks(*, staff, kind: str, month: dt.date):
    """The staff member's callback tasks whose source event is in the month, live."""

    return (
        CallbackTask.objects.filter(
            task_month_filter(kind=kind, first=month, store_ids=[staff.store_id]),
            **{kpis.STAFF_FIELD[kind]: staff},
        )
        .select_related("customer", "vehicle", "delivery", "repair_order")
        .order_by("window_opens_at", "id")
    )


def staff_month_cases(*, staff, kind: str, month: dt.date, now: dt.datetime):
    """Complaints received in the month from the staff member's customers of the month (the
    complaint rate's numerator), coloured."""

    customers = staff_month_tasks(staff=staff, kind=kind, month=month).values("customer_id")
    cases = kpis.customer_complaints(customers=customers, store=staff.store_id, month=month)
    return with_sla_colour(cases, now).select_related("customer", "handler").order_by("received_at", "id")


def _person_and_store(rows: list[dict], *, staff, kind: str) -> tuple[dict | None, dict]:
    """From a store-month's staff rows: the person's row of `kind` (None without callbacks) and
    the store's counts of that kind (every row summed)."""
    mine = next((r for r in rows if r["staff_id"] == staff.pk and r["kind"] == kind), None)
    store = kpis.sum_counts([{k: r[k] for k in kpis.COUNTER_KEYS if k in r} for r in rows if r["kind"] == kind])
    return mine, store


def staff_month_summary(*, staff, kind: str, month: dt.date, now: dt.datetime | None = None) -> dict:
    """The person's row of counts against their store's, with any flag raised on it: from the
    store's stored figures, so the numbers are the dashboard's (and as of the same time)."""
    stored = store_figures.stored_detail(store_id=staff.store_id, month=month, now=now)
    rows, question_rows = stored["detail"]["staff"], stored["detail"]["staff_questions"]
    mine, store = _person_and_store(rows, staff=staff, kind=kind)
    flags = [f for f in kpis.staff_flags(rows, question_rows) if f["staff_id"] == staff.pk and f["kind"] == kind]
    measures = []
    for code, label, bad, total in kpis.FLAG_MEASURES:
        if mine is None or bad not in mine:
            continue
        measures.append(
            {
                "code": code,
                "label": label,
                "staff_bad": mine[bad],
                "staff_total": mine[total],
                "staff_rate": kpis.rate(mine[bad], mine[total]),
                "store_bad": store.get(bad, 0),
                "store_total": store.get(total, 0),
                "store_rate": kpis.rate(store.get(bad), store.get(total)),
                "flag": next((f for f in flags if f["measure"] == code), None),
            }
        )
    question_flags = [f for f in flags if f["measure"].startswith("q:")]
    return {
        "kind": kind,
        "row": mine,
        "full_rate": kpis.rate(mine["full"], mine["successes"]) if mine else None,
        "measures": measures,
        "question_flags": question_flags,
        "computed_at": stored["computed_at"],
    }


# Each trend series: (key, bad or good count, total count) over a staff row; rates by kpis.rate.
TREND_RATES = (
    ("success_rate", "successes", "delivered"),  # THE 回访成功率 (kpis.success_rate)
    ("full_rate", "full", "successes"),
    ("dissatisfied_rate", "dissatisfied", "successes"),
    ("grumble_rate", "grumbles", "successes"),
    ("complaint_rate", "complained", "tasks"),
)


def staff_trend(*, staff, kind: str, month: dt.date, now: dt.datetime | None = None) -> list[dict]:
    """The person's twelve months up to `month` against their store's, from the store's stored rows
    (those `staff_month_summary` reads): per month the person's and the store's counts and rates
    (`TREND_RATES`). One query when the rows are stored."""
    first = add_months(month, -(store_figures.TREND_MONTHS - 1))
    details = store_figures.stored_details(store_id=staff.store_id, first=first, last=month, now=now)
    trend = []
    for key, stored in details.items():
        mine, store = _person_and_store(stored["detail"]["staff"], staff=staff, kind=kind)
        mine = mine or {}
        entry = {"month": key, "tasks": mine.get("tasks", 0), "store_tasks": store.get("tasks", 0)}
        for name, count, total in TREND_RATES:
            entry[name] = kpis.rate(mine.get(count), mine.get(total))
            entry[f"store_{name}"] = kpis.rate(store.get(count), store.get(total))
        trend.append(entry)
    return trend


def staff_month_unhappy_tasks(*, staff, kind: str, month: dt.date):
    """The person's callbacks of the month counted as 不满意 or 抱怨 (the staff row's
    `dissatisfied` and `grumbles`): their unhappy customers (callbacks.figures.unhappy, the weekly
    callback report's rule)."""
    return staff_month_tasks(staff=staff, kind=kind, month=month).filter(unhappy())


def staff_trend_chart(trend: list[dict]) -> dict:
    """The trend's series for the chart, rates in percent (empty where a rate is)."""
    series = ("full_rate", "store_full_rate", "dissatisfied_rate", "store_dissatisfied_rate")
    return {"labels": [m["month"] for m in trend]} | {
        name: _percent_series([m[name] for m in trend]) for name in series
    }
