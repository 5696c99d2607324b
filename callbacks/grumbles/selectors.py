"""Reads of grumbles: the register (store-scoped, constant queries), one grumble, table-5 rows."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from callbacks.grumbles.rules import STATUS_DONE, STATUS_OPEN, done_filter, not_a_case_filter
from callbacks.models import CallAttempt, HotAlert
from crm.models import User
from crm.periods import month_bounds
from crm.scoping import get_scoped_or_404, scope_for_user


def _filtered(qs: QuerySet[HotAlert], filters: dict) -> QuerySet[HotAlert]:
    if filters.get("store"):
        qs = qs.filter(task__store=filters["store"])
    if filters.get("month"):
        start, end = month_bounds(filters["month"])
        qs = qs.filter(raised_at__gte=start, raised_at__lt=end)
    if filters.get("status") == STATUS_DONE:
        qs = qs.filter(done_filter())
    elif filters.get("status") == STATUS_OPEN:
        qs = qs.exclude(done_filter())
    if filters.get("department"):
        qs = qs.filter(grumble__department__kind=filters["department"])
    return qs


REGISTER_RELATED = (
    "task__store",
    "task__customer",
    "task__vehicle",
    "grumble__responsible_staff",
    "grumble__department",
)


def grumble_register(*, user: User, filters: dict | None = None) -> QuerySet[HotAlert]:
    """The user's stores' grumbles (hot alerts not turned into a case), newest first, each with its
    table-5 record when there is one: one query per page whatever the rows."""
    qs = scope_for_user(HotAlert.objects.filter(not_a_case_filter()), user, store_field="task__store")
    return _filtered(qs, filters or {}).select_related(*REGISTER_RELATED).order_by("-raised_at", "-id")


def grumble_alert(*, user: User, pk: int) -> HotAlert:
    """One grumble's alert within the user's stores (404 otherwise, and for an alert that became a case)."""
    qs = HotAlert.objects.filter(not_a_case_filter()).select_related(
        *REGISTER_RELATED, "task__repair_order__service_advisor", "task__delivery", "grumble__recall_by"
    )
    return get_scoped_or_404(qs, user, store_field="task__store", pk=pk)


def grumble_number(alert: HotAlert) -> str:
    """案例编号 of table 5: store code, BY (抱怨), the alert's local day and id — stable and unique."""
    return f"{alert.task.store.code}-BY{timezone.localtime(alert.raised_at):%Y%m%d}-{alert.pk}"


def grumble_call_note(alert: HotAlert) -> str:
    """The agent's note of the successful call that raised the alert (the customer's words)."""
    attempt = CallAttempt.objects.filter(task_id=alert.task_id).exclude(note="").order_by("-at", "-id").first()
    return attempt.note if attempt else ""


def grumble_table_rows(*, store_ids: list[int] | None, month: dt.date) -> QuerySet[HotAlert]:
    """Table 5 of a month (by the alert's day): every grumble with what its row shows, one query."""
    start, end = month_bounds(month)
    qs = HotAlert.objects.filter(not_a_case_filter(), raised_at__gte=start, raised_at__lt=end)
    if store_ids is not None:
        qs = qs.filter(task__store_id__in=store_ids)
    return qs.select_related(
        *REGISTER_RELATED,
        "task__delivery",
        "task__repair_order__service_advisor",
        "task__repair_order__repair_team",
    ).order_by("raised_at", "id")
