"""Writes of the win-back list (SPEC §10.3): the monthly scan, recovery, and recording a contact.

The scan is set-based: per store, one INSERT … SELECT of the lost customers not on the list (ON
CONFLICT DO NOTHING against the two unique constraints of WinbackEntry), then their win-back calls
(retention.OutreachTask, kind winback) in one bulk insert, linked back in one UPDATE. A
transaction-scoped advisory lock per store serialises two scans of the same store, so a second
worker waits and then finds nothing to add.
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import DateField, DateTimeField, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Greatest, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.importing import bulk
from crm.models import Customer, Delivery, RepairOrder, Store, User
from crm.periods import month_bounds
from retention.choices import WINBACK_RESULTS, OutreachChannel, OutreachKind, OutreachResult, OutreachState
from retention.models import OutreachAttempt, OutreachTask
from winback import rules
from winback.models import WinbackEntry

# The DMS import's post-step order: after the repair orders sheet (20), before callback generation (40).
RECOVERY_ORDER = 30
# A call that did not reach the customer may be tried again after this (as callbacks do).
RETRY_AFTER = dt.timedelta(hours=2)
# Another agent's claim on the task holds this long after their last touch (SPEC §6).
CLAIM_TTL = dt.timedelta(minutes=15)
# Results after which the win-back call is finished; 有意向 and 无法联系 stay open for a follow-up.
FINAL_RESULTS = frozenset(
    {OutreachResult.BOOKED, OutreachResult.NOT_INTERESTED, OutreachResult.ELSEWHERE, OutreachResult.SOLD}
)


class WinbackError(Exception):
    """A contact that cannot be recorded (shown to the user)."""


def _advisory_lock(name: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


def _lost_candidates(*, store_id: int, on: dt.date, months: int):
    """The INSERT's SELECT: the store's customers lost on `on` with no open entry, and the
    snapshot of their last visit (date, last RO, its service advisor and vehicle)."""
    tz = timezone.get_default_timezone()
    ros = RepairOrder.objects.filter(customer=OuterRef("pk")).order_by("-opened_at", "-id")
    deliveries = Delivery.objects.filter(customer=OuterRef("pk")).order_by("-delivered_on", "-id")
    last_ro_day = TruncDate(Subquery(ros.values("opened_at")[:1]), tzinfo=tz)
    last_delivery_day = Subquery(deliveries.values("delivered_on")[:1])
    month = on.replace(day=1)
    return (
        Customer.objects.filter(store_id=store_id)
        .filter(rules.lost_q(on=on, months=months))
        .filter(~Exists(WinbackEntry.objects.filter(customer=OuterRef("pk"), recovered_on__isnull=True)))
        .order_by()
        .annotate(
            w_store=F("store_id"),
            w_customer=F("id"),
            # Typed: inside INSERT … SELECT * FROM (…) an untyped parameter would be text.
            w_month=Cast(Value(month), DateField()),
            w_lost_on=Cast(Value(on), DateField()),
            # GREATEST is NULL-safe on PostgreSQL only: each side falls back on the other.
            w_last_visit=Greatest(Coalesce(last_ro_day, last_delivery_day), Coalesce(last_delivery_day, last_ro_day)),
            w_last_ro=Subquery(ros.values("id")[:1]),
            w_advisor=Subquery(ros.values("service_advisor_id")[:1]),
            w_vehicle=Coalesce(Subquery(ros.values("vehicle_id")[:1]), Subquery(deliveries.values("vehicle_id")[:1])),
            w_created=Cast(Value(timezone.now()), DateTimeField()),
        )
        .values_list(
            "w_store",
            "w_customer",
            "w_month",
            "w_lost_on",
            "w_last_visit",
            "w_last_ro",
            "w_advisor",
            "w_vehicle",
            "w_created",
        )
    )


_ENTRY_COLUMNS = (
    "store_id",
    "customer_id",
    "month",
    "lost_on",
    "last_visit_on",
    "last_repair_order_id",
    "service_advisor_id",
    "vehicle_id",
    "created_at",
)


def _insert_entries(*, store_id: int, on: dt.date, months: int) -> int:
    sql, params = _lost_candidates(store_id=store_id, on=on, months=months).query.sql_with_params()
    table = WinbackEntry._meta.db_table
    columns = ", ".join(f'"{c}"' for c in _ENTRY_COLUMNS)
    # `WHERE true`: SQLite needs it to parse ON CONFLICT after INSERT … SELECT.
    statement = f"INSERT INTO {table} ({columns}) SELECT * FROM ({sql}) AS lost WHERE true ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


def _create_tasks(*, store_id: int) -> int:
    """A win-back call for every entry of the store that has none: window = the entry's month; a
    customer who refused calls gets the task closed (never in the queue; an SMS can still be logged)."""
    entries = list(
        WinbackEntry.objects.filter(store_id=store_id, task__isnull=True, recovered_on__isnull=True).values_list(
            "id", "customer_id", "vehicle_id", "month", "customer__may_call"
        )
    )
    if not entries:
        return 0
    rows = []
    for _id, customer_id, vehicle_id, month, may_call in entries:
        opens, next_opens = month_bounds(month)
        rows.append(
            {
                "store_id": store_id,
                "kind": OutreachKind.WINBACK,
                "customer_id": customer_id,
                "vehicle_id": vehicle_id,
                "window_opens_at": opens,
                "window_closes_at": next_opens - dt.timedelta(microseconds=1),
                "state": OutreachState.OPEN if may_call else OutreachState.CLOSED,
            }
        )
    created = {
        customer_id: task_id
        for task_id, customer_id in bulk.insert_rows(OutreachTask, rows, returning=("id", "customer_id"))
    }
    bulk.update_rows(
        WinbackEntry, ("task_id",), [(entry_id, created[customer_id]) for entry_id, customer_id, *_ in entries]
    )
    return len(entries)


def winback_scan(*, on: dt.date, store_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Put every customer lost on `on` who is not on the list yet on it, with the month of `on`,
    each with a win-back call; mark recovered the entries whose customer came back (the safety net
    of the import's post-step). Idempotent. Returns {store id: entries added}."""
    stores = Store.objects.filter(is_active=True)
    if store_ids is not None:
        stores = stores.filter(id__in=list(store_ids))
    ids = list(stores.order_by("id").values_list("id", flat=True))
    conf = rules.store_settings(ids)
    added: dict[int, int] = {}
    for store_id in ids:
        with transaction.atomic():
            _advisory_lock(f"winback.scan:{store_id}")
            winback_recover(entries=WinbackEntry.objects.filter(store_id=store_id))
            added[store_id] = _insert_entries(store_id=store_id, on=on, months=conf[store_id].lost_after_months)
            _create_tasks(store_id=store_id)
    return added


