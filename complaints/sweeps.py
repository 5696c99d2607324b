"""The SLA timer sweep (投诉时效提醒, SPEC §8): each alert exactly once, safe to run twice.

Four alerts, each selected by state and an `*_alerted_at` marker still empty, in batches of 1,000;
each batch is claimed with SELECT … FOR UPDATE SKIP LOCKED and a marker UPDATE, so that two
overlapping sweeps never alert one case twice, and the notification's (recipient, dedup_key)
uniqueness is a second guard. A batch costs a fixed number of statements — its notifications go in
with `notify_many`, the feedback-overdue escalations with `cases_auto_escalate_feedback_overdue` —
so that the first sweep over a backlog of 30,000 open cases takes seconds, not minutes. Colours
come from `complaints.selectors.case_colour_filter` — the one colour rule.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from complaints.choices import FINISHED_STATES, CaseState, SlaColour
from complaints.models import Case
from complaints.notifications import Message, notify_many
from complaints.selectors import case_colour_filter
from complaints.services import cases_auto_escalate_feedback_overdue
from crm.choices import Role
from crm.models import Department, User

BATCH_SIZE = 1000
# What a claimed case returns: no model instances, no lazy loads.
RETURNING = "id, case_no, store_id, handler_id, department_id, substr(content, 1, 200)"


def _users_by_store(role: str) -> dict[int | None, list[int]]:
    """Ids of the users of a role per store id; group-level users under None (they get every store's alerts)."""
    result: dict[int | None, list[int]] = defaultdict(list)
    users = User.objects.filter(groups__name=role, is_active=True).prefetch_related("stores").distinct()
    for user in users:
        if user.is_group_level:
            result[None].append(user.pk)
        for store in user.stores.all():
            result[store.pk].append(user.pk)
    return result


def _for_store(users: dict[int | None, list[int]], store_id: int) -> list[int]:
    return [*users.get(store_id, []), *users.get(None, [])]


def _claim_batches(condition: Q, marker: str, now: dt.datetime) -> Iterable[list[tuple]]:
    """Yield batches of open cases matching `condition` whose `marker` is empty, each claimed in its
    own transaction by one statement — UPDATE … SET marker WHERE id IN (SELECT … FOR UPDATE SKIP
    LOCKED LIMIT n) RETURNING the RETURNING columns; the caller notifies inside that transaction."""
    candidates = (
        Case.objects.exclude(state__in=FINISHED_STATES)
        .filter(condition, **{f"{marker}__isnull": True})
        .order_by("pk")
        .values("pk")[:BATCH_SIZE]
        .select_for_update(skip_locked=True)
    )
    table = Case._meta.db_table
    column = Case._meta.get_field(marker).column
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            select_sql, params = candidates.query.sql_with_params()  # FOR UPDATE compiles in a transaction only
            cursor.execute(
                f"UPDATE {table} SET {column} = %s WHERE id IN ({select_sql}) RETURNING {RETURNING}", [now, *params]
            )
            batch = sorted(cursor.fetchall())
            if not batch:
                return
            yield batch


def _sweep_one(
    *,
    kind: str,
    condition: Q,
    marker: str,
    now: dt.datetime,
    recipients: Callable[[tuple], list[int | None]],
    title: Callable[[tuple], str],
    after: Callable[[list[int]], object] | None = None,
) -> int:
    sent = 0
    # The case page's URL, reversed once (tens of thousands of reverse() calls cost seconds).
    url_head, url_tail = reverse("complaints:case_detail", args=[_URL_PK]).split(str(_URL_PK))
    for batch in _claim_batches(condition, marker, now):
        if after is not None:
            after([case[0] for case in batch])
        sent += notify_many(
            Message(
                recipients=recipients(case),
                kind=f"complaint_{kind}",
                title=title(case),
                body=case[5],
                url=f"{url_head}{case[0]}{url_tail}",
                dedup_key=f"case:{case[0]}:{kind}",
            )
            for case in batch
        )
    return sent


_URL_PK = 987654321


def complaints_sla_sweep(*, now: dt.datetime) -> dict[str, int]:
    """Run the four alerts; returns how many notifications each created. A claimed case is the
    tuple (id, case_no, store_id, handler_id, department_id, content[:200])."""
    cr_managers = _users_by_store(Role.CR_MANAGER)
    general_managers = _users_by_store(Role.GENERAL_MANAGER)
    dept_managers = dict(Department.objects.values_list("id", "manager_id"))

    return {
        "yellow": _sweep_one(
            kind="yellow",
            condition=case_colour_filter(SlaColour.YELLOW, now) & Q(first_contact_at__isnull=True),
            marker="yellow_alerted_at",
            now=now,
            recipients=lambda c: [c[3], *_for_store(cr_managers, c[2])],
            title=lambda c: _("投诉 %(no)s 已黄色预警：20 小时内尚未首次联系客户") % {"no": c[1]},
        ),
        "red": _sweep_one(
            kind="red",
            condition=case_colour_filter(SlaColour.RED, now) & Q(first_contact_at__isnull=True),
            marker="red_alerted_at",
            now=now,
            recipients=lambda c: [*_for_store(cr_managers, c[2]), dept_managers.get(c[4])],
            title=lambda c: _("投诉 %(no)s 已红色超时：24 小时内未首次联系客户") % {"no": c[1]},
        ),
        "dispatch_overdue": _sweep_one(
            kind="dispatch_overdue",
            condition=Q(state=CaseState.NEW, dispatch_due_at__lte=now),
            marker="dispatch_overdue_alerted_at",
            now=now,
            recipients=lambda c: _for_store(cr_managers, c[2]),
            title=lambda c: _("投诉 %(no)s 超过 30 分钟未派发") % {"no": c[1]},
        ),
        "feedback_overdue": _sweep_one(
            kind="feedback_overdue",
            condition=Q(
                state__in=(CaseState.DISPATCHED, CaseState.IN_PROGRESS),
                feedback_at__isnull=True,
                feedback_due_at__lte=now,
            ),
            marker="feedback_overdue_alerted_at",
            now=now,
            recipients=lambda c: _for_store(general_managers, c[2]),
            title=lambda c: _("投诉 %(no)s 部门反馈超过 48 小时，已自动升级到总经理") % {"no": c[1]},
            after=lambda ids: cases_auto_escalate_feedback_overdue(case_ids=ids, now=now),
        ),
    }
