"""The registry of reports (SPEC §9): every report has a name, a title and a builder.

A builder is `builder(*, store_ids: list[int] | None, month: datetime.date, **options) -> ReportTable`;
`store_ids` None means every store, `month` is the first day of the month. A report that sales
consultants / service advisors may open declares `own_rows=True`, and its builder then accepts
`staff_id` (their crm.Staff id) and returns only that person's rows (SPEC §9: they see their own).
A report with phone numbers declares `phones=True`; its builder accepts `full_numbers` and masks
the numbers when it is False (SPEC §12: masked for roles that don't need them).

Pages, the `export_report` command, the GM dashboard and the monthly report package all build
reports through `build_report`, so that a figure is computed one way everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from crm.choices import Role
from crm.reporting import ReportTable

Builder = Callable[..., ReportTable]

# Who may open a report unless it says otherwise: the CR department and the general manager.
DEFAULT_ROLES: frozenset[str] = frozenset({Role.CR_MANAGER, Role.GENERAL_MANAGER})


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    builder: Builder
    group: str = ""  # a heading on the index page (回访 / 投诉 / 售后 …)
    roles: frozenset[str] = DEFAULT_ROLES
    own_rows: bool = False  # SC/SA (Role.CONSULTANT) may open it and see only their own rows
    phones: bool = False  # the builder takes `full_numbers`
    order: int = 100
    description: str = ""
    extra: dict = field(default_factory=dict)
    # The period a page picks: "month" (the month picker) or "quarter" / "year" (the builder still
    # takes a month and reports the quarter or year holding it; so do export_report --month and
    # the monthly package).
    period: str = "month"
    # charts(table) -> a list of chart specs (reports/charts.py) drawn above the table on the page.
    charts: Callable[[ReportTable], list[dict]] | None = None

    def build(
        self,
        *,
        store_ids: Iterable[int] | None,
        month: dt.date,
        staff_id: int | None = None,
        full_numbers: bool = True,
    ) -> ReportTable:
        options: dict = {"staff_id": staff_id} if self.own_rows and staff_id is not None else {}
        if self.phones:
            options["full_numbers"] = full_numbers
        ids = sorted(store_ids) if store_ids is not None else None
        return self.builder(store_ids=ids, month=month.replace(day=1), **options)


_REPORTS: dict[str, ReportSpec] = {}


class UnknownReport(KeyError):
    pass


def register_report(
    name: str,
    title: str,
    builder: Builder,
    *,
    group: str = "",
    roles: Iterable[str] | None = None,
    own_rows: bool = False,
    phones: bool = False,
    order: int = 100,
    description: str = "",
    period: str = "month",
    charts: Callable[[ReportTable], list[dict]] | None = None,
) -> ReportSpec:
    """Register (or re-register, e.g. after a module reload) the report `name`."""
    spec = ReportSpec(
        name=name,
        title=title,
        builder=builder,
        group=group,
        roles=frozenset(roles) if roles is not None else DEFAULT_ROLES,
        own_rows=own_rows,
        phones=phones,
        order=order,
        description=description,
        period=period,
        charts=charts,
    )
    _REPORTS[name] = spec
    return spec


def get_report(name: str) -> ReportSpec:
    try:
        return _REPORTS[name]
    except KeyError:
        raise UnknownReport(name) from None


def all_reports() -> list[ReportSpec]:
    return sorted(_REPORTS.values(), key=lambda s: (s.order, s.name))


def report_names() -> list[str]:
    return [spec.name for spec in all_reports()]


def build_report(
    name: str,
    *,
    store_ids: Iterable[int] | None,
    month: dt.date,
    staff_id: int | None = None,
    full_numbers: bool = True,
) -> ReportTable:
    return get_report(name).build(store_ids=store_ids, month=month, staff_id=staff_id, full_numbers=full_numbers)


# --- weekly reports ---------------------------------------------------------------------------
# A weekly report is a few tables of one Monday-to-Sunday week (the weekly complaint report, the
# weekly callback report): `builder(*, store_ids, day, **options) -> list[ReportTable]`, the week
# holding `day`. Its page, its .xlsx download and the API build it here.

WeeklyBuilder = Callable[..., list[ReportTable]]


@dataclass(frozen=True)
class WeeklyReportSpec:
    name: str
    title: str
    builder: WeeklyBuilder
    # The week a page or a call without one opens on: the day given falls in it.
    default_day: Callable[[], dt.date]
    phones: bool = False  # the builder takes `full_numbers`

    def build(self, *, store_ids: Iterable[int] | None, day: dt.date, full_numbers: bool = True) -> list[ReportTable]:
        options: dict = {"full_numbers": full_numbers} if self.phones else {}
        ids = sorted(store_ids) if store_ids is not None else None
        return self.builder(store_ids=ids, day=day, **options)


_WEEKLY_REPORTS: dict[str, WeeklyReportSpec] = {}


def register_weekly_report(
    name: str, title: str, builder: WeeklyBuilder, *, default_day: Callable[[], dt.date], phones: bool = False
) -> WeeklyReportSpec:
    spec = WeeklyReportSpec(name=name, title=title, builder=builder, default_day=default_day, phones=phones)
    _WEEKLY_REPORTS[name] = spec
    return spec


def get_weekly_report(name: str) -> WeeklyReportSpec:
    try:
        return _WEEKLY_REPORTS[name]
    except KeyError:
        raise UnknownReport(name) from None


def all_weekly_reports() -> list[WeeklyReportSpec]:
    return sorted(_WEEKLY_REPORTS.values(), key=lambda s: s.name)
