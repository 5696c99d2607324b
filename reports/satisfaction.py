"""Satisfaction tables 7 and 8 (SPEC §9): by sales consultant, service advisor and repair team.

Each table is ONE SQL statement: a CTE reads the month's source events (deliveries by 交车日期;
service tasks by their repair order's 交车时间, month boundaries at local midnight in Asia/Shanghai)
with each task's last attempt, and the outer query counts with FILTER clauses, per group and (a
UNION ALL branch over the same CTE) for the 合计 row. Raw SQL because the last attempt must be read
once per task (a correlated subquery repeated inside five ORM FILTER clauses costs five lookups per
task).

Definitions (SPEC §9), every rule taken from its one home:
- 交车数: sales — deliveries of the month; service — repair orders of the month that own a
  callback task (two ROs merged into one task count once, through the later RO that owns it).
- 回访数: tasks with at least one attempt (call, SMS reply or imported row), an SMS survey sent,
  or a success.
- the last attempt: read from the attempts for open tasks, from `final_disposition` for closed
  ones (see _TASK_COLUMNS).
- 回访成功数: tasks in state DONE (成功 or 短信回复; callbacks.services sets DONE on exactly those).
- 回访未成功数: called, not successful, and closed or past the end of the window.
- 拒访数 / 无人接听数 / 无法接通数 / 号码错误数: 回访未成功数 split by the bucket of the task's last
  attempt (callbacks.choices.DISPOSITION_RULES). An unsuccessful task whose last attempt was an
  appointment (预约) or that only had an SMS sent falls in none of the four.
- 完全满意 / 基本满意 / 不满意: successful tasks by overall score 8–10 / 6–7 / 1–5
  (surveys.choices thresholds); rates over 回访成功数, 回访成功率 over 交车数; empty when the
  denominator is zero (crm.reporting.rate).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from callbacks.choices import NOT_CALLED, Bucket, TaskState, dispositions_in_bucket
from crm.periods import month_bounds, next_month
from crm.reporting import ReportColumn, ReportTable, rate, without_jit
from reports.periods import month_label, store_label
from surveys.choices import BASICALLY_SATISFIED_MIN, FULLY_SATISFIED_MIN

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
    """Where a table's rows come from: the CTE's FROM/WHERE and the group id and name."""

    name: str
    title: str
    first_header: str
    source_sql: str  # selects gid, gname, t.* columns; placeholders %(stores)s %(start)s %(end)s %(staff)s
    unassigned_label: str = ""


# The last attempt's disposition. A successful task needs none (it counts as called and in no
# bucket); a closed unsuccessful task carries it as `final_disposition` (callbacks sets it to the
# last attempt's, or 未回访 when there was none — SPEC §6); only tasks still open or in the data-fix
# queue read their attempts. On a past month that skips the lookup for nearly every task.
_TASK_COLUMNS = """
    t.id AS task_id, t.state, t.window_closes_at, t.sms_survey_sent_at, t.overall_score,
    CASE
      WHEN t.state = %(done)s THEN NULL
      WHEN t.state = %(closed)s AND t.final_disposition <> '' THEN NULLIF(t.final_disposition, %(not_called)s)
      ELSE (SELECT a.disposition FROM callbacks_callattempt a WHERE a.task_id = t.id
            ORDER BY a.at DESC, a.id DESC LIMIT 1)
    END AS last_disposition
"""

SALES = Grouping(
    name="sc_satisfaction",
    title=gettext_noop("销售顾问满意率统计表"),
    first_header=gettext_noop("销售顾问"),
    source_sql=f"""
    SELECT d.sales_consultant_id AS gid, s.name AS gname, {_TASK_COLUMNS}
    FROM crm_delivery d
    JOIN crm_staff s ON s.id = d.sales_consultant_id
    LEFT JOIN callbacks_callbacktask t ON t.delivery_id = d.id
    WHERE d.delivered_on >= %(start_date)s AND d.delivered_on < %(end_date)s
      {{stores}} {{staff}}
    """,
)

_SERVICE_FROM = """
    FROM crm_repairorder r
    JOIN callbacks_callbacktask t ON t.repair_order_id = r.id
    {join}
    WHERE r.delivered_at >= %(start)s AND r.delivered_at < %(end)s
      {stores} {staff}
