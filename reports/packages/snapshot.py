"""Freezing report tables into JSON for a report package, and thawing them for the page and download.

A `crm.reporting.ReportTable` holds Python values (datetimes, Decimals); JSON holds text and
numbers. Each value is stored by its column's kind and read back by the same kind, so a thawed
table writes the same workbook as the live one did.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.reporting import Figure, ReportColumn, ReportTable, export_language, local_naive
from reports.dashboard.board import present
from reports.presentation import display_table
from reports.registry import all_reports


def _freeze_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return local_naive(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Figure):
        return {"value": value.value, "number_format": value.number_format, "text": value.text}
    return str(value)


def _thaw_value(value: Any, kind: str) -> Any:
    if kind == "figure" and isinstance(value, dict):
        return Figure(**value)
    if value is None or value == "" or not isinstance(value, str):
        return value
    try:
        if kind == "datetime":
            return dt.datetime.fromisoformat(value)
        if kind == "date":
            return dt.date.fromisoformat(value)
    except ValueError:  # a label in a date column, e.g. 合计 in the total row
        return value
    return value


def table_freeze(table) -> dict:
    """A ReportTable as JSON-ready data (its rows read once, in column order)."""
    return {
        "name": table.name,
        "title": table.title,
        "store_label": table.store_label,
        "period_label": table.period_label,
        "columns": [{"key": c.key, "header": c.header, "kind": c.kind, "width": c.width} for c in table.columns],
        "rows": [[_freeze_value(v) for v in table.values(row)] for row in table.rows],
        "total": [_freeze_value(v) for v in table.total_values()] if table.total_row is not None else None,
        "notes": list(table.notes),
    }


def table_thaw(data: dict):
    """The frozen table as a ReportTable again (rows as lists in column order)."""

    columns = [ReportColumn(**c) for c in data["columns"]]
    kinds = [c.kind for c in columns]
    rows = [[_thaw_value(v, k) for v, k in zip(row, kinds, strict=False)] for row in data["rows"]]
    total = None
    if data.get("total") is not None:
        total = {c.key: _thaw_value(v, c.kind) for c, v in zip(columns, data["total"], strict=False)}
    return ReportTable(
        name=data["name"],
        title=data["title"],
        store_label=data["store_label"],
        period_label=data["period_label"],
        columns=columns,
        rows=rows,
        total_row=total,
        notes=list(data.get("notes") or []),
    )


def snapshot_tables(*, store_id: int, month: dt.date) -> list[dict]:
    """Every registered report of one store and month, frozen (SPEC §9: the package holds them all).

    Phone numbers are frozen masked: a package travels up the chain and out as a workbook, and
    nobody approving a month's figures needs a customer's number (the live pages show full numbers
    to the roles allowed). A report whose builder fails stops the generation: a package missing a
    table is not one the general manager should approve."""

    with export_language():  # a package is a record: frozen in Chinese, as its workbook is
        return [
            table_freeze(spec.build(store_ids=[store_id], month=month, full_numbers=False)) for spec in all_reports()
        ]


# --- the package as one workbook ----------------------------------------------------------------

KPI_ROWS = (
    (gettext_noop("回访成功率"), "success_rate", "rate"),
    (gettext_noop("销售回访成功率"), "sales_success_rate", "rate"),
    (gettext_noop("售后回访成功率"), "service_success_rate", "rate"),
    (gettext_noop("销售完全满意率"), "sales_full_rate", "rate"),
    (gettext_noop("售后完全满意率"), "service_full_rate", "rate"),
    (gettext_noop("回访任务数"), "tasks", "int"),
    (gettext_noop("回访成功数"), "successes", "int"),
    (gettext_noop("投诉受理数"), "complaints_received", "int"),
    (gettext_noop("投诉结案数"), "complaints_closed", "int"),
    (gettext_noop("红色投诉数"), "complaints_red", "int"),
    (gettext_noop("SLA达标率"), "sla_rate", "rate"),
    (gettext_noop("派发及时率(30分钟)"), "sla_dispatch_rate", "rate"),
    (gettext_noop("首次联系及时率(24小时)"), "sla_contact_rate", "rate"),
    (gettext_noop("部门反馈及时率(48小时)"), "sla_feedback_rate", "rate"),
)


def figures_tables(package) -> list:
    """The dashboard's frozen figures as tables: this month's KPIs, the 12-month trend, the staff
    ranking and the flagged staff."""

    data = present(package.figures)
    store_label, period = package.store.name, f"{package.month:%Y-%m}"
    kpi = data["kpis"]
    text_rows = [{"name": _(label), "value": kpi[key]} for label, key, kind in KPI_ROWS if kind == "int"]
    rate_rows = [{"name": _(label), "value": kpi[key]} for label, key, kind in KPI_ROWS if kind == "rate"]
    tables = [
        ReportTable(
            name="kpi_rates",
            title=gettext_noop("看板指标(比率)"),
            store_label=store_label,
            period_label=period,
            columns=[
                ReportColumn("name", gettext_noop("指标"), width=26),
                ReportColumn("value", gettext_noop("本月"), "rate"),
            ],
            rows=rate_rows,
        ),
        ReportTable(
            name="kpi_counts",
            title=gettext_noop("看板指标(数量)"),
            store_label=store_label,
            period_label=period,
            columns=[
                ReportColumn("name", gettext_noop("指标"), width=26),
                ReportColumn("value", gettext_noop("本月"), "int"),
            ],
            rows=text_rows,
        ),
    ]
    charts = data["charts"]
    trend_columns = [
        ReportColumn("month", gettext_noop("月份"), width=10),
        ReportColumn("success_rate", gettext_noop("回访成功率"), "rate"),
        ReportColumn("sales_full_rate", gettext_noop("销售完全满意率"), "rate", 14),
        ReportColumn("service_full_rate", gettext_noop("售后完全满意率"), "rate", 14),
        ReportColumn("complaints_received", gettext_noop("投诉受理数"), "int"),
        ReportColumn("complaints_closed", gettext_noop("投诉结案数"), "int"),
        ReportColumn("complaints_red", gettext_noop("红色投诉数"), "int"),
        ReportColumn("sla_rate", gettext_noop("SLA达标率"), "rate"),
    ]
    trend_rows = []
    for i, month in enumerate(charts["labels"]):
        row = {"month": month}
        for column in trend_columns[1:]:
            value = charts[column.key][i]
            row[column.key] = value / 100 if column.kind == "rate" and value is not None else value
        trend_rows.append(row)
    tables.append(
        ReportTable(
            name="kpi_trend",
            title=gettext_noop("12个月趋势"),
            store_label=store_label,
            period_label=period,
            columns=trend_columns,
            rows=trend_rows,
        )
    )
    ranking_columns = [
        ReportColumn("kind", gettext_noop("类别"), width=8),
        ReportColumn("staff_name", gettext_noop("姓名")),
        ReportColumn("tasks", gettext_noop("回访任务数"), "int"),
        ReportColumn("successes", gettext_noop("回访成功数"), "int"),
        ReportColumn("success_rate", gettext_noop("回访成功率"), "rate"),
        ReportColumn("full", gettext_noop("完全满意数"), "int"),
        ReportColumn("full_rate", gettext_noop("完全满意率"), "rate"),
        ReportColumn("grumbles", gettext_noop("抱怨数"), "int"),
        ReportColumn("complained", gettext_noop("投诉客户数"), "int"),
    ]
    kind_labels = {"sales": _("销售顾问"), "service": _("服务顾问")}
    ranking_rows = [{**row, "kind": kind_labels[kind]} for kind, rows in data["ranking"].items() for row in rows]
    tables.append(
        ReportTable(
            name="staff_ranking",
            title=gettext_noop("员工排名"),
            store_label=store_label,
            period_label=period,
            columns=ranking_columns,
            rows=ranking_rows,
        )
    )
    flag_columns = [
        ReportColumn("staff_name", gettext_noop("姓名")),
        ReportColumn("label", gettext_noop("指标")),
        ReportColumn("staff_bad", gettext_noop("本人数"), "int"),
        ReportColumn("staff_total", gettext_noop("本人样本"), "int"),
        ReportColumn("staff_rate", gettext_noop("本人比率"), "rate"),
        ReportColumn("store_bad", gettext_noop("门店数"), "int"),
        ReportColumn("store_total", gettext_noop("门店样本"), "int"),
        ReportColumn("store_rate", gettext_noop("门店比率"), "rate"),
        ReportColumn("p_value", gettext_noop("P值(单侧Fisher)"), "number", 16),
    ]
    tables.append(
        ReportTable(
            name="staff_flags",
            title=gettext_noop("显著高于门店的员工"),
            store_label=store_label,
            period_label=period,
            columns=flag_columns,
            rows=data["flags"],
        )
    )
    return tables


def package_workbook_tables(package) -> list:
    """Every sheet of the package's workbook: the dashboard figures, then each frozen report."""
    return [*figures_tables(package), *(table_thaw(t) for t in package.tables)]


def table_preview(data: dict, limit: int = 100) -> dict:
    """A frozen table for the package page: the page's own presentation (reports.presentation —
    title, headers and 合计 in the user's language, the rows as frozen) of its first `limit` rows."""

    return {"display": display_table(table_thaw(data), limit=limit), "row_count": len(data["rows"])}
