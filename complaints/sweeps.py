"""The SLA timer sweep (投诉时效提醒, SPEC §8): each alert exactly once, safe to run twice.

Four alerts (`ALERTS`): each is due when its condition holds and the case's `*_alerted_at` marker
is still empty. On PostgreSQL one statement does a whole batch of up to `BATCH_SIZE` cases:

1. `due` selects the open cases with at least one alert due, with a flag per alert, and locks them
   with FOR UPDATE SKIP LOCKED, so that an overlapping sweep takes other cases, never the same;
2. `claimed` writes each of those case rows once: the markers of its due alerts, and — feedback
   overdue (48 h) on a case below level 3 — the automatic escalation to level 3;
3. `escalations` adds the timeline event of each automatic escalation (old and new level);
4. the notifications of every (case, alert, recipient) go in with INSERT … SELECT … ON CONFLICT
   (recipient, dedup_key) DO NOTHING — the unique key is the second guard against a double alert.

No case row, recipient or title passes through Python: the first sweep over a backlog of 30,000
open cases (some 16,000 cases with an alert due, 50,000 notifications, 12,000 escalations) is two
statements. A rolled-back batch sends nothing: e-mails are queued after commit. The escalation is
the one write to a case outside `complaints.services`, because it must be the same row write as the
claim: neither the markers nor `escalation_level` are in an index, so with the room fillfactor 80
leaves on the page the write is a HOT update that touches none of the table's indexes.

Other databases (the SQLite demo) run the same rules row by row (`_sweep_rows`). Colours come from
`complaints.selectors.case_colour_filter` — the one colour rule.
"""

import datetime as dt
import operator
from collections import defaultdict
from functools import partial, reduce

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy

from complaints.choices import (
    FINISHED_STATES,
    NOTIFICATION_TITLES,
    Action,
    CaseState,
    EscalationLevel,
    NotificationKind,
    SlaColour,
)
from complaints.models import Case, CaseEvent, Notification
from complaints.notifications import Message, notifications_create, notifications_email_enqueue
from complaints.selectors import case_colour_filter, case_url_parts
from crm.choices import Role
from crm.models import Department, User

# Cases per statement and transaction: a bound on the rows locked at once and on the statement's
# memory; each batch costs one more scan of the open cases (some 60 ms on the scale data).
BATCH_SIZE = 10_000

# Recipients that are not a role: the case's handler, the manager of the case's department.
HANDLER = "case_handler"
DEPARTMENT_MANAGER = "case_department_manager"

# Who hears of each alert (issue 4 item 4); a role means its active users of the case's store and
# the group-level ones. The title (complaints.choices.NOTIFICATION_TITLES) takes the case number.
ALERTS: dict[str, tuple[tuple[str, ...], str]] = {
    "yellow": ((HANDLER, Role.CR_MANAGER), NOTIFICATION_TITLES[NotificationKind.YELLOW]),
    "red": ((Role.CR_MANAGER, DEPARTMENT_MANAGER), NOTIFICATION_TITLES[NotificationKind.RED]),
    "dispatch_overdue": ((Role.CR_MANAGER,), NOTIFICATION_TITLES[NotificationKind.DISPATCH_OVERDUE]),
    "feedback_overdue": ((Role.GENERAL_MANAGER,), NOTIFICATION_TITLES[NotificationKind.FEEDBACK_OVERDUE]),
}
AUTO_ESCALATION_ALERT = "feedback_overdue"
AUTO_ESCALATION_LEVEL = EscalationLevel.GENERAL_MANAGER
AUTO_ESCALATION_MEMO = gettext_lazy("部门反馈超过时限，自动升级到总经理。")


