"""The weekly callback report for the service manager (seed 002's weekly cadence, seed 003's
per-advisor follow-up): the service callbacks of one Monday-to-Sunday week by service advisor —
tasks, called, successful, 回访成功率, the overall scores — and the unhappy customers of the week
with their reasons.

"The week's callbacks" are the service tasks whose repair order was delivered (交车时间, local
time) in the week: table 8's query (reports.tables.satisfaction.satisfaction_queryset, by service
advisor) over a week instead of a month (callbacks.figures.task_period_filter), so that every count
and 回访成功率 is SPEC §9's over the same tasks. A task's window closes 7 days after its RO's
delivery, so a week's figures settle one week after it ends: the page opens on the week before last
(`default_week`).

Unhappy (不满意客户): callbacks.figures.unhappy — a successful callback whose overall score is 不满意
(1–5), or that raised a hot alert (a negative answer or a grumble ticked, SPEC §6); its reasons are
the alert's, as stored.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from callbacks import figures
from callbacks.choices import CallbackKind
from callbacks.models import CallbackTask
from crm.masking import mask_text
from crm.reporting import ReportColumn, ReportTable, rate, without_jit
from reports.periods import store_label
from reports.tables.complaints import week_bounds, week_label
from reports.tables.satisfaction import ADVISORS, satisfaction_queryset

KIND = CallbackKind.SERVICE.value

ADVISOR_COLUMNS = [
    ReportColumn("name", gettext_noop("服务顾问"), "text", 14),
    ReportColumn("delivered", gettext_noop("交车数"), "int", 9),
    ReportColumn("called", gettext_noop("回访数"), "int", 9),
    ReportColumn("success", gettext_noop("回访成功数"), "int", 9),
    ReportColumn("unsuccessful", gettext_noop("回访未成功数"), "int", 9),
    ReportColumn("success_rate", gettext_noop("回访成功率"), "rate", 10),
    ReportColumn("avg_score", gettext_noop("平均总体评分"), "number", 10),
    ReportColumn("fully", gettext_noop("完全满意数"), "int", 9),
    ReportColumn("basically", gettext_noop("基本满意数"), "int", 9),
    ReportColumn("dissatisfied", gettext_noop("不满意数"), "int", 9),
    ReportColumn("unhappy", gettext_noop("不满意客户数"), "int", 10),
]
UNHAPPY_COLUMNS = [
    ReportColumn("advisor", gettext_noop("服务顾问"), "text", 12),
    ReportColumn("ro_no", gettext_noop("工单号"), "text", 16),
    ReportColumn("delivered_at", gettext_noop("交车时间"), "datetime", 17),
    ReportColumn("customer", gettext_noop("客户姓名"), "text", 10),
    ReportColumn("completed_at", gettext_noop("回访时间"), "datetime", 17),
    ReportColumn("score", gettext_noop("总体评分"), "int", 8),
    ReportColumn("reasons", gettext_noop("不满意原因"), "text", 60),
    ReportColumn("alert_state", gettext_noop("预警处理"), "text", 24),
]


def default_week(today: dt.date | None = None) -> dt.date:
    """The Monday of the week before last: the last week whose callback windows have all closed."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=today.weekday() + 14)


