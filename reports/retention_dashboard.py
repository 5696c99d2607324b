"""The GM dashboard's 客户维系 section (issue 10 item 7): reminders made in the month, the return rate
of each service reminder kind (首保 / 定保 / 质保到期), lost customers added and the win-back rate, each
with its twelve-month trend.

One figure, one rule (SPEC §9): every figure comes from the selector the report pages read —
`retention.selectors.reminder_summary_months` (the `reminder_summary` report) and
`winback.selectors.winback_rates` (the win-back page's rate and table 16's 合计 line) — each one
grouped query for the twelve months. The figures are always live: reminders are returned and
customers recovered for months after the month they belong to, so a frozen copy would go stale; the
page says so.
"""

import datetime as dt

from reports import kpis
from reports.figures import TREND_MONTHS
from retention.choices import SERVICE_REMINDER_KINDS, OutreachKind
from retention.selectors import reminder_summary_months
from winback.selectors import winback_rates


def _percent(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


def retention_figures(*, store_ids: list[int], month: dt.date) -> dict:
    """The month's figures and the twelve months' series up to `month`. Two queries."""
    months = kpis.month_range(kpis.add_months(month, -(TREND_MONTHS - 1)), month)
    summaries = reminder_summary_months(store_ids=store_ids, months=months)
    rates = winback_rates(store_ids=store_ids, months=months)
    trend = []
    for m, win in zip(months, rates, strict=True):
        rows = {row["kind"]: row for row in summaries[m]}
        trend.append(
            {
                "month": kpis.month_key(m),
                "made": sum(row["made"] for row in rows.values()),
                "skipped": sum(row["skipped"] for row in rows.values()),
                "return": {kind: rows[kind] for kind in SERVICE_REMINDER_KINDS},
                "lost_added": win.entries,
                "recovered": win.recovered,
                "winback_rate": win.rate,
            }
        )
    labels = dict(OutreachKind.choices)
    current = trend[-1]
    return {
        "current": current,
        "previous": trend[-2] if len(trend) > 1 else None,
        "kinds": [{"kind": kind, "label": labels[kind], **current["return"][kind]} for kind in SERVICE_REMINDER_KINDS],
        "charts": {
            "labels": [t["month"] for t in trend],
            "made": [t["made"] for t in trend],
            "lost_added": [t["lost_added"] for t in trend],
            "recovered": [t["recovered"] for t in trend],
            "winback_rate": [_percent(t["winback_rate"]) for t in trend],
            **{
                f"return_{kind}": [_percent(t["return"][kind]["return_rate"]) for t in trend]
                for kind in SERVICE_REMINDER_KINDS
            },
        },
    }