def _due_conditions(now: dt.datetime) -> dict[str, Q]:
    """When each alert is due: its condition and its marker still empty."""
    conditions = {
        "yellow": case_colour_filter(SlaColour.YELLOW, now) & Q(first_contact_at__isnull=True),
        "red": case_colour_filter(SlaColour.RED, now) & Q(first_contact_at__isnull=True),
        "dispatch_overdue": Q(state=CaseState.NEW, dispatch_due_at__lte=now),
        "feedback_overdue": Q(
            state__in=(CaseState.DISPATCHED, CaseState.IN_PROGRESS),
            feedback_at__isnull=True,
            feedback_due_at__lte=now,
        ),
    }
    return {kind: q & Q(**{f"{kind}_alerted_at__isnull": True}) for kind, q in conditions.items()}


def _candidates(now: dt.datetime) -> QuerySet:
    """Open cases with an alert due: id, the current level, a `due_<kind>` flag per alert and
    `escalate` (feedback overdue below level 3), oldest id first."""
    due = _due_conditions(now)
    escalate = due[AUTO_ESCALATION_ALERT] & Q(escalation_level__lt=AUTO_ESCALATION_LEVEL)
    flags = {f"due_{kind}": ExpressionWrapper(q, output_field=BooleanField()) for kind, q in due.items()}
    return (
        Case.objects.exclude(state__in=FINISHED_STATES)
        .filter(reduce(operator.or_, due.values()))
        .annotate(**flags, escalate=ExpressionWrapper(escalate, output_field=BooleanField()))
        .order_by("pk")
        .values("id", "escalation_level", *flags, "escalate")
    )


def _role_users(role: str) -> dict[int | None, list[int]]:
    """Ids of the active users of a role per store id; group-level users under None."""
    result: dict[int | None, list[int]] = defaultdict(list)
    users = User.objects.filter(groups__name=role, is_active=True).prefetch_related("stores").distinct()
    for user in users:
        if user.is_group_level:
            result[None].append(user.pk)
        for store in user.stores.all():
            result[store.pk].append(user.pk)
    return result


def _title_parts(kind: str) -> tuple[str, str]:
    """The stored title (in the site's language; readers see it in theirs, rendered from the kind
    and the case number) before and after the case number."""
    with translation.override(settings.LANGUAGE_CODE):
        head, tail = (str(ALERTS[kind][1]) % {"no": "\0"}).split("\0")
    return head, tail


def complaints_sla_sweep(*, now: dt.datetime) -> dict[str, int]:
    """Run the four alerts; returns how many notifications of each kind are new."""
    roles = {role for recipients, _title in ALERTS.values() for role in recipients} - {HANDLER, DEPARTMENT_MANAGER}
    users = {role: _role_users(role) for role in sorted(roles)}
    sweep = _sweep_batch if connection.vendor == "postgresql" else _sweep_rows
    sent = dict.fromkeys(ALERTS, 0)
    while True:
        with transaction.atomic():
            claimed, new = sweep(now=now, users=users)
            new_ids = sorted(pk for ids in new.values() for pk in ids)
            if new_ids:
                transaction.on_commit(partial(notifications_email_enqueue, notification_ids=new_ids))
        for kind, ids in new.items():
            sent[kind] += len(ids)
        if claimed < BATCH_SIZE:
            return sent


# --- PostgreSQL: one statement per batch ---------------------------------------------------------

# The statement's per-alert pieces, written out once.
_FLAGS = ", ".join(f"due_{kind}" for kind in ALERTS)
_SET_MARKERS = ",\n        ".join(
    f"{kind}_alerted_at = CASE WHEN due.due_{kind} THEN %(now)s ELSE c.{kind}_alerted_at END" for kind in ALERTS
)
_RETURN_FLAGS = ", ".join(f"due.due_{kind}" for kind in ALERTS)
_ALERT_ROWS = ", ".join(f"('{kind}', c.due_{kind})" for kind in ALERTS)

