"""Freezing report tables into JSON for a report package, and thawing them for the page and download.

A `crm.reporting.ReportTable` holds Python values (datetimes, Decimals); JSON holds text and
numbers. Each value is stored by its column's kind and read back by the same kind, so a thawed
table writes the same workbook as the live one did.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone


def _freeze_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _thaw_value(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return value
    if kind == "datetime" and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
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
    from crm.reporting import ReportColumn, ReportTable

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

    A report whose builder fails stops the generation: a package missing a table is not one the
    general manager should approve."""
    try:
        from reports.registry import all_reports
    except ImportError:  # the registry arrives with the reports branch
        return []
    return [table_freeze(spec.build(store_ids=[store_id], month=month)) for spec in all_reports()]
