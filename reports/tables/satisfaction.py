"""Satisfaction tables 7 and 8 (SPEC §9): by sales consultant, service advisor and repair team.

Each table is ONE GROUP BY query over the month's source rows — deliveries by 交车日期 (with their
task, if any: a customer who refused calls has a delivery and no task), or service tasks by their
repair order's 交车时间 in local time — counted with callbacks.figures' expressions, the rules every
callback figure is counted by (called, success, unsuccessful and its buckets, satisfaction bands).
They read what the task stores (its state, last disposition and bucket, overall score), never its
attempts, so the table is one pass over the month's rows. The 合计 row is the groups' counts added
up (each source row is in exactly one group).

Definitions (SPEC §9):
- 交车数: sales — deliveries of the month; service — repair orders of the month that own a
  callback task (two ROs merged into one task count once, through the later RO that owns it).
- 回访数, 回访成功数, 回访未成功数, 拒访数 / 无人接听数 / 无法接通数 / 号码错误数, 完全满意 /
  基本满意 / 不满意: callbacks.figures.task_counts.
- rates over 回访成功数, 回访成功率 over 交车数 (reports.dashboard.kpis.success_rate's rule); empty when the
  denominator is zero (crm.reporting.rate).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from callbacks import figures
from callbacks.choices import CallbackKind
from callbacks.models import CallbackTask
from crm.models import Delivery
from crm.periods import next_month
from crm.reporting import ReportColumn, ReportTable, rate, without_jit
from reports.periods import month_label, store_label

COUNT_COLUMNS = [
    ("delivered", gettext_noop("交车数")),
    ("called", gettext_noop("回访数")),
    ("success", gettext_noop("回访成功数")),
    ("unsuccessful", gettext_noop("回访未成功数")),
    ("refused", gettext_noop("拒访数")),
    ("no_answer", gettext_noop("无人接听数")),
    ("unreachable", gettext_noop("无法接通数")),
    ("wrong_number", gettext_noop("号码错误数")),
]
SATISFACTION_COLUMNS = [
    ("fully", gettext_noop("完全满意数")),
    ("basically", gettext_noop("基本满意数")),
    ("dissatisfied", gettext_noop("不满意数")),
]


def satisfaction_columns(first_header: str) -> list[ReportColumn]:
    """The exact SPEC §9 headers, in order."""
    cols = [ReportColumn("name", first_header, "text", 14)]
    cols += [ReportColumn(key, header, "int", 9) for key, header in COUNT_COLUMNS]
    cols.append(ReportColumn("success_rate", gettext_noop("回访成功率"), "rate", 10))
    cols += [ReportColumn(key, header, "int", 9) for key, header in SATISFACTION_COLUMNS]
    cols += [
        ReportColumn("fully_rate", gettext_noop("完全满意率"), "rate", 10),
        ReportColumn("basically_rate", gettext_noop("基本满意率"), "rate", 10),
        ReportColumn("dissatisfied_rate", gettext_noop("不满意率"), "rate", 10),
    ]
    return cols


@dataclass(frozen=True)
class Grouping:
    """Where a table's rows come from: the source kind, and the group's id and name fields."""

    name: str
    title: str
    first_header: str
    kind: str
    group: str  # the path from the source row to the group (staff member or team)
    staff_field: str = ""  # the staff member of the row (the 只看自己 filter); "" when not by staff
    unassigned_label: str = ""


SALES = Grouping(
    name="sc_satisfaction",
    title=gettext_noop("销售顾问满意率统计表"),
    first_header=gettext_noop("销售顾问"),
    kind=CallbackKind.SALES,
    group="sales_consultant",
    staff_field="sales_consultant_id",
)
ADVISORS = Grouping(
    name="sa_satisfaction",
    title=gettext_noop("服务顾问满意率统计表"),
    first_header=gettext_noop("服务顾问"),
    kind=CallbackKind.SERVICE,
    group="repair_order__service_advisor",
    staff_field="repair_order__service_advisor_id",
)
TEAMS = Grouping(
    name="team_satisfaction",
    title=gettext_noop("维修班组满意率统计表"),
    first_header=gettext_noop("维修班组"),
    kind=CallbackKind.SERVICE,
    group="repair_order__repair_team",
    unassigned_label=gettext_noop("未分配班组"),
)


def satisfaction_queryset(
    grouping: Grouping,
    *,
    store_ids: list[int] | None,
    first_day: dt.date,
    last_day: dt.date,
    staff_id: int | None,
    now: dt.datetime,
) -> QuerySet:
    """The table's one GROUP BY over the source rows of the days first_day..last_day (a month for
    tables 7/8, a week for the weekly callback report): per group `gid`, `gname`, 交车数
    (`delivered`) and callbacks.figures.task_counts."""
    if grouping.kind == CallbackKind.SALES:
        # From the deliveries, so that one without a task counts in 交车数 (a LEFT JOIN to its task).
        rows = Delivery.objects.filter(delivered_on__gte=first_day, delivered_on__lt=last_day + dt.timedelta(days=1))
        if store_ids is not None:
            rows = rows.filter(store_id__in=store_ids)
        task = "callback_task__"
    else:
        rows = CallbackTask.objects.filter(
            figures.task_period_filter(kind=grouping.kind, first_day=first_day, last_day=last_day, store_ids=store_ids)
        )
        task = ""
    if staff_id is not None and grouping.staff_field:
        rows = rows.filter(**{grouping.staff_field: staff_id})
    return (
        rows.values(gid=F(f"{grouping.group}_id"), gname=F(f"{grouping.group}__name"))
        .annotate(delivered=Count("pk"), **figures.task_counts(now, task))
        .order_by(F("gname").asc(nulls_last=True), "gid")
    )


def _with_rates(row: dict) -> dict:
    row["success_rate"] = rate(row["success"], row["delivered"])
    for key in ("fully", "basically", "dissatisfied"):
        row[f"{key}_rate"] = rate(row[key], row["success"])
    return row


ZERO_TOTAL = {key: 0 for key, _ in COUNT_COLUMNS + SATISFACTION_COLUMNS}


def satisfaction_rows(
    grouping: Grouping,
    *,
    store_ids: list[int] | None,
    month: dt.date,
    staff_id: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[list[dict], dict]:
    """(rows, total) for one table, from one query."""
    qs = satisfaction_queryset(
        grouping,
        store_ids=store_ids,
        first_day=month,
        last_day=next_month(month) - dt.timedelta(days=1),
        staff_id=staff_id,
        now=now or timezone.now(),
    )
    # JIT compilation cost more than this sub-second query saves (80–400 ms of a 300 ms report).
    with without_jit():
        fetched = list(qs)
    rows, total = [], {**ZERO_TOTAL}
    for row in fetched:
        for key in ZERO_TOTAL:
            total[key] += row[key]
        row["name"] = row.pop("gname") or (_(grouping.unassigned_label) if grouping.unassigned_label else "")
        rows.append(_with_rates(row))
    total["name"] = _("合计")
    return rows, _with_rates(total)


def satisfaction_table(
    grouping: Grouping,
    *,
    store_ids: list[int] | None,
    month: dt.date,
    staff_id: int | None = None,
    now: dt.datetime | None = None,
) -> ReportTable:
    rows, total = satisfaction_rows(grouping, store_ids=store_ids, month=month, staff_id=staff_id, now=now)
    return ReportTable(
        name=grouping.name,
        title=grouping.title,
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=satisfaction_columns(grouping.first_header),
        rows=rows,
        total_row=total,
    )


def build_sc_satisfaction(*, store_ids: list[int] | None, month: dt.date, staff_id: int | None = None) -> ReportTable:
    return satisfaction_table(SALES, store_ids=store_ids, month=month, staff_id=staff_id)


def build_sa_satisfaction(*, store_ids: list[int] | None, month: dt.date, staff_id: int | None = None) -> ReportTable:
    return satisfaction_table(ADVISORS, store_ids=store_ids, month=month, staff_id=staff_id)


def build_team_satisfaction(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    return satisfaction_table(TEAMS, store_ids=store_ids, month=month)