SWEEP_SQL = f"""
WITH due (id, old_level, {_FLAGS}, escalate) AS (
    {{candidates}}
), claimed AS (
    UPDATE {Case._meta.db_table} c SET
        {_SET_MARKERS},
        escalation_level = CASE WHEN due.escalate THEN %(level)s ELSE c.escalation_level END,
        updated_at = CASE WHEN due.escalate THEN %(now)s ELSE c.updated_at END
    FROM due WHERE c.id = due.id
    RETURNING c.id, c.case_no, c.store_id, c.handler_id, c.department_id, substr(c.content, 1, 200) AS body,
        due.old_level, {_RETURN_FLAGS}, due.escalate
), escalations AS (
    INSERT INTO {CaseEvent._meta.db_table} (case_id, at, action, memo, changes)
    SELECT id, %(now)s, %(action)s, %(memo)s,
        jsonb_build_array(jsonb_build_object('field', 'escalation_level', 'old', old_level, 'new', %(level)s))
    FROM claimed WHERE escalate
), alerts AS (
    SELECT c.id, c.case_no, c.store_id, c.handler_id, c.department_id, c.body, a.kind
    FROM claimed c CROSS JOIN LATERAL (VALUES {_ALERT_ROWS}) a (kind, due)
    WHERE a.due
), recipients (id, kind, user_id) AS (
    SELECT id, kind, handler_id FROM alerts WHERE kind = ANY(%(to_handler)s)
    UNION
    SELECT a.id, a.kind, d.manager_id FROM alerts a JOIN {Department._meta.db_table} d ON d.id = a.department_id
    WHERE a.kind = ANY(%(to_department_manager)s)
    UNION
    SELECT a.id, a.kind, r.user_id FROM alerts a
    JOIN unnest(%(role_kinds)s::text[], %(role_stores)s::bigint[], %(role_users)s::bigint[]) r (kind, store_id, user_id)
        ON r.kind = a.kind AND (r.store_id = a.store_id OR r.store_id IS NULL)
), inserted AS (
    INSERT INTO {Notification._meta.db_table}
        (recipient_id, kind, title, body, url, params, dedup_key, created_at, email_pending)
    SELECT r.user_id, 'complaint_' || a.kind, left(t.head || a.case_no || t.tail, 200), a.body,
        left(%(url_head)s || a.id || %(url_tail)s, 300), jsonb_build_object('no', a.case_no),
        'case:' || a.id || ':' || a.kind, %(now)s, true
    FROM recipients r
    JOIN alerts a ON a.id = r.id AND a.kind = r.kind
    JOIN unnest(%(title_kinds)s::text[], %(title_heads)s::text[], %(title_tails)s::text[]) t (kind, head, tail)
        ON t.kind = a.kind
    WHERE r.user_id IS NOT NULL
    -- (recipient, dedup_key) order: inserts that meet on the unique key wait in one order, no deadlock.
    ORDER BY r.user_id, 'case:' || a.id || ':' || a.kind
    ON CONFLICT (recipient_id, dedup_key) DO NOTHING
    RETURNING id, kind
)
SELECT n.claimed, i.kind, i.ids
FROM (SELECT count(*) AS claimed FROM claimed) n
LEFT JOIN (SELECT kind, array_agg(id) AS ids FROM inserted GROUP BY kind) i ON true
"""