"""

ADVISORS = Grouping(
    name="sa_satisfaction",
    title=gettext_noop("服务顾问满意率统计表"),
    first_header=gettext_noop("服务顾问"),
    source_sql=f"SELECT r.service_advisor_id AS gid, s.name AS gname, {_TASK_COLUMNS}"
    + _SERVICE_FROM.replace("{join}", "JOIN crm_staff s ON s.id = r.service_advisor_id"),
)

TEAMS = Grouping(
    name="team_satisfaction",
    title=gettext_noop("维修班组满意率统计表"),
    first_header=gettext_noop("维修班组"),
    source_sql=f"SELECT r.repair_team_id AS gid, rt.name AS gname, {_TASK_COLUMNS}"
    + _SERVICE_FROM.replace("{join}", "LEFT JOIN crm_repairteam rt ON rt.id = r.repair_team_id"),
    unassigned_label=gettext_noop("未分配班组"),
)


def _in_list(name: str, values: list[str], params: dict) -> str:
    """`(%(name_0)s, %(name_1)s, …)` with the values added to params (no string interpolation of data)."""
    keys = []
    for i, value in enumerate(values):
        params[f"{name}_{i}"] = value
        keys.append(f"%({name}_{i})s")
    return "(" + ", ".join(keys) + ")"


def satisfaction_sql(
    grouping: Grouping, *, store_ids: list[int] | None, month: dt.date, staff_id: int | None, now: dt.datetime
) -> tuple[str, dict]:
    """The table's one statement and its parameters. Portable SQL (PostgreSQL in production and
    tests; the SQLite demo database runs it too): FILTER clauses, and the 合计 row as a UNION ALL
    branch over the same CTE rather than ROLLUP."""
    start, end = month_bounds(month)
    ops = connection.ops
    params: dict = {
        "start": ops.adapt_datetimefield_value(start),
        "end": ops.adapt_datetimefield_value(end),
        "start_date": ops.adapt_datefield_value(month),
        "end_date": ops.adapt_datefield_value(next_month(month)),
        "now": ops.adapt_datetimefield_value(now),
        "done": TaskState.DONE.value,
        "closed": TaskState.CLOSED_UNSUCCESSFUL.value,
        "not_called": NOT_CALLED,
        "fully_min": FULLY_SATISFIED_MIN,
        "basically_min": BASICALLY_SATISFIED_MIN,
        "staff_id": staff_id,
    }
    alias = "d" if grouping is SALES else "r"
    stores = f"AND {alias}.store_id IN {_in_list('store', list(store_ids), params)}" if store_ids is not None else ""
    if store_ids is not None and not store_ids:
        stores = "AND 1 = 0"
    staff_col = {"sc_satisfaction": "d.sales_consultant_id", "sa_satisfaction": "r.service_advisor_id"}.get(
        grouping.name
    )
    staff = f"AND {staff_col} = %(staff_id)s" if staff_id is not None and staff_col else ""
    source = grouping.source_sql.replace("{stores}", stores).replace("{staff}", staff)
    buckets = {
        b: _in_list(b, dispositions_in_bucket(b), params)
        for b in (Bucket.REFUSED, Bucket.NO_ANSWER, Bucket.UNREACHABLE, Bucket.WRONG_NUMBER)
    }
    called = "(x.state = %(done)s OR x.last_disposition IS NOT NULL OR x.sms_survey_sent_at IS NOT NULL)"
    unsuccessful = f"({called} AND x.state <> %(done)s AND (x.state = %(closed)s OR x.window_closes_at < %(now)s))"
    success = "(x.state = %(done)s)"
    filters = {
        "called": called,
        "success": success,
        "unsuccessful": unsuccessful,
        **{b: f"{unsuccessful} AND x.last_disposition IN {buckets[b]}" for b in buckets},
        "fully": f"{success} AND x.overall_score >= %(fully_min)s",
        "basically": f"{success} AND x.overall_score >= %(basically_min)s AND x.overall_score < %(fully_min)s",
        "dissatisfied": f"{success} AND x.overall_score < %(basically_min)s",
    }
    counts = ",\n      ".join(
        ["COUNT(*) AS delivered", *(f"COUNT(*) FILTER (WHERE {cond}) AS {key}" for key, cond in filters.items())]
    )
    sql = f"""
    WITH x AS ({source})
    SELECT * FROM (
      SELECT 0 AS is_total, x.gid, x.gname,
      {counts}
      FROM x GROUP BY x.gid, x.gname
      UNION ALL
      SELECT 1 AS is_total, NULL, NULL,
      {counts}
      FROM x
    ) report
    ORDER BY is_total, CASE WHEN gname IS NULL THEN 1 ELSE 0 END, gname, gid
    """
    return sql, params


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
    """(rows, total) for one table, from one SQL statement."""
    sql, params = satisfaction_sql(
        grouping, store_ids=store_ids, month=month, staff_id=staff_id, now=now or timezone.now()
    )
    # JIT compilation cost more than this sub-second query saves (80–400 ms of a 300 ms report).
    with without_jit(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        fetched = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    rows, total = [], {**ZERO_TOTAL}
    for row in fetched:
        if row.pop("is_total"):
            total = row
            continue
        row["name"] = row.pop("gname") or (_(grouping.unassigned_label) if grouping.unassigned_label else "")
        rows.append(_with_rates(row))
    total.pop("gname", None)
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
