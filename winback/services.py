"""Writes of the win-back list (SPEC §10.3): the monthly scan, recovery, and recording a contact.

The scan is set-based: one SELECT of the lost customers not on the list (every store at once), their
win-back calls (retention.OutreachTask, kind winback) in one INSERT, and their entries in one INSERT
… ON CONFLICT DO NOTHING against the two unique constraints of WinbackEntry (crm.importing.bulk:
unnest() arrays on PostgreSQL, bulk_create elsewhere). A transaction-scoped advisory lock serialises
two scans, so a second worker waits and then finds nothing to add.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.importing import bulk
from crm.locks import advisory_xact_lock
from crm.models import Customer, Delivery, RepairOrder, Store, User
from crm.periods import month_bounds
from retention.choices import OutreachChannel, OutreachKind, OutreachResult, OutreachState
from retention.models import OutreachAttempt, OutreachTask
from retention.services import TaskHeldByOther, outreach_attempt_record
from winback import rules
from winback.at_risk import at_risk_close_returned
from winback.models import WinbackEntry, WinbackSettings

# The DMS import's post-step order: after the repair orders sheet (20), before callback generation (40).
RECOVERY_ORDER = 30


class WinbackError(Exception):
    """A contact that cannot be recorded (shown to the user)."""


def _lost_customers(*, store_months: dict[int, int], on: dt.date) -> list[tuple]:
    """(customer id, store id, may call, last RO id, last delivery id) of the customers of the
    stores (store id -> the store's lost-after months) lost on `on` with no open entry. One
    statement for every store: one pass over the candidates (see winback.rules)."""
    ros = RepairOrder.objects.filter(customer=OuterRef("pk")).order_by("-opened_at", "-id")
    deliveries = Delivery.objects.filter(customer=OuterRef("pk")).order_by("-delivered_on", "-id")
    by_months: dict[int, list[int]] = {}
    for store_id, months in store_months.items():
        by_months.setdefault(months, []).append(store_id)
    lost = Q(pk__in=[])
    for months, stores in by_months.items():
        lost |= (
            Q(store_id__in=stores) & rules.lost_candidates_q(on=on, months=months) & rules.lost_q(on=on, months=months)
        )
    return list(
        Customer.objects.filter(lost)
        .filter(~Exists(WinbackEntry.objects.filter(customer=OuterRef("pk"), recovered_on__isnull=True)))
        .order_by("id")
        .annotate(last_ro=Subquery(ros.values("id")[:1]), last_delivery=Subquery(deliveries.values("id")[:1]))
        .values_list("id", "store_id", "may_call", "last_ro", "last_delivery")
    )


def _add_entries(*, store_months: dict[int, int], on: dt.date) -> dict[int, int]:
    """The scan's writes, set-based: the lost customers (one SELECT), their last visits (two
    SELECTs by id), their win-back calls (one INSERT) and their entries (one INSERT … ON CONFLICT
    DO NOTHING, the constraints' word on duplicates). Returns {store id: entries added}."""
    added = dict.fromkeys(store_months, 0)
    lost = _lost_customers(store_months=store_months, on=on)
    if not lost:
        return added
    tz = timezone.get_default_timezone()
    ro_ids = [row[3] for row in lost if row[3] is not None]
    delivery_ids = [row[4] for row in lost if row[4] is not None]
    last_ros = {
        pk: (timezone.localdate(opened, tz), advisor, vehicle)
        for pk, opened, advisor, vehicle in RepairOrder.objects.filter(id__in=bulk.ids_in(ro_ids)).values_list(
            "id", "opened_at", "service_advisor_id", "vehicle_id"
        )
    }
    last_deliveries = {
        pk: (day, vehicle)
        for pk, day, vehicle in Delivery.objects.filter(id__in=bulk.ids_in(delivery_ids)).values_list(
            "id", "delivered_on", "vehicle_id"
        )
    }
    month = on.replace(day=1)
    opens, next_opens = month_bounds(month)
    tasks, entries = [], []
    for customer_id, store_id, may_call, ro_id, delivery_id in lost:
        ro_day, advisor, ro_vehicle = last_ros.get(ro_id, (None, None, None))
        delivery_day, delivery_vehicle = last_deliveries.get(delivery_id, (None, None))
        vehicle = ro_vehicle or delivery_vehicle
        tasks.append(
            {
                "store_id": store_id,
                "kind": OutreachKind.WINBACK,
                "customer_id": customer_id,
                "vehicle_id": vehicle,
                "window_opens_at": opens,
                "window_closes_at": next_opens - dt.timedelta(microseconds=1),
                # A customer who refused calls gets the call closed: never in the queue, while an
                # SMS contact can still be logged on it.
                "state": OutreachState.OPEN if may_call else OutreachState.CLOSED,
            }
        )
        entries.append(
            {
                "store_id": store_id,
                "customer_id": customer_id,
                "month": month,
                "lost_on": on,
                "last_visit_on": max(day for day in (ro_day, delivery_day) if day is not None),
                "last_repair_order_id": ro_id,
                "service_advisor_id": advisor,
                "vehicle_id": vehicle,
                "recovered_on": None,
            }
        )
    task_of = {
        customer: task for task, customer in bulk.insert_rows(OutreachTask, tasks, returning=("id", "customer_id"))
    }
    for entry in entries:
        entry["task_id"] = task_of[entry["customer_id"]]
    inserted = bulk.insert_rows(WinbackEntry, entries, returning=("store_id", "customer_id"), skip_conflicts=True)
    for store_id, _customer in inserted:
        added[store_id] += 1
    if len(inserted) < len(entries):  # a concurrent writer had them: their calls are not needed
        kept = {customer for _store, customer in inserted}
        orphans = [task for customer, task in task_of.items() if customer not in kept]
        OutreachTask.objects.filter(id__in=bulk.ids_in(orphans)).delete()
    return added


def winback_scan(*, on: dt.date, store_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Put every customer lost on `on` who is not on the list yet on it, with the month of `on`,
    each with a win-back call; mark recovered the entries whose customer came back (the safety net
    of the import's post-step). Idempotent. Returns {store id: entries added}."""
    stores = Store.objects.filter(is_active=True)
    if store_ids is not None:
        stores = stores.filter(id__in=list(store_ids))
    ids = list(stores.order_by("id").values_list("id", flat=True))
    if not ids:
        return {}
    conf = rules.store_settings(ids)
    with transaction.atomic():
        # One scan at a time (a second worker waits, then finds everyone added), whatever its stores.
        advisory_xact_lock("winback.scan")
        _without_jit()
        winback_recover(entries=WinbackEntry.objects.filter(store_id__in=ids))
        _carry_open_calls(store_ids=ids, on=on)
        return _add_entries(store_months={i: conf[i].lost_after_months for i in ids}, on=on)


def _carry_open_calls(*, store_ids: list[int], on: dt.date) -> int:
    """The win-back calls of entries still open (not recovered; the call neither done nor closed) stay
    in the agents' queue: their window, which ended with the month they were added in, is carried to
    the end of `on`'s month. Without it a customer not reached in his first month left the queue for
    good while his entry stayed open (so no later scan added him again). One UPDATE."""
    _opens, next_opens = month_bounds(on.replace(day=1))
    month_end = next_opens - dt.timedelta(microseconds=1)
    return OutreachTask.objects.filter(
        kind=OutreachKind.WINBACK,
        store_id__in=store_ids,
        state=OutreachState.OPEN,
        window_closes_at__lt=month_end,
        winback_entry__recovered_on__isnull=True,
    ).update(window_closes_at=month_end)


def _without_jit() -> None:
    """PostgreSQL would JIT-compile the scan's statement (its cost estimate is high), which takes
    longer than running it: seconds of compilation for a query that runs in hundreds of ms."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


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
        at_risk_close_returned(customer_ids=customers)


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
    booked_slot: dt.time | None = None,
    service_type: str = "",
    booked_advisor: int | None = None,
    note: str = "",
    contacted_at: dt.datetime | None = None,
) -> OutreachAttempt:
    """Record one contact of a lost customer (联络时间, 联络担当, 联络结果, 客户意见 + reason category)
    as an attempt of the entry's win-back call: the entry's own checks (not recovered, has a call),
    then retention's one recording path (`outreach_attempt_record`: the claim rule, the outcome
    table retention.choices.OUTCOMES — the same on the queue's call page and here).

    The list, the export and the reason summary read the latest attempt, so a contact recorded
    from the queue's call page (retention) and one recorded here show the same way."""
    if result == OutreachResult.SOLD and not reason_category:
        reason_category = "sold"
    entry = WinbackEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.recovered_on is not None:
        raise WinbackError(_("客户已回厂（%(day)s），无需再联络。") % {"day": entry.recovered_on})
    if entry.task_id is None:
        raise WinbackError(_("该流失客户没有挽回任务。"))
    try:
        return outreach_attempt_record(
            task=entry.task,
            user=user,
            result=result,
            channel=channel,
            booked_on=booked_on,
            booked_slot=booked_slot,
            service_type=service_type,
            booked_advisor=booked_advisor,
            customer_words=customer_words,
            reason_category=reason_category,
            note=note,
            at=contacted_at,
        )
    except TaskHeldByOther as exc:
        raise WinbackError(_("另一位专员正在联系该客户，请稍后再试。")) from exc


def winback_settings_save(*, store: Store, lost_after_months: int, at_risk_after_months: int) -> WinbackSettings:
    """Set a store's win-back rules; the next scan and the at-risk list use them."""
    settings, _created = WinbackSettings.objects.update_or_create(
        store=store,
        defaults={"lost_after_months": lost_after_months, "at_risk_after_months": at_risk_after_months},
    )
    return settings
