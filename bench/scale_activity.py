"""The scale data set's callback tasks, attempts, complaint cases and survey responses."""

from __future__ import annotations

import datetime as dt
import random

from bench.scale_constants import (
    AGENTS_PER_STORE,
    N_CLOSED_CASES,
    N_CUSTOMERS,
    N_DELIVERIES,
    N_OPEN_CASES,
    N_OPEN_SERVICE,
    N_RECENT_DELIVERIES,
    N_ROS,
    N_STORES,
    log,
)
from bench.scale_people import Org
from bench.scale_sql import copy_rows, insert_select, rand, sql_literal


def _window(source: str, start_days: int, end_days: int) -> tuple[str, str]:
    """SQL for a callback window from a local date (callbacks.generation.callback_window)."""
    opens = f"(({source}) + {start_days})::timestamp AT TIME ZONE 'Asia/Shanghai'"
    closes = f"(({source}) + {end_days + 1})::timestamp AT TIME ZONE 'Asia/Shanghai' - interval '1 microsecond'"
    return opens, closes


def build_callback_tasks(cur, anchor: dt.datetime) -> None:
    from callbacks.models import CallbackTask

    a = sql_literal(cur, anchor)
    # Sales: task id = delivery id; the last 3,000 deliveries' tasks are open.
    opens, closes = _window("d.delivered_on", 7, 10)
    open_sales = f"d.id > {N_DELIVERIES - N_RECENT_DELIVERIES}"
    insert_select(
        cur,
        CallbackTask,
        _task_exprs(a, "d.id", open_sales, "'sales'", opens, closes)
        | {
            "delivery_id": "d.id",
            "customer_id": "d.customer_id",
            "vehicle_id": "d.vehicle_id",
            "store_id": "d.store_id",
        },
        "FROM crm_delivery d",
        anchor,
    )
    # Service: task id = 100,000 + repair order id; the latest 197,000 repair orders' tasks are open.
    opens, closes = _window("(ro.delivered_at AT TIME ZONE 'Asia/Shanghai')::date", 3, 7)
    open_service = f"ro.id > {N_ROS - N_OPEN_SERVICE}"
    insert_select(
        cur,
        CallbackTask,
        _task_exprs(a, f"{N_DELIVERIES} + ro.id", open_service, "'service'", opens, closes)
        | {
            "repair_order_id": "ro.id",
            "customer_id": "ro.customer_id",
            "vehicle_id": "ro.vehicle_id",
            "store_id": "ro.store_id",
        },
        "FROM crm_repairorder ro",
        anchor,
    )
    # Open tasks: 30 % assigned to one of the store's agents.
    cur.execute(
        f"UPDATE callbacks_callbacktask t SET assigned_to_id = ag.id FROM bench_agent ag "
        f"WHERE t.state = 'open' AND {rand('t.id', 8, 10)} < 3 AND ag.store_id = t.store_id "
        f"AND ag.idx = {rand('t.id', 9, AGENTS_PER_STORE)}"
    )
    # One task held (claimed) by every agent, as in the middle of a working day.
    cur.execute(
        f"UPDATE callbacks_callbacktask t SET claimed_by_id = ag.id, claimed_at = {a} - interval '5 minutes', "
        f"last_activity_at = {a} - interval '5 minutes' FROM ("
        f"  SELECT DISTINCT ON (ag.id) ag.id AS agent_id, t.id AS task_id FROM bench_agent ag "
        f"  JOIN callbacks_callbacktask t ON t.store_id = ag.store_id AND t.state = 'open' "
        f"   AND t.window_opens_at <= {a} AND t.window_closes_at >= {a} AND t.assigned_to_id IS NULL "
        f"   AND {rand('t.id', 10, 101)} = ag.idx ORDER BY ag.id, t.id) pick "
        f"JOIN bench_agent ag ON ag.id = pick.agent_id "
        f"WHERE t.id = pick.task_id"
    )
    cur.execute(
        "INSERT INTO callbacks_callbacktaskrepairorder (task_id, repair_order_id) "
        "SELECT id, repair_order_id FROM callbacks_callbacktask WHERE kind = 'service'"
    )
    cur.execute(
        "INSERT INTO callbacks_storecallbacksettings (store_id, sales_window_start_days, sales_window_end_days, "
        "service_window_start_days, service_window_end_days, max_failed_attempts, retry_gap_minutes, "
        "claim_idle_minutes) SELECT id, 7, 10, 3, 7, 4, 120, 15 FROM crm_store"
    )