def week_days(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and the Sunday of the week holding `day` (reports.tables.complaints.week_bounds)."""
    monday = week_bounds(day)[0]
    return monday, monday + dt.timedelta(days=6)


def advisor_rows(
    *, store_ids: list[int] | None, first_day: dt.date, last_day: dt.date, now: dt.datetime
) -> tuple[list[dict], dict]:
    """(rows, total) by service advisor: table 8's GROUP BY over the days, with the scores and the
    unhappy count added to it (one query)."""
    qs = satisfaction_queryset(
        ADVISORS, store_ids=store_ids, first_day=first_day, last_day=last_day, staff_id=None, now=now
    ).annotate(
        score_avg=Avg("overall_score", filter=figures.success()),
        scored=Count("pk", filter=figures.success() & Q(overall_score__isnull=False)),
        unhappy=Count("pk", filter=figures.unhappy()),
    )
    with without_jit():
        fetched = list(qs)
    keys = ("delivered", "called", "success", "unsuccessful", "fully", "basically", "dissatisfied", "unhappy")
    total = dict.fromkeys(keys, 0)
    score_total, scored_total = 0.0, 0
    rows = []
    for row in fetched:
        for key in keys:
            total[key] += row[key]
        if row["scored"]:
            score_total += row["score_avg"] * row["scored"]
            scored_total += row["scored"]
        rows.append(
            {
                **row,
                "name": row["gname"] or "",
                "success_rate": rate(row["success"], row["delivered"]),
                "avg_score": round(row["score_avg"], 1) if row["score_avg"] is not None else None,
            }
        )
    total.update(
        name=_("合计"),
        success_rate=rate(total["success"], total["delivered"]),
        avg_score=round(score_total / scored_total, 1) if scored_total else None,
    )
    return rows, total


def unhappy_rows(
    *, store_ids: list[int] | None, first_day: dt.date, last_day: dt.date, full_numbers: bool = True
) -> list[dict]:
    """The unhappy customers of the days' service callbacks, each with the reasons its hot alert
    stored: one query."""
    period = figures.task_period_filter(kind=KIND, first_day=first_day, last_day=last_day, store_ids=store_ids)
    tasks = (
        CallbackTask.objects.filter(period)
        .filter(figures.unhappy())
        .select_related("customer", "repair_order__service_advisor", "hot_alert")
        .order_by("repair_order__service_advisor__name", "repair_order__delivered_at", "pk")
    )
    rows = []
    for task in tasks:
        alert = getattr(task, "hot_alert", None)
        if alert is None:
            alert_state = ""
        elif alert.closed_at:
            alert_state = _("已关闭：%(note)s") % {"note": alert.close_note}
        else:
            alert_state = _("未关闭")
        ro = task.repair_order
        rows.append(
            {
                "advisor": ro.service_advisor.name if ro and ro.service_advisor_id else "",
                "ro_no": ro.ro_no if ro else "",
                "delivered_at": ro.delivered_at if ro else None,
                "customer": task.customer.name,
                "completed_at": task.completed_at,
                "score": task.overall_score,
                "reasons": ("；".join(alert.reasons) if full_numbers else mask_text("；".join(alert.reasons)))
                if alert
                else "",
                "alert_state": alert_state,
            }
        )
    return rows


def build_callbacks_weekly(
    *, store_ids: list[int] | None, day: dt.date, now: dt.datetime | None = None, full_numbers: bool = True
) -> list[ReportTable]:
    """The week holding `day`: the advisors' table and the unhappy customers' list (the customers'
    words in its reasons masked unless `full_numbers`)."""
    monday, sunday = week_days(day)
    label, stores = week_label(monday), store_label(store_ids)
    rows, total = advisor_rows(store_ids=store_ids, first_day=monday, last_day=sunday, now=now or timezone.now())
    advisors = ReportTable(
        name="callbacks_weekly",
        title=gettext_noop("售后回访周报·服务顾问"),
        store_label=stores,
        period_label=label,
        columns=ADVISOR_COLUMNS,
        rows=rows,
        total_row=total,
        notes=[
            gettext_noop("本周交车（工单交车时间）的售后回访任务；回访成功率 = 回访成功数 ÷ 交车数。"),
            gettext_noop("不满意客户：总体评分1–5分，或回访中有负面回答、标记抱怨（回访预警）的客户。"),
        ],
    )
    unhappy_table = ReportTable(
        name="callbacks_weekly_unhappy",
        title=gettext_noop("售后回访周报·不满意客户"),
        store_label=stores,
        period_label=label,
        columns=UNHAPPY_COLUMNS,
        rows=unhappy_rows(store_ids=store_ids, first_day=monday, last_day=sunday, full_numbers=full_numbers),
    )
    return [advisors, unhappy_table]


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def callbacks_weekly_chart(advisors: ReportTable) -> list[dict]:
    """A bar chart of each advisor's 回访成功率 and 完全满意 share (from the table's rows)."""
    rows = [row for row in advisors.rows if row["delivered"]]
    return [
        {
            "id": "advisors",
            "type": "bar",
            "percent": True,
            "title": _("服务顾问：回访成功率与完全满意率"),
            "labels": [row["name"] or "—" for row in rows],
            "datasets": [
                {
                    "label": _("回访成功率"),
                    "data": [_percent(row["success_rate"]) for row in rows],
                },
                {
                    "label": _("完全满意率"),
                    "data": [_percent(rate(row["fully"], row["success"])) for row in rows],
                },
            ],
        }
    ]
