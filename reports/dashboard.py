"""The general manager's dashboard (SPEC §9): which figures to show (an approved package's frozen
figures, or live ones), and how they are presented (KPI tiles, trend series, ranking, flags).

`dashboard_figures` computes COUNTS for a scope of stores (see reports.kpis); a package freezes
exactly that dict; `present` turns counts into what the page shows. So the page, the package and
the tests read one set of rules.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.http import Http404
from django.utils import timezone

from crm.models import Store, User
from crm.scoping import stores_for_user
from reports import kpis
from reports.models import PackageState, ReportPackage

FIGURES_VERSION = 1


def dashboard_figures(*, store_ids: list[int] | None, month: dt.date, now: dt.datetime | None = None) -> dict:
    """Every count the dashboard shows, JSON-ready: 12-month trend (the last entry is `month`),
    per-staff counts and survey question counts."""
    now = now or timezone.now()
    return {
        "version": FIGURES_VERSION,
        "month": kpis.month_key(month),
        "trend": kpis.monthly_counts(store_ids=store_ids, last_month=month, now=now),
        "staff": kpis.staff_counts(store_ids=store_ids, month=month),
        "questions": kpis.question_counts(store_ids=store_ids, month=month),
    }


def combine_figures(parts: list[dict]) -> dict:
    """The figures of several stores as one (counts add up; staff rows stay per store)."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    return {
        "version": first["version"],
        "month": first["month"],
        "trend": [kpis.sum_counts(list(months)) for months in zip(*(p["trend"] for p in parts), strict=True)],
        "staff": [row for p in parts for row in p["staff"]],
        "questions": kpis.combine_question_counts([p["questions"] for p in parts]),
    }


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
        "ranked_by_full": any("full" in row for row in figures["staff"]),
        "flags": kpis.staff_flags(figures["staff"]),
        "weakest": kpis.weakest_questions(figures["questions"]),
        "has_scores": all("full" in m for m in (figures["trend"][-1]["sales"], figures["trend"][-1]["service"])),
    }


@dataclass
class DashboardScope:
    """The stores a request covers and where its figures come from."""

    stores: list[Store]
    selected: Store | None
    month: dt.date
    source: str  # "approved" or "live"
    packages: list[ReportPackage] = field(default_factory=list)  # approved ones among the stores

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
    packages = list(
        ReportPackage.objects.filter(store_id__in=ids, month=month, state=PackageState.APPROVED)
        .select_related("approved_by", "store")
        .order_by("store__code")
    )
    # Approved figures only when every store in view has an approved package: a mix of frozen and
    # live figures would be neither.
    source = "approved" if ids and len(packages) == len(ids) else "live"
    return DashboardScope(stores=stores, selected=selected, month=month, source=source, packages=packages)


def dashboard_data(*, scope: DashboardScope, now: dt.datetime | None = None) -> dict:
    if scope.approved:
        figures = combine_figures([p.figures for p in scope.packages])
    else:
        figures = dashboard_figures(store_ids=scope.store_ids, month=scope.month, now=now)
    return present(figures)


def default_month(now: dt.datetime | None = None) -> dt.date:
    """Last month: the one whose report package the CR manager prepares and the GM reads."""
    return kpis.add_months(kpis.month_start(timezone.localdate(now or timezone.now())), -1)
