"""Report writes: exporting a report to .xlsx, with the audit-log entry every export leaves (SPEC §12)."""

import datetime as dt
from typing import IO

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from crm.models import Store, User
from crm.reporting import ReportTable, export_language, write_xlsx
from reports.registry import build_report


def report_export_log(
    *,
    name: str,
    month: dt.date,
    store_ids: list[int] | None,
    user: User | None,
    rows: int,
    via: str,
    period: str | None = None,
) -> LogEntry:
    """An audit-log entry (django-auditlog, action 'access') for one export: who exported which
    report, for which stores and month, how many rows, from the page or the command line."""
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Store),
        object_pk=",".join(str(i) for i in store_ids) if store_ids is not None else "*",
        object_repr=f"导出报表 {name} {period or format(month, '%Y-%m')}",
        action=LogEntry.Action.ACCESS,
        actor=user if user is not None and user.is_authenticated else None,
        changes_text="",
        additional_data={
            "event": "report_export",
            "report": name,
            "month": period or f"{month:%Y-%m}",
            "store_ids": store_ids,
            "rows": rows,
            "via": via,
        },
    )


def report_export(
    *,
    name: str,
    month: dt.date,
    store_ids: list[int] | None,
    out: str | IO[bytes],
    user: User | None = None,
    staff_id: int | None = None,
    full_numbers: bool = True,
    via: str = "command",
) -> ReportTable:
    """Build report `name` and write it to `out`; log the export. Returns the table written.

    The command line is an operator's tool (shell access to the server): numbers are not masked."""
    with export_language():
        table = build_report(name, store_ids=store_ids, month=month, staff_id=staff_id, full_numbers=full_numbers)
        rows = write_xlsx(table, out)
    report_export_log(name=name, month=month, store_ids=store_ids, user=user, rows=rows, via=via)
    return table
