"""The quarterly and annual complaint reports (seed 002's reporting cadence; SPEC §9 "quarterly and
annual (trends)"): the complaints received in each month of the quarter or year, by category,
level, department and channel; SLA compliance per month; closed cases; and 表彰/批评 — praise and
criticism by department and by staff member.

One table per report, in the monthly report's shape (统计项, 项目, …) with one column per month,
then 合计, 基数 and 比例, so that the page, the .xlsx export, `export_report` and a frozen monthly
package carry the same rows. The charts on the page are drawn from the same rows
(`complaint_trend_charts`), never counted again.

Rules used, not rewritten:
- the cases of a period: complaints.reports.cases_received (received_at in local months, the month
  rule of crm.periods); a case's month is its received_at's month in local time;
- SLA compliance: complaints.selectors.sla_counts / sla_compliance (SPEC §9 "One figure, one
  rule"), counted per month with the same aggregates as the monthly report and the dashboard;
- closed: complaints.selectors.case_closed_filter;
- praise (表扬): reports.tables.complaints.PRAISED, the monthly report's rule (a case the customer
  closed 满意 — the only praise the system records per department or person);
- criticism (批评): every complaint received, counted against its responsible department and
  against the staff member complained about (COMPLAINED_STAFF below).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, DateField, F
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints.choices import Category, Channel, Level
from complaints.reports import cases_received
from complaints.selectors import SLA_CLOCKS, case_closed_filter, sla_compliance, sla_counts
from crm.choices import DepartmentKind
from crm.periods import month_bounds
from crm.reporting import ReportColumn, ReportTable, rate, without_jit
from reports.periods import period_label, period_months, store_label
from reports.tables.complaints import PRAISED

# THE staff member a complaint counts against in 批评·员工 / 表扬·员工: the case's 相关责任人 (table 6),
# not its handler — the weekly report's "most complained staff" counts the same field.
COMPLAINED_STAFF = "complained_staff"

# Month headers (msgids: the page translates headers, the export keeps them Chinese).
MONTH_HEADERS = [
    gettext_noop("1月"),
    gettext_noop("2月"),
    gettext_noop("3月"),
    gettext_noop("4月"),
    gettext_noop("5月"),
    gettext_noop("6月"),
    gettext_noop("7月"),
    gettext_noop("8月"),
    gettext_noop("9月"),
    gettext_noop("10月"),
    gettext_noop("11月"),
    gettext_noop("12月"),
]
CLOCK_LABELS = {
    "dispatch": gettext_noop("30分钟内派发"),
    "contact": gettext_noop("24小时内首次联系"),
    "feedback": gettext_noop("48小时内部门反馈"),
}
STAFF_ROWS = 10  # the staff members listed under 表扬 and 批评 (most first)

TITLES = {"quarter": gettext_noop("投诉季报"), "year": gettext_noop("投诉年报")}


def trend_columns(months: list[dt.date]) -> list[ReportColumn]:
    return [
        ReportColumn("section", gettext_noop("统计项"), "text", 14),
        ReportColumn("item", gettext_noop("项目"), "text", 22),
        *(ReportColumn(f"m{i}", MONTH_HEADERS[m.month - 1], "int", 7) for i, m in enumerate(months)),
        ReportColumn("total", gettext_noop("合计"), "int", 8),
        ReportColumn("base", gettext_noop("基数"), "int", 8),
        ReportColumn("share", gettext_noop("比例"), "rate", 9),
    ]


def _month(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


class _Counter:
    """Counts keyed by (row key, month index), read back as table rows."""

    def __init__(self, months: list[dt.date]):
        self.index = {m: i for i, m in enumerate(months)}
        self.size = len(months)
        self.counts: dict[tuple, list[int]] = {}

    def add(self, key: tuple, month, n: int) -> None:
        self.counts.setdefault(key, [0] * self.size)[self.index[_month(month)]] += n

    def get(self, key: tuple) -> list[int]:
        return self.counts.get(key, [0] * self.size)


def _row(section: str, item: str, key: tuple, per_month: list[int], *, base: int | None = None) -> dict:
    """A table row; `key` (not a column) tells the charts which figure the row holds."""
    row = {"section": section, "item": item, "key": key, "total": sum(per_month)}
    row.update({f"m{i}": n for i, n in enumerate(per_month)})
    if base is not None:
        row["base"] = base
        row["share"] = rate(row["total"], base)
    return row


def complaint_trend_rows(
    *, store_ids: list[int] | None, months: list[dt.date], now: dt.datetime | None = None
) -> tuple[list[dict], int]:
    """(rows, received) of the months' complaints. Six GROUP BY queries whatever the rows, without
    JIT (crm.reporting.without_jit: compiling cost more than the sub-second aggregates it served)."""
    with without_jit():
        return _trend_rows(store_ids=store_ids, months=months, now=now or timezone.now())


def _trend_rows(*, store_ids: list[int] | None, months: list[dt.date], now: dt.datetime) -> tuple[list[dict], int]:
    start, end = month_bounds(months[0], months[-1])
    by_month = TruncMonth("received_at", output_field=DateField())
    qs = cases_received(start=start, end=end, store_ids=store_ids).annotate(cm=by_month)
    counter = _Counter(months)

    # 1. received, closed and the SLA counters per month (THE SLA rule: complaints.selectors).
    sla_fields = [f"{clock}_{x}" for clock in SLA_CLOCKS for x in ("met", "late")]
    for r in qs.values("cm").annotate(
        received=Count("id"), closed=Count("id", filter=case_closed_filter()), **sla_counts(now)
    ):
        for field in ("received", "closed", *sla_fields):
            counter.add(("totals", field), r["cm"], r[field])
    # 2.-4. category, level, channel per month.
    for field in ("category", "level", "channel"):
        for r in qs.values("cm", field).annotate(n=Count("id")):
            counter.add((field, r[field]), r["cm"], r["n"])
    # 5. department: criticism (every complaint) and praise per month.
    for r in qs.values("cm", "department__kind").annotate(n=Count("id"), praised=Count("id", filter=PRAISED)):
        counter.add(("department", r["department__kind"]), r["cm"], r["n"])
        counter.add(("praised_department", r["department__kind"]), r["cm"], r["praised"])
    # 6. the staff member complained about: criticism and praise per month.
    staff = COMPLAINED_STAFF
    names: dict[int, str] = {}
    staff_rows = (
        qs.filter(**{f"{staff}__isnull": False})
        .values("cm", sid=F(f"{staff}_id"), sname=F(f"{staff}__name"))
        .annotate(n=Count("id"), praised=Count("id", filter=PRAISED))
    )
    for r in staff_rows:
        names[r["sid"]] = r["sname"]
        counter.add(("staff", r["sid"]), r["cm"], r["n"])
        counter.add(("praised_staff", r["sid"]), r["cm"], r["praised"])

    received_months = counter.get(("totals", "received"))
    received = sum(received_months)
    rows: list[dict] = [_row(_("受理"), _("受理投诉"), ("received",), received_months, base=received)]
    closed = counter.get(("totals", "closed"))
    rows.append(_row(_("受理"), _("已完结"), ("closed",), closed, base=received))

    def dimension(section: str, field: str, choices) -> None:
        for value, label in choices:
            rows.append(_row(section, str(label), (field, value), counter.get((field, value)), base=received))

    dimension(_("按投诉类别"), "category", Category.choices)
    dimension(_("按投诉等级"), "level", [(v, v) for v in Level.values])
    dimension(_("按责任部门"), "department", [*DepartmentKind.choices, (None, _("未派发"))])
    dimension(_("按渠道"), "channel", Channel.choices)

    for clock, label in CLOCK_LABELS.items():
        met, late = counter.get(("totals", f"{clock}_met")), counter.get(("totals", f"{clock}_late"))
        totals = {f"{clock}_met": sum(met), f"{clock}_late": sum(late)}
        rows.append(
            {
                **_row(_("时效达成"), _("%(clock)s·达成") % {"clock": _(label)}, ("sla_met", clock), met),
                "base": sum(met) + sum(late),
                "share": sla_compliance(totals, clock),
            }
        )
        rows.append(_row(_("时效达成"), _("%(clock)s·超时") % {"clock": _(label)}, ("sla_late", clock), late))

    dept_labels = dict(DepartmentKind.choices)
    rows += _ranked(_("表扬·部门"), counter, "praised_department", lambda k: str(dept_labels.get(k, _("未派发"))), None)
    rows += _ranked(_("表扬·员工"), counter, "praised_staff", names.get, None, limit=STAFF_ROWS)
    rows += _ranked(_("批评·部门"), counter, "department", lambda k: str(dept_labels.get(k, _("未派发"))), received)
    rows += _ranked(_("批评·员工"), counter, "staff", names.get, received, limit=STAFF_ROWS)
    return rows, received


def _ranked(section: str, counter: _Counter, field: str, label, base: int | None, limit: int | None = None) -> list:
    """The non-zero rows of one kind, most first (then by name), at most `limit`."""
    found = [(key[1], months) for key, months in counter.counts.items() if key[0] == field and sum(months)]
    found.sort(key=lambda kv: (-sum(kv[1]), str(label(kv[0]))))
    return [_row(section, str(label(k)), (field, k), months, base=base) for k, months in found[:limit]]


def complaint_trend_table(
    kind: str, *, store_ids: list[int] | None, month: dt.date, now: dt.datetime | None = None
) -> ReportTable:
    months = period_months(kind, month)
    rows, _received = complaint_trend_rows(store_ids=store_ids, months=months, now=now)
    return ReportTable(
        name=f"complaints_{'quarterly' if kind == 'quarter' else 'annual'}",
        title=TITLES[kind],
        store_label=store_label(store_ids),
        period_label=period_label(kind, month),
        columns=trend_columns(months),
        rows=rows,
        notes=[
            gettext_noop("表扬：客户对处理结果“满意”而完结的投诉；批评：受理的投诉，计入责任部门与被投诉人。"),
            gettext_noop("时效达成率 = 达成 ÷（达成 + 超时），与投诉月报、总经理看板同一口径。"),
        ],
    )


def build_complaints_quarterly(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    """The quarter holding `month` (export_report complaints_quarterly --month 2026-08 → Q3)."""
    return complaint_trend_table("quarter", store_ids=store_ids, month=month)


def build_complaints_annual(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    """The year holding `month`."""
    return complaint_trend_table("year", store_ids=store_ids, month=month)


# --- charts (drawn by static/js/report_charts.js from these specs) ----------------------------------


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def complaint_trend_charts(table: ReportTable) -> list[dict]:
    """The page's charts, read from the table's rows (the figures are counted once, in the
    builder): received and closed by month, SLA compliance by month, complaints by category per
    month (stacked), and praise and criticism by department."""
    month_columns = [c for c in table.columns if c.key.startswith("m") and c.key[1:].isdigit()]
    labels = [_(c.header) for c in month_columns]
    by_key = {row["key"]: row for row in table.rows}

    def series(row: dict) -> list[int]:
        return [row.get(c.key) or 0 for c in month_columns]

    volume = [
        {"label": str(by_key[("received",)]["item"]), "data": series(by_key[("received",)])},
        {"label": str(by_key[("closed",)]["item"]), "data": series(by_key[("closed",)])},
    ]
    sla = []
    for clock, label in CLOCK_LABELS.items():
        met, late = series(by_key[("sla_met", clock)]), series(by_key[("sla_late", clock)])
        sla.append(
            {
                "label": _(label),
                "data": [
                    _percent(sla_compliance({f"{clock}_met": m, f"{clock}_late": n}, clock))
                    for m, n in zip(met, late, strict=True)
                ],
            }
        )
    categories = [
        {"label": row["item"], "data": series(row)}
        for key, row in by_key.items()
        if key[0] == "category" and row["total"]
    ]
    departments = [row for key, row in by_key.items() if key[0] == "department" and row["total"]]
    praised = {row["key"][1]: row["total"] for row in table.rows if row["key"][0] == "praised_department"}
    return [
        {"id": "volume", "type": "line", "title": _("受理与完结（按月）"), "labels": labels, "datasets": volume},
        {
            "id": "sla",
            "type": "line",
            "percent": True,
            "title": _("时效达成率（按月）"),
            "labels": labels,
            "datasets": sla,
        },
        {
            "id": "category",
            "type": "bar",
            "stacked": True,
            "title": _("按投诉类别（按月）"),
            "labels": labels,
            "datasets": categories,
        },
        {
            "id": "department",
            "type": "bar",
            "horizontal": True,
            "title": _("按责任部门：批评与表扬"),
            "labels": [row["item"] for row in departments],
            "datasets": [
                {"label": _("投诉（批评）"), "data": [row["total"] for row in departments]},
                {"label": _("表扬"), "data": [praised.get(row["key"][1], 0) for row in departments]},
            ],
        },
    ]