# Overall satisfaction (1–10) from a uniform x in [0, 100): half 10, a quarter 9, then lower.
SCORE = (
    "(CASE WHEN {x} < 50 THEN 10 WHEN {x} < 75 THEN 9 WHEN {x} < 87 THEN 8 "
    "WHEN {x} < 93 THEN 7 WHEN {x} < 97 THEN 5 ELSE 3 END)"
)
NEGATIVE_BELOW = 7


def _task_exprs(a: str, id_expr: str, open_cond: str, kind: str, opens: str, closes: str) -> dict[str, str]:
    """Columns of a task: open ones with appointments / failed attempts here and there; closed
    ones done (67 %), or unsuccessful: no answer ×4, refused, or never called."""
    tid = f"({id_expr})"
    h = rand(tid, 11, 100)
    sub = rand(tid, 12, 10)
    final = (
        f"CASE WHEN {h} < 67 THEN '成功' WHEN {sub} < 5 THEN '无人接听' WHEN {sub} < 8 THEN '拒访' ELSE '未回访' END"
    )
    return {
        "id": tid,
        "kind": kind,
        "window_opens_at": opens,
        "window_closes_at": closes,
        "state": f"CASE WHEN {open_cond} THEN 'open' WHEN {h} < 67 THEN 'done' ELSE 'closed_unsuccessful' END",
        "final_disposition": f"CASE WHEN {open_cond} THEN '' ELSE {final} END",
        "failed_attempts": (
            f"CASE WHEN {open_cond} THEN (CASE WHEN {rand(tid, 13, 7)} = 0 THEN 1 + {rand(tid, 14, 2)} ELSE 0 END) "
            f"WHEN {h} >= 67 AND {sub} < 5 THEN 4 WHEN {h} < 67 AND {sub} < 3 THEN 1 ELSE 0 END"
        ),
        "next_attempt_at": (
            f"CASE WHEN {open_cond} AND {rand(tid, 13, 7)} = 0 "
            f"THEN {a} + ({rand(tid, 15, 6)} - 3) * interval '1 hour' END"
        ),
        "appointment_at": (
            f"CASE WHEN {open_cond} AND {rand(tid, 16, 37)} = 0 "
            f"THEN {a} + ({rand(tid, 17, 48)} - 24) * interval '1 hour' END"
        ),
        "completed_at": (
            f"CASE WHEN {open_cond} THEN NULL WHEN {h} >= 67 AND {sub} >= 8 THEN {closes} "
            f"ELSE {opens} + (10 + {rand(tid, 18, 48)}) * interval '1 hour' END"
        ),
        "has_grumble": f"NOT ({open_cond}) AND {h} < 2",
        # A done task has its questionnaire response (id = task id, see build_surveys) and score.
        "response_id": f"CASE WHEN NOT ({open_cond}) AND {h} < 67 THEN {tid} END",
        "overall_score": f"CASE WHEN NOT ({open_cond}) AND {h} < 67 THEN {SCORE.format(x=rand(tid, 21, 100))} END",
        "created_at": f"least({opens} - interval '2 days', {a})",
    }


def build_attempts(cur, anchor: dt.datetime) -> int:
    """Attempts of the closed tasks (their dispositions lead to the final one) and of the open ones
    with failed attempts; by the store's agents."""
    from callbacks.models import CallAttempt

    n = (
        "CASE WHEN t.state = 'open' THEN t.failed_attempts "
        "WHEN t.final_disposition = '成功' THEN 1 + t.failed_attempts "
        "WHEN t.final_disposition = '无人接听' THEN 4 WHEN t.final_disposition = '拒访' THEN 1 ELSE 0 END"
    )
    disposition = (
        "CASE WHEN t.state <> 'open' AND g = n.n THEN "
        "  (CASE WHEN t.final_disposition = '无人接听' THEN '无人接听' ELSE t.final_disposition END) "
        f"ELSE (ARRAY['无人接听','关机','占线','无法接通'])[{rand('t.id + g', 19, 4)} + 1] END"
    )
    exprs = {
        "task_id": "t.id",
        "agent_id": "ag.id",
        "at": "t.window_opens_at + interval '9 hours' + (g - 1) * interval '2 hours 10 minutes'",
        "disposition": disposition,
        "note": "CASE WHEN t.has_grumble AND g = n.n THEN '客户抱怨等待时间太长' ELSE '' END",
        "source": "'call'",
    }
    from_sql = (
        "FROM callbacks_callbacktask t "
        f"CROSS JOIN LATERAL (SELECT {n} AS n) n "
        "CROSS JOIN LATERAL generate_series(1, n.n) g "
        f"JOIN bench_agent ag ON ag.store_id = t.store_id AND ag.idx = {rand('t.id + g', 20, AGENTS_PER_STORE)}"
    )
    return insert_select(cur, CallAttempt, exprs, from_sql, anchor)


