"""Complaint reports (SPEC §9, seed 002's reporting cadence): the month's case list
(`complaints`), the monthly summary (`complaints_monthly`) and the weekly report.

The figures come from `complaints.reports` (the complaints app owns its rules: SLA colour, due
times, what counts as in time); this module shapes them into `ReportTable`s.
"""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from complaints.choices import OPEN_STATES, Category, Channel, FinalResult, Level
from complaints.reports import cases_received, complaints_monthly_summary, complaints_rows
from complaints.selectors import case_colour_filter, sla_compliance
from crm.choices import DepartmentKind
from crm.periods import month_bounds
from crm.reporting import ReportColumn, ReportTable, rate
from reports.periods import month_label, store_label

COMPLAINTS_COLUMNS = [
    ReportColumn("case_no", gettext_noop("受理编号"), "text", 20),
    ReportColumn("received_at", gettext_noop("受理时间"), "datetime", 17),
    ReportColumn("store", gettext_noop("门店"), "text", 14),
    ReportColumn("customer", gettext_noop("客户姓名"), "text", 10),
    ReportColumn("channel", gettext_noop("渠道"), "text", 9),
    ReportColumn("repeat", gettext_noop("首次/再次"), "text", 9),
    ReportColumn("category", gettext_noop("投诉类别"), "text", 10),
    ReportColumn("level", gettext_noop("投诉等级"), "text", 8),
    ReportColumn("department", gettext_noop("责任部门"), "text", 10),
    ReportColumn("handler", gettext_noop("处理人"), "text", 10),
    ReportColumn("complained_staff", gettext_noop("相关责任人"), "text", 10),
    ReportColumn("state", gettext_noop("状态"), "text", 8),
    ReportColumn("escalation", gettext_noop("升级级别"), "int", 8),
    ReportColumn("sla_colour", gettext_noop("SLA颜色"), "text", 8),
    ReportColumn("first_contact_at", gettext_noop("首次联系时间"), "datetime", 17),
    ReportColumn("feedback_at", gettext_noop("部门反馈时间"), "datetime", 17),
    ReportColumn("closed_at", gettext_noop("完结时间"), "datetime", 17),
    ReportColumn("final_result", gettext_noop("最终结果"), "text", 10),
]


def complaints_table(
    *,
    store_ids: list[int] | None,
    start: dt.datetime,
    end: dt.datetime,
    period_label: str,
    title: str = gettext_noop("投诉明细表"),
) -> ReportTable:
    """Every complaint received in [start, end), one row each, oldest first (rows are a generator)."""
    rows = complaints_rows(start=start, end=end, store_ids=store_ids, now=timezone.now())
    count = cases_received(start=start, end=end, store_ids=store_ids).count()
    return ReportTable(
        name="complaints",
        title=title,
        store_label=store_label(store_ids),
        period_label=period_label,
        columns=COMPLAINTS_COLUMNS,
        rows=rows,
        total_row={"case_no": _("合计 %(count)s 件") % {"count": count}},
    )