def winback_recover(*, entries) -> int:
    """Mark recovered (是否挽回 = 是) the open entries whose customer has an RO opened on or after
    the day they were found lost — with that RO's local date — and close their open win-back call.
    One UPDATE; returns the entries recovered."""
    tz = timezone.get_default_timezone()
    comeback = (
        RepairOrder.objects.annotate(day=TruncDate("opened_at", tzinfo=tz))
        .filter(customer=OuterRef("customer_id"), day__gte=OuterRef("lost_on"))
        .order_by("opened_at", "id")
    )
    open_entries = entries.filter(recovered_on__isnull=True).filter(Exists(comeback))
    task_ids = list(open_entries.exclude(task__isnull=True).values_list("task_id", flat=True))
    recovered = open_entries.update(
        recovered_on=Subquery(comeback.values("day")[:1]), recovered_by=Subquery(comeback.values("id")[:1])
    )
    if task_ids:
        OutreachTask.objects.filter(id__in=bulk.ids_in(task_ids), state=OutreachState.OPEN).update(
            state=OutreachState.DONE, completed_at=timezone.now(), claimed_by=None, claimed_at=None
        )
    return recovered


def winback_recover_after_import(ctx) -> None:
    """DMS import post-step: the customers of the repair orders the file named may have come back."""
    ro_ids = ctx.touched.get("repair_orders", set())
    if not ro_ids:
        return
    customers = RepairOrder.objects.filter(id__in=bulk.ids_in(ro_ids)).values("customer_id")
    with transaction.atomic():
        winback_recover(entries=WinbackEntry.objects.filter(customer_id__in=customers))


@transaction.atomic
def winback_contact_record(
    *,
    entry: WinbackEntry,
    user: User | None,
    result: str,
    channel: str = OutreachChannel.CALL,
    customer_words: str = "",
    reason_category: str = "",
    booked_on: dt.date | None = None,
    note: str = "",
    contacted_at: dt.datetime | None = None,
) -> OutreachAttempt:
    """Record one contact of a lost customer (联络时间, 联络担当, 联络结果, 客户意见 + reason category)
    as an attempt of the entry's win-back call, under the task's row lock, and move the call on:
    finished after 已预约 / 无意向 / 已在他店 / 已卖车, back in the queue later after 无法联系.

    The list, the export and the reason summary read the latest attempt, so a contact recorded
    from the queue's call page (retention) and one recorded here show the same way."""
    if result not in WINBACK_RESULTS:
        raise ValidationError({"result": _("请选择联络结果。")})
    if result == OutreachResult.BOOKED and booked_on is None:
        raise ValidationError({"booked_on": _("已预约须填写预约日期。")})
    if result == OutreachResult.SOLD and not reason_category:
        reason_category = "sold"
    now = timezone.now()
    entry = WinbackEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.recovered_on is not None:
        raise WinbackError(_("客户已回厂（%(day)s），无需再联络。") % {"day": entry.recovered_on})
    if entry.task_id is None:
        raise WinbackError(_("该流失客户没有挽回任务。"))
    task = OutreachTask.objects.select_for_update().get(pk=entry.task_id)
    held = task.claimed_by_id not in (None, getattr(user, "pk", None))
    if held and task.claimed_at and task.claimed_at > now - CLAIM_TTL:
        raise WinbackError(_("另一位专员正在联系该客户，请稍后再试。"))
    attempt = OutreachAttempt.objects.create(
        task=task,
        user=user,
        channel=channel,
        contacted_at=contacted_at or now,
        result=result,
        booked_on=booked_on if result == OutreachResult.BOOKED else None,
        customer_words=customer_words.strip(),
        reason_category=reason_category,
        note=note.strip(),
    )
    task.result = result
    task.booked_on = attempt.booked_on
    task.claimed_by, task.claimed_at = None, None
    if result == OutreachResult.UNREACHABLE:
        task.failed_attempts += 1
        task.next_attempt_at = now + RETRY_AFTER
    if result in FINAL_RESULTS and task.state == OutreachState.OPEN:
        task.state = OutreachState.DONE
        task.completed_at = now
    task.save(
        update_fields=[
            "result",
            "booked_on",
            "claimed_by",
            "claimed_at",
            "failed_attempts",
            "next_attempt_at",
            "state",
            "completed_at",
        ]
    )
    return attempt