# --- complaint cases (COPY from Python) ----------------------------------------------------------

CONTENTS = [
    ("保养后发动机有异响，回去开了两天还是响。", "repair_quality", "免费检修"),
    ("等了三个小时才交车，也没人解释原因。", "attitude", "道歉"),
    ("结算金额比预估多了六百元，没有提前告知。", "fees", "退还差价"),
    ("新车交车时油箱警示灯亮着，销售顾问说是正常的。", "sales", "加满油"),
    ("配件等了两周还没到货，一直没人回电话。", "parts", "尽快到货"),
    ("空调出风有异味，怀疑滤芯没换。", "product_quality", "更换并赔偿"),
    ("洗车后车内脚垫没有放回原位。", "attitude", ""),
    ("钣喷后颜色有色差，要求重新喷漆。", "repair_quality", "重新喷漆"),
    ("建议休息区增加充电插座。", "other", ""),
]
CHANNELS = ["phone", "phone", "phone", "visit", "callback", "callback", "sms", "email", "letter", "manufacturer"]


def build_cases(cur, rng: random.Random, anchor: dt.datetime, org: Org) -> None:
    """30,000 open cases in every SLA state — new (some past the 30-minute dispatch), dispatched,
    in progress, awaiting confirmation; uncontacted ones white (< 20 h), yellow (20–24 h) or red,
    contacted ones on time or late; feedback overdue or not — and 20,000 closed ones. No alert has
    been sent: the first timer sweep meets the full backlog."""
    from complaints.models import Case, CaseEvent
    from crm.choices import DepartmentKind

    hour = dt.timedelta(hours=1)
    numbers: dict[tuple[int, dt.date], int] = {}
    case_rows: list[tuple] = []
    events: list[tuple] = []
    n_customers_per_store = N_CUSTOMERS // N_STORES
    tz = dt.timezone(dt.timedelta(hours=8))

    def case_no(si: int, received: dt.datetime) -> str:
        day = received.astimezone(tz).date()
        key = (si, day)
        numbers[key] = numbers.get(key, 0) + 1
        return f"{org.store_codes[si]}{day:%Y%m%d}-{numbers[key]:03d}"

    for cid in range(1, N_OPEN_CASES + N_CLOSED_CASES + 1):
        is_open = cid <= N_OPEN_CASES
        si = cid % N_STORES
        sid = org.store_ids[si]
        customer = si + 1 + N_STORES * rng.randrange(n_customers_per_store)
        content, category, demand = rng.choice(CONTENTS)
        level = rng.choice("ABCCDDDDE")
        if is_open:
            x = rng.random()
            if x < 0.10:
                age = rng.uniform(0.1, 20)  # white
            elif x < 0.14:
                age = rng.uniform(20, 24)  # yellow
            else:
                age = rng.uniform(24, 45 * 24)  # older than a day
            received = anchor - age * hour
            state = rng.choices(["new", "dispatched", "in_progress", "resolved"], [10, 30, 40, 20])[0]
        else:
            received = anchor - rng.uniform(30, 400) * 24 * hour
            age = (anchor - received) / hour
            state = "closed" if rng.random() < 0.9 else "unfounded"
        dispatched = first_contact = feedback = resolved = closed = None
        department = handler = None
        if state != "new":
            dispatched = received + rng.uniform(0.05, 1.5) * hour
            if dispatched > anchor:
                dispatched = received + (anchor - received) / 2
            kind = rng.choices([DepartmentKind.SERVICE, DepartmentKind.SALES, DepartmentKind.PARTS], [6, 3, 1])[0]
            department, handler = org.departments[sid][kind]
        contacted = state in ("in_progress", "resolved", "closed") or (state == "dispatched" and rng.random() < 0.5)
        if contacted and dispatched is not None:
            first_contact = dispatched + rng.uniform(0.2, 30) * hour  # after 24 h it is late (red)
            if first_contact > anchor:
                first_contact = dispatched + (anchor - dispatched) / 2
        if state in ("resolved", "closed") or (state == "in_progress" and rng.random() < 0.5):
            feedback = first_contact + rng.uniform(1, 60) * hour
            if feedback > anchor:
                feedback = first_contact + (anchor - first_contact) / 2
        if state in ("resolved", "closed", "unfounded"):
            resolved = (feedback or dispatched) + rng.uniform(1, 48) * hour
            resolved = min(resolved, anchor)
        if state in ("closed", "unfounded"):
            closed = min(resolved + rng.uniform(1, 72) * hour, anchor)
        escalation = 1 if rng.random() < 0.85 else rng.choice([2, 2, 3])
        case_rows.append(
            (
                cid,
                case_no(si, received),
                sid,
                customer,
                rng.choice(CHANNELS),
                category,
                level,
                content,
                demand,
                state,
                escalation,
                department,
                handler,
                "department_manager" if handler else "",
                org.cr_manager[sid],
                received,
                dispatched,
                first_contact,
                feedback,
                resolved,
                closed,
                received + 0.5 * hour,
                received + 20 * hour,
                received + 24 * hour,
                dispatched + 48 * hour if dispatched else None,
                "satisfied" if state == "closed" else "",
                closed or feedback or first_contact or dispatched or received,
            )
        )
        events.append((cid, received, "receive", "受理投诉"))
        if dispatched:
            events.append((cid, dispatched, "dispatch", "派发至责任部门"))
        del age
    columns = [
        "id",
        "case_no",
        "store_id",
        "customer_id",
        "channel",
        "category",
        "level",
        "content",
        "demand",
        "state",
        "escalation_level",
        "department_id",
        "handler_id",
        "handler_role",
        "created_by_id",
        "received_at",
        "dispatched_at",
        "first_contact_at",
        "feedback_at",
        "resolved_at",
        "closed_at",
        "dispatch_due_at",
        "first_contact_warn_at",
        "first_contact_due_at",
        "feedback_due_at",
        "final_result",
        "updated_at",
    ]
    copy_rows(cur, Case, columns, case_rows, anchor)
    copy_rows(cur, CaseEvent, ["case_id", "at", "action", "memo"], events, anchor)


