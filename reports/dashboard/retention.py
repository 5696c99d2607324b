"""The GM dashboard's 客户维系 section (issue 10 item 7): reminders made in the month (未跳过的提醒, the
提醒统计表's column and 合计 of that name — not its 短信已发), the return rate of each service reminder
kind (首保 / 定保 / 质保到期), lost customers added and the win-back rate, each with its twelve-month
trend.

One figure, one rule (SPEC §9): the counts come from the selectors the report pages read —
`retention.selectors.reminder_counts_by_store_month` (the `reminder_summary` report; rows, total and
rates by its `summary_row` and `summary_total`) and `winback.selectors.winback_counts_by_store_month`
(the win-back page's rate and table 16's 合计 line; rate by `MonthRate`) — each one grouped query for
any span of months and stores. Like every other dashboard figure they are stored per store and month in
StoreMonthFigures (reports.dashboard.figures: the current and previous month every 15 minutes, 24 months
nightly), because a year of reminders at SPEC §12 scale (some two million rows) takes over a second
to aggregate. Reminders return and lost customers come back for months after the month they count
in, so an older month's figure is as of the nightly refresh, which the page says (截至 …).
"""

import datetime as dt

from crm.periods import parse_month
from reports.dashboard import kpis
from retention.choices import REMINDER_KINDS, SERVICE_REMINDER_KINDS, OutreachKind
from retention.selectors import reminder_counts_by_store_month, summary_row, summary_total
from winback.selectors import MonthRate, winback_counts_by_store_month

# The reminder counts the dashboard stores per kind (retention.selectors.FIGURES names).
REMINDER_COUNTS = ("reminders", "skipped", "returned")


def empty_retention_counts() -> dict:
    return {
        "reminders": {kind: dict.fromkeys(REMINDER_COUNTS, 0) for kind in REMINDER_KINDS},
        "winback": {"entries": 0, "recovered": 0},
    }


def retention_counts_by_store_month(*, store_ids: list[int], first: dt.date, last: dt.date) -> dict:
    """Per (store id, "YYYY-MM") of months first..last, the section's counts (empty_retention_counts'
    shape). Two grouped queries whatever the stores and months."""
    months = kpis.month_range(first, last)
    reminders = reminder_counts_by_store_month(store_ids=store_ids, first=first, last=last, names=REMINDER_COUNTS)
    winback = winback_counts_by_store_month(store_ids=store_ids, months=months)
    result = {}
    for store_id in store_ids:
        for month in months:
            counts = empty_retention_counts()
            for kind, found in reminders.get((store_id, month), {}).items():
                counts["reminders"][kind] = found
            counts["winback"] |= winback.get((store_id, month), {})
            result[(store_id, kpis.month_key(month))] = counts
    return result


def _percent(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


def present_retention(trend: list[dict]) -> dict:
    """The section from the twelve months' counts (the stores' summed trend entries; a package
    frozen before the section existed has none: zeros)."""
    months = []
    for entry in trend:
        counts = entry.get("retention") or empty_retention_counts()
        rows = {kind: summary_row(kind, counts["reminders"].get(kind, {})) for kind in REMINDER_KINDS}
        total = summary_total(rows.values())
        win = MonthRate(parse_month(entry["month"]), **counts["winback"])
        months.append(
            {
                "month": entry["month"],
                "made": total["made"],
                "skipped": total["skipped"],
                "return": {kind: rows[kind] for kind in SERVICE_REMINDER_KINDS},
                "lost_added": win.entries,
                "recovered": win.recovered,
                "winback_rate": win.rate,
            }
        )
    labels = dict(OutreachKind.choices)
    current = months[-1]
    return {
        "current": current,
        "previous": months[-2] if len(months) > 1 else None,
        "kinds": [{"kind": kind, "label": labels[kind], **current["return"][kind]} for kind in SERVICE_REMINDER_KINDS],
        "charts": {
            "labels": [m["month"] for m in months],
            "made": [m["made"] for m in months],
            "lost_added": [m["lost_added"] for m in months],
            "recovered": [m["recovered"] for m in months],
            "winback_rate": [_percent(m["winback_rate"]) for m in months],
            **{
                f"return_{kind}": [_percent(m["return"][kind]["return_rate"]) for m in months]
                for kind in SERVICE_REMINDER_KINDS
            },
        },
    }
