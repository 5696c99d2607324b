"""Reminder and win-back calls in the agents' callback queue (callbacks.queue_sources): the rows the
queue page prints (one query, ready to print), the kinds of its filter, and "next call"."""

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone

from callbacks.queue_sources import QueueSource, register_queue_source
from crm.links import pk_url_prefix
from crm.scoping import scope_for_user
from retention.choices import WINBACK_KINDS, OutreachKind, OutreachState
from retention.models import OutreachAttempt, OutreachTask
from retention.services import RECORD_PERMISSION, outreach_due_q, outreach_queue_filter, outreach_task_claim_next

ABOUT_TO_EXPIRE = datetime.timedelta(hours=24)


def outreach_kind_choices() -> list[tuple[str, str]]:
    """The queue's kind filter: at-risk calls are under 流失挽回 (the win-back filter), not a kind of their own."""
    return [(value, label) for value, label in OutreachKind.choices if value != OutreachKind.AT_RISK]


def _kinds(kind: str | None) -> list[str] | None:
    """The task kinds a filter value selects: 流失挽回 takes the lost and the at-risk customers' calls."""
    if not kind:
        return None
    return list(WINBACK_KINDS) if kind == OutreachKind.WINBACK else [kind]


def outreach_queue_rows(
    *, user, now: datetime.datetime, kind: str | None = None, expiring: bool = False, limit: int = 100
) -> list[dict]:
    """The outreach tasks `user` may call now, window closing soonest first (the open-queue index's
    order), as the callback queue prints its rows."""
    tasks = OutreachTask.objects.filter(outreach_queue_filter(user=user, now=now))
    if kind:
        tasks = tasks.filter(kind__in=_kinds(kind))
    if expiring:
        tasks = tasks.filter(window_closes_at__lt=now + ABOUT_TO_EXPIRE)
    rows = list(
        tasks.order_by("window_closes_at", "id").values(
            "id",
            "kind",
            "failed_attempts",
            "window_closes_at",
            customer_name=F("customer__name"),
            vehicle_label=Coalesce(NullIf("vehicle__plate", Value("")), "vehicle__vin"),
            vehicle_series=F("vehicle__series"),
            assignee=Coalesce(NullIf("assigned_to__display_name", Value("")), "assigned_to__username"),
        )[:limit]
    )
    labels = {value: str(label) for value, label in OutreachKind.choices}
    prefix = pk_url_prefix("retention:call")
    for row in rows:
        row["kind_label"] = labels[row["kind"]]
        row["closes"] = timezone.localtime(row.pop("window_closes_at")).strftime("%m-%d")
        row["appointment"] = None
        row["url"] = f"{prefix}{row['id']}/"
    return rows


def outreach_queue_counts(*, user, now: datetime.datetime) -> dict[str, int]:
    """The outreach share of the queue header (one query): due now (`outreach_due_q`: claims not
    looked at), of those closing within 24 hours, and the tasks finished today after a contact by
    the user."""
    start = datetime.datetime.combine(timezone.localdate(now), datetime.time.min, timezone.get_current_timezone())
    due = outreach_due_q(user=user, now=now)
    finished = Q(state__in=[OutreachState.DONE, OutreachState.CLOSED], completed_at__gte=start)
    mine = OutreachAttempt.objects.filter(task=OuterRef("pk"), user=user, contacted_at__gte=start)
    tasks = scope_for_user(OutreachTask.objects.all(), user).filter(due | finished)
    return tasks.aggregate(
        due_today=Count("id", filter=due),
        about_to_expire=Count("id", filter=due & Q(window_closes_at__lt=now + ABOUT_TO_EXPIRE)),
        done_today=Count("id", filter=finished & Q(Exists(mine))),
    )


def _claim_next(*, user, kind: str | None = None) -> str | None:
    if not user.has_perm(RECORD_PERMISSION):  # a callback agent without outreach rights: no outreach call
        return None
    task = outreach_task_claim_next(user=user, kinds=_kinds(kind))
    return reverse("retention:call", args=[task.pk]) if task else None


SOURCE = QueueSource(
    kinds=outreach_kind_choices, rows=outreach_queue_rows, claim_next=_claim_next, counts=outreach_queue_counts
)


def register_outreach_queue() -> None:
    register_queue_source(SOURCE)
