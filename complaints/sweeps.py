"""The SLA timer sweep (投诉时效提醒, SPEC §8): each alert exactly once, safe to run twice.

Four alerts, each selected by state and an `*_alerted_at` marker still empty, in batches; each
batch is claimed with SELECT … FOR UPDATE SKIP LOCKED and a marker UPDATE, so that two overlapping
sweeps never alert one case twice, and the notification's (recipient, dedup_key) uniqueness is a
second guard. Colours come from `complaints.selectors.case_colour_filter` — the one colour rule.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from complaints.choices import FINISHED_STATES, CaseState, SlaColour
from complaints.models import Case
from complaints.notifications import notify
from complaints.selectors import case_colour_filter
from complaints.services import case_auto_escalate_feedback_overdue
from crm.choices import Role
from crm.models import User

BATCH_SIZE = 500


def _users_by_store(role: str) -> dict[int | None, list[User]]:
    """Users of a role per store id; group-level users under None (they get every store's alerts)."""
    result: dict[int | None, list[User]] = defaultdict(list)
    users = User.objects.filter(groups__name=role, is_active=True).prefetch_related("stores").distinct()
    for user in users:
        if user.is_group_level:
            result[None].append(user)
        for store in user.stores.all():
            result[store.pk].append(user)
    return result


def _for_store(users: dict[int | None, list[User]], store_id: int) -> list[User]:
    return [*users.get(store_id, []), *users.get(None, [])]


def _claim_batches(condition: Q, marker: str, now: dt.datetime) -> Iterable[list[Case]]:
    """Yield batches of open cases matching `condition` whose `marker` is empty, each claimed
    (marker set) in its own transaction; the caller notifies inside that transaction."""
    base = Case.objects.exclude(state__in=FINISHED_STATES).filter(condition, **{f"{marker}__isnull": True})
    while True:
        with transaction.atomic():
            batch = list(
                base.select_for_update(skip_locked=True, of=("self",))
                .select_related("department", "handler")
                .order_by("pk")[:BATCH_SIZE]
            )
            if not batch:
                return
            Case.objects.filter(pk__in=[c.pk for c in batch]).update(**{marker: now})
            yield batch


def _sweep_one(
    *,
    kind: str,
    condition: Q,
    marker: str,
    now: dt.datetime,
    recipients: Callable[[Case], list[User | None]],
    title: Callable[[Case], str],
    after: Callable[[Case], None] | None = None,
) -> int:
    sent = 0
    for batch in _claim_batches(condition, marker, now):
        for case in batch:
            if after is not None:
                after(case)
            sent += notify(
                recipients=recipients(case),
                kind=f"complaint_{kind}",
                title=title(case),
                body=case.content[:200],
                url=reverse("complaints:case_detail", args=[case.pk]),
                dedup_key=f"case:{case.pk}:{kind}",
            )
    return sent


def complaints_sla_sweep(*, now: dt.datetime) -> dict[str, int]:
    """Run the four alerts; returns how many notifications each created."""
    cr_managers = _users_by_store(Role.CR_MANAGER)
    general_managers = _users_by_store(Role.GENERAL_MANAGER)

    def dept_manager(case: Case) -> User | None:
        return case.department.manager if case.department_id else None

    return {
        "yellow": _sweep_one(
            kind="yellow",
            condition=case_colour_filter(SlaColour.YELLOW, now) & Q(first_contact_at__isnull=True),
            marker="yellow_alerted_at",
            now=now,
            recipients=lambda c: [c.handler, *_for_store(cr_managers, c.store_id)],
            title=lambda c: _("投诉 %(no)s 已黄色预警：20 小时内尚未首次联系客户") % {"no": c.case_no},
        ),
        "red": _sweep_one(
            kind="red",
            condition=case_colour_filter(SlaColour.RED, now) & Q(first_contact_at__isnull=True),
            marker="red_alerted_at",
            now=now,
            recipients=lambda c: [*_for_store(cr_managers, c.store_id), dept_manager(c)],
            title=lambda c: _("投诉 %(no)s 已红色超时：24 小时内未首次联系客户") % {"no": c.case_no},
        ),
        "dispatch_overdue": _sweep_one(
            kind="dispatch_overdue",
            condition=Q(state=CaseState.NEW, dispatch_due_at__lte=now),
            marker="dispatch_overdue_alerted_at",
            now=now,
            recipients=lambda c: _for_store(cr_managers, c.store_id),
            title=lambda c: _("投诉 %(no)s 超过 30 分钟未派发") % {"no": c.case_no},
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
            recipients=lambda c: _for_store(general_managers, c.store_id),
            title=lambda c: _("投诉 %(no)s 部门反馈超过 48 小时，已自动升级到总经理") % {"no": c.case_no},
            after=lambda c: case_auto_escalate_feedback_overdue(case_id=c.pk, now=now),
        ),
    }
