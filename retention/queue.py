"""Reminder and win-back calls in the agents' callback queue (callbacks.queue_sources): the rows the
queue page prints (one query, ready to print), the kinds of its filter, and "next call"."""

import datetime

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone

from callbacks.queue_sources import QueueSource, register_queue_source
from crm.links import pk_url_prefix
from retention.choices import OutreachKind
from retention.models import OutreachTask
from retention.services import outreach_queue_filter, outreach_task_claim_next

ABOUT_TO_EXPIRE = datetime.timedelta(hours=24)


def outreach_kind_choices() -> list[tuple[str, str]]:
    return list(OutreachKind.choices)


def outreach_queue_rows(
    *, user, now: datetime.datetime, kind: str | None = None, expiring: bool = False, limit: int = 100
) -> list[dict]:
    """The outreach tasks `user` may call now, window closing soonest first (the open-queue index's
    order), as the callback queue prints its rows."""
    tasks = OutreachTask.objects.filter(outreach_queue_filter(user=user, now=now))
    if kind:
        tasks = tasks.filter(kind=kind)
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


def _claim_next(*, user, kind: str | None = None) -> str | None:
    task = outreach_task_claim_next(user=user, kind=kind)
    return reverse("retention:call", args=[task.pk]) if task else None


SOURCE = QueueSource(kinds=outreach_kind_choices, rows=outreach_queue_rows, claim_next=_claim_next)


def register_outreach_queue() -> None:
    register_queue_source(SOURCE)