# --- surveys (a hook until the surveys app has models) -------------------------------------------


def surveys_available() -> bool:
    from django.apps import apps

    try:
        apps.get_model("surveys", "Response")
    except LookupError:
        return False
    return True


def build_surveys(cur, rng: random.Random, anchor: dt.datetime, org: Org) -> dict:
    """A questionnaire response for every done callback task (about 600,000, SPEC §12): the active
    template version of its kind, the task's overall score (id = task id, which the task already
    points at), and the answer to the overall question."""
    if not surveys_available():
        log("surveys: no surveys.Response model on this branch — survey responses not generated")
        return {"survey_responses": 0}
    from surveys.models import Answer, Question, Response, TemplateVersion

    versions = {}
    for kind in ("sales", "service"):
        version = (
            TemplateVersion.objects.filter(template__kind=kind, template__is_active=True).order_by("-number").first()
        )
        overall = Question.objects.filter(version=version, is_overall=True).first() if version else None
        if version is None or overall is None:
            log(f"surveys: no active {kind} template with an overall question — survey responses not generated")
            cur.execute("UPDATE callbacks_callbacktask SET response_id = NULL WHERE response_id IS NOT NULL")
            return {"survey_responses": 0}
        versions[kind] = (version.pk, overall.pk)
    n = insert_select(
        cur,
        Response,
        {
            "id": "t.id",
            "version_id": f"CASE WHEN t.kind = 'sales' THEN {versions['sales'][0]} ELSE {versions['service'][0]} END",
            "store_id": "t.store_id",
            "customer_id": "t.customer_id",
            "answered_at": "t.completed_at",
            "source": "'call'",
            "agent_id": "ag.id",
            "overall_score": "t.overall_score",
            "has_negative": f"t.overall_score < {NEGATIVE_BELOW}",
            "subject_key": "''",
            "created_at": "t.completed_at",
        },
        "FROM callbacks_callbacktask t "
        f"JOIN bench_agent ag ON ag.store_id = t.store_id AND ag.idx = {rand('t.id', 22, AGENTS_PER_STORE)} "
        "WHERE t.response_id IS NOT NULL",
        anchor,
    )
    insert_select(
        cur,
        Answer,
        {
            "response_id": "r.id",
            "question_id": f"CASE WHEN r.version_id = {versions['sales'][0]} "
            f"THEN {versions['sales'][1]} ELSE {versions['service'][1]} END",
            "score": "r.overall_score",
            "is_negative": "r.has_negative",
        },
        "FROM surveys_response r",
        anchor,
    )
    cur.execute(
        "UPDATE surveys_templateversion SET frozen_at = %s WHERE id = ANY(%s) AND frozen_at IS NULL",
        [anchor, [v for v, _q in versions.values()]],
    )
    return {"survey_responses": n}
