"""Service appointment reports (issue 15 item 2): bookings, arrival rate and no-show rate by
source and by service advisor, for the bookings of a month's days. Figures and rates from
appointments.stats (the rates' rule lives there)."""

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from appointments.choices import Source
from appointments.stats import appointment_counts, appointment_counts_by_advisor, appointment_totals, with_rates
from crm.reporting import ReportColumn, ReportTable
from reports.periods import month_label, store_label

FIGURE_COLUMNS = [
    ReportColumn("bookings", gettext_noop("预约数"), "int", 8),
    ReportColumn("arrived", gettext_noop("到店"), "int", 8),
    ReportColumn("no_show", gettext_noop("爽约"), "int", 8),
    ReportColumn("cancelled", gettext_noop("取消"), "int", 8),
    ReportColumn("arrival_rate", gettext_noop("到店率"), "rate", 8),
    ReportColumn("no_show_rate", gettext_noop("爽约率"), "rate", 8),
]
NOTE = gettext_noop("到店率 = 到店 ÷（到店 + 爽约）；爽约率 = 爽约 ÷（到店 + 爽约）。已取消和尚未到日期的预约不计入。")


def _table(
    *, name: str, title: str, first: list[ReportColumn], rows: list[dict], store_ids, month: dt.date
) -> ReportTable:
    return ReportTable(
        name=name,
        title=title,
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=[*first, *FIGURE_COLUMNS],
        rows=[with_rates(row) for row in rows],
        total_row=appointment_totals(rows),
        notes=[NOTE],
    )


def build_appointments_by_source(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    labels = dict(Source.choices)
    rows = [
        {**row, "key": str(labels.get(row["key"], row["key"]))}
        for row in appointment_counts(store_ids=store_ids, month=month, by="source")
    ]
    return _table(
        name="appointments_by_source",
        title=gettext_noop("预约到店统计（按来源）"),
        first=[ReportColumn("key", gettext_noop("预约来源"), "text", 12)],
        rows=rows,
        store_ids=store_ids,
        month=month,
    )


def build_appointments_by_advisor(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    """One row per advisor (grouped by id, so two of one name are two rows); a report over several
    stores names each row's store."""
    rows = [
        {**row, "key": row.pop("name") or _("未指定")}
        for row in appointment_counts_by_advisor(store_ids=store_ids, month=month)
    ]
    first = [ReportColumn("key", gettext_noop("服务顾问"), "text", 12)]
    if store_ids is None or len(store_ids) > 1:
        first.insert(0, ReportColumn("store", gettext_noop("门店"), "text", 16))
    return _table(
        name="appointments_by_advisor",
        title=gettext_noop("预约到店统计（按服务顾问）"),
        first=first,
        rows=rows,
        store_ids=store_ids,
        month=month,
    )