def _sweep_batch(*, now: dt.datetime, users: dict[str, dict]) -> tuple[int, dict[str, list[int]]]:
    """Claim, escalate and notify one batch in one statement; returns (cases claimed, new
    notification ids per alert kind)."""
    candidates = _candidates(now)[:BATCH_SIZE].select_for_update(skip_locked=True)
    candidates_sql, candidates_params = candidates.query.sql_with_params()  # FOR UPDATE needs the transaction
    role_rows = [
        (kind, store_id, user_id)
        for kind, (recipients, _title) in ALERTS.items()
        for role in recipients
        if role in users
        for store_id, user_ids in users[role].items()
        for user_id in user_ids
    ]
    titles = [(kind, *_title_parts(kind)) for kind in ALERTS]
    url_head, url_tail = case_url_parts()
    params = {
        "now": now,
        "level": AUTO_ESCALATION_LEVEL.value,
        "action": Action.AUTO_ESCALATE.value,
        "memo": str(AUTO_ESCALATION_MEMO),
        "to_handler": [kind for kind, (recipients, _title) in ALERTS.items() if HANDLER in recipients],
        "to_department_manager": [kind for kind, (to, _title) in ALERTS.items() if DEPARTMENT_MANAGER in to],
        "role_kinds": [row[0] for row in role_rows],
        "role_stores": [row[1] for row in role_rows],
        "role_users": [row[2] for row in role_rows],
        "title_kinds": [row[0] for row in titles],
        "title_heads": [row[1] for row in titles],
        "title_tails": [row[2] for row in titles],
        "url_head": url_head,
        "url_tail": url_tail,
    }
    # The candidates' SQL has positional %s parameters: name them for the outer statement.
    names = [f"c{n}" for n in range(len(candidates_params))]
    params.update(zip(names, candidates_params, strict=True))
    sql = SWEEP_SQL.replace("{candidates}", candidates_sql % tuple(f"%({name})s" for name in names))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return rows[0][0], {kind.removeprefix("complaint_"): ids for _claimed, kind, ids in rows if kind is not None}


# --- other databases (the SQLite demo): the same rules, a statement per alert ---------------------


def _sweep_rows(*, now: dt.datetime, users: dict[str, dict]) -> tuple[int, dict[str, list[int]]]:
    rows = list(_candidates(now)[:BATCH_SIZE])
    if not rows:
        return 0, {}
    fields = ("id", "case_no", "store_id", "handler_id", "department_id", "content")
    cases = {c["id"]: c for c in Case.objects.filter(pk__in=[r["id"] for r in rows]).values(*fields)}
    departments = {c["department_id"] for c in cases.values()}
    managers = dict(Department.objects.filter(pk__in=departments).values_list("id", "manager_id"))
    escalated = [r for r in rows if r["escalate"]]
    Case.objects.filter(pk__in=[r["id"] for r in escalated]).update(
        escalation_level=AUTO_ESCALATION_LEVEL, updated_at=now
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=r["id"],
            at=now,
            action=Action.AUTO_ESCALATE,
            memo=str(AUTO_ESCALATION_MEMO),
            changes=[{"field": "escalation_level", "old": r["escalation_level"], "new": AUTO_ESCALATION_LEVEL.value}],
        )
        for r in escalated
    )
    url_head, url_tail = case_url_parts()
    new: dict[str, list[int]] = {}
    for kind, (recipients, _title) in ALERTS.items():
        due = [cases[r["id"]] for r in rows if r[f"due_{kind}"]]
        Case.objects.filter(pk__in=[c["id"] for c in due]).update(**{f"{kind}_alerted_at": now})
        head, tail = _title_parts(kind)
        new[kind] = notifications_create(
            (
                Message(
                    recipients=[
                        user
                        for role in recipients
                        for user in _recipients(role, case, users=users, department_managers=managers)
                    ],
                    kind=f"complaint_{kind}",
                    title=f"{head}{case['case_no']}{tail}",
                    body=case["content"][:200],
                    url=f"{url_head}{case['id']}{url_tail}",
                    dedup_key=f"case:{case['id']}:{kind}",
                    params={"no": case["case_no"]},
                )
                for case in due
            ),
            email=True,
        )
    return len(rows), new


def _recipients(role: str, case: dict, *, users: dict[str, dict], department_managers: dict) -> list[int | None]:
    if role == HANDLER:
        return [case["handler_id"]]
    if role == DEPARTMENT_MANAGER:
        return [department_managers.get(case["department_id"])]
    return [*users[role].get(case["store_id"], []), *users[role].get(None, [])]