def build_complaints(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    start, end = month_bounds(month)
    return complaints_table(store_ids=store_ids, start=start, end=end, period_label=month_label(month))


SUMMARY_COLUMNS = [
    ReportColumn("section", gettext_noop("统计项"), "text", 16),
    ReportColumn("item", gettext_noop("项目"), "text", 24),
    ReportColumn("count", gettext_noop("数量"), "number", 10),
    ReportColumn("base", gettext_noop("基数"), "int", 10),
    ReportColumn("share", gettext_noop("比例"), "rate", 10),
]


def _counted(section: str, choices, found: dict, base: int) -> list[dict]:
    """One row per choice (zeros included, so months compare line by line), then any value
    outside the choices (e.g. an empty department: not yet dispatched)."""
    rows = [
        {"section": section, "item": str(label), "count": found.pop(value, 0), "base": base} for value, label in choices
    ]
    for value, n in found.items():
        rows.append(
            {"section": section, "item": _("未派发") if value is None else str(value), "count": n, "base": base}
        )
    for row in rows:
        row["share"] = rate(row["count"], base)
    return rows


# 表扬 (praise) of a department or a person: a complaint the customer closed 满意 — the only praise
# the system records per department or person. THE rule of the monthly report's 受表扬的部门 and of
# the quarterly and annual reports' 表扬 (reports.tables.complaint_trends).
PRAISED = Q(final_result=FinalResult.SATISFIED)


def _praised_departments(*, store_ids: list[int] | None, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """受表扬的部门: departments whose complaints were closed with the customer 满意 this month
    (the only praise the system records per department). One query."""
    qs = cases_received(start=start, end=end, store_ids=store_ids).filter(PRAISED, department__isnull=False)
    return list(qs.values("department__kind").annotate(n=Count("id")).order_by("-n", "department__kind")[:3])


def complaints_monthly_rows(*, store_ids: list[int] | None, start: dt.datetime, end: dt.datetime) -> tuple[list, int]:
    summary = complaints_monthly_summary(start=start, end=end, store_ids=store_ids)
    totals, by = summary["totals"], summary["by"]
    received = totals["received"]
    dept_labels = dict(DepartmentKind.choices)
    rows: list[dict] = []
    rows += _counted(_("按投诉类别"), Category.choices, {r["category"]: r["n"] for r in by["category"]}, received)
    rows += _counted(
        _("按投诉等级"), [(v, v) for v in Level.values], {r["level"]: r["n"] for r in by["level"]}, received
    )
    rows += _counted(
        _("按责任部门"), DepartmentKind.choices, {r["department__kind"]: r["n"] for r in by["department"]}, received
    )
    rows += _counted(_("按渠道"), Channel.choices, {r["channel"]: r["n"] for r in by["channel"]}, received)
    for item, clock in (
        (_("30分钟内派发"), "dispatch"),
        (_("24小时内首次联系"), "contact"),
        (_("48小时内部门反馈"), "feedback"),
    ):
        met, late = totals[f"{clock}_met"], totals[f"{clock}_late"]
        rows.append(
            {
                "section": _("时效达成"),
                "item": item,
                "count": met,
                "base": met + late,
                "share": sla_compliance(totals, clock),
            }
        )
    rows.append(
        {
            "section": _("结案"),
            "item": _("已完结"),
            "count": totals["closed"],
            "base": received,
            "share": rate(totals["closed"], received),
        }
    )
    rows.append({"section": _("结案"), "item": _("平均结案时长（小时）"), "count": totals["avg_hours_to_close"]})
    for r in _praised_departments(store_ids=store_ids, start=start, end=end):
        rows.append(
            {"section": _("受表扬的部门"), "item": str(dept_labels.get(r["department__kind"])), "count": r["n"]}
        )
    most = [r for r in by["department"] if r["department__kind"]][:3]
    for r in most:
        rows.append(
            {
                "section": _("投诉最多的部门"),
                "item": str(dept_labels.get(r["department__kind"])),
                "count": r["n"],
                "base": received,
                "share": rate(r["n"], received),
            }
        )
    for r in by["staff"][:5]:
        rows.append(
            {
                "section": _("投诉最多的员工"),
                "item": r["complained_staff__name"],
                "count": r["n"],
                "base": received,
                "share": rate(r["n"], received),
            }
        )
    return rows, received


def build_complaints_monthly(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    start, end = month_bounds(month)
    rows, received = complaints_monthly_rows(store_ids=store_ids, start=start, end=end)
    return ReportTable(
        name="complaints_monthly",
        title=gettext_noop("投诉月报"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=SUMMARY_COLUMNS,
        rows=rows,
        total_row={
            "section": _("合计"),
            "item": pgettext("complaints monthly report total", "受理投诉"),
            "count": received,
        },
    )


# --- weekly ----------------------------------------------------------------------------------

STAFF_COLUMNS = [
    ReportColumn("name", gettext_noop("被投诉人（相关责任人）"), "text", 16),
    ReportColumn("count", gettext_noop("投诉数"), "int", 8),
    ReportColumn("open", gettext_noop("未完结"), "int", 8),
    ReportColumn("red", gettext_noop("红色"), "int", 8),
]


def week_bounds(day: dt.date) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """The Monday-to-Sunday week holding `day`, as (monday, start, end) in local time."""
    monday = day - dt.timedelta(days=day.weekday())
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(monday, dt.time.min, tz)
    return monday, start, start + dt.timedelta(days=7)


def week_label(monday: dt.date) -> str:
    sunday = monday + dt.timedelta(days=6)
    return _("%(monday)s 至 %(sunday)s") % {"monday": f"{monday:%Y-%m-%d}", "sunday": f"{sunday:%Y-%m-%d}"}


def most_complained_staff(*, store_ids: list[int] | None, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Staff with the most complaints received in the period, by the member of staff complained
    about (相关责任人, table 6) — not the case's handler, who is often their manager. One query."""

    qs = cases_received(start=start, end=end, store_ids=store_ids).filter(complained_staff__isnull=False)
    rows = (
        qs.values("complained_staff_id", "complained_staff__name")
        .annotate(
            count=Count("id"),
            open=Count("id", filter=Q(state__in=OPEN_STATES)),
            red=Count("id", filter=case_colour_filter("red", timezone.now())),
        )
        .order_by("-count", "complained_staff__name")[:10]
    )
    return [{**r, "name": r["complained_staff__name"]} for r in rows]


def build_complaints_weekly(*, store_ids: list[int] | None, day: dt.date) -> list[ReportTable]:
    """The weekly report (seed 002): every case of the week and the most-complained staff."""
    monday, start, end = week_bounds(day)
    label = week_label(monday)
    cases = complaints_table(
        store_ids=store_ids, start=start, end=end, period_label=label, title=gettext_noop("投诉周报·投诉清单")
    )
    staff = ReportTable(
        name="complaints_weekly_staff",
        title=gettext_noop("投诉周报·主要被投诉人"),
        store_label=cases.store_label,
        period_label=label,
        columns=STAFF_COLUMNS,
        rows=most_complained_staff(store_ids=store_ids, start=start, end=end),
    )
    return [cases, staff]
