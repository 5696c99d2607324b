"""Callback task generation (SPEC §6): windows, sales and service tasks, the merge of overlapping
service windows, and the step the DMS import runs after its sheets."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from callbacks.choices import CallbackKind, TaskState
from callbacks.models import CallbackTask, CallbackTaskRepairOrder, StoreCallbackSettings
from crm.importing import bulk
from crm.locks import advisory_xact_lock
from crm.models import Delivery, RepairOrder

DEFAULTS = StoreCallbackSettings()  # unsaved: the default values for stores without a row


def _local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def callback_window(*, source_date: datetime.date, start_days: int, end_days: int) -> tuple[datetime.datetime, ...]:
    """The window of a callback: from the start of day `source_date + start_days` (local time) to the
    last microsecond of day `source_date + end_days` — aware datetimes in Asia/Shanghai."""
    tz = _local_tz()
    opens = datetime.datetime.combine(source_date + datetime.timedelta(days=start_days), datetime.time.min, tz)
    closes = datetime.datetime.combine(source_date + datetime.timedelta(days=end_days), datetime.time.max, tz)
    return opens, closes


def store_callback_settings(store_ids: Iterable[int]) -> dict[int, StoreCallbackSettings]:
    """Settings per store id (unsaved defaults where a store has no row)."""
    ids = set(store_ids)
    found = {s.store_id: s for s in StoreCallbackSettings.objects.filter(store_id__in=ids)}
    return {sid: found.get(sid, DEFAULTS) for sid in ids}


def _sales_tasks(delivery_ids: Iterable[int] | None, since: datetime.date | None) -> int:
    qs = Delivery.objects.filter(customer__may_call=True, callback_task__isnull=True)
    if delivery_ids is not None:
        qs = qs.filter(id__in=bulk.ids_in(delivery_ids))
    if since is not None:
        qs = qs.filter(delivered_on__gte=since)
    rows = list(qs.values_list("id", "store_id", "customer_id", "vehicle_id", "delivered_on"))
    conf = store_callback_settings(r[1] for r in rows)
    tasks = []
    for pk, store_id, customer_id, vehicle_id, delivered_on in rows:
        s = conf[store_id]
        opens, closes = callback_window(
            source_date=delivered_on, start_days=s.sales_window_start_days, end_days=s.sales_window_end_days
        )
        tasks.append(
            {
                "store_id": store_id,
                "kind": CallbackKind.SALES,
                "customer_id": customer_id,
                "vehicle_id": vehicle_id,
                "delivery_id": pk,
                "window_opens_at": opens,
                "window_closes_at": closes,
            }
        )
    # skip_conflicts: a concurrent run (import step and nightly beat) may have made the same task.
    return len(bulk.insert_rows(CallbackTask, tasks, skip_conflicts=True))


@dataclass(slots=True)
class _ServiceSlot:
    """A service task while generation decides: an open one from the database or a new one."""

    id: int | None
    store_id: int
    customer_id: int
    vehicle_id: int
    repair_order_id: int
    owner_delivered_at: datetime.datetime
    opens: datetime.datetime
    closes: datetime.datetime


_SLOT_FIELDS = (
    "id", "store_id", "customer_id", "vehicle_id", "repair_order_id", "repair_order__delivered_at",
    "window_opens_at", "window_closes_at",
)  # fmt: skip


def _service_tasks(repair_order_ids: Iterable[int] | None, since: datetime.date | None) -> int:
    """Service tasks; ROs of one vehicle whose windows overlap share the task of the latest RO.

    The rule runs in one pass over the ROs in (vehicle, 交车时间) order, in Python, the one place it
    is written; reads and writes are set-based (one query or statement per table), so that the
    100,000 repair orders of an import take seconds, not the 45 s that model instances took.
    """
    qs = RepairOrder.objects.filter(
        delivered_at__isnull=False, customer__may_call=True, callback_task_link__isnull=True
    )
    if repair_order_ids is not None:
        qs = qs.filter(id__in=bulk.ids_in(repair_order_ids))
    if since is not None:
        qs = qs.filter(delivered_at__gte=datetime.datetime.combine(since, datetime.time.min, _local_tz()))
    rows = list(
        qs.order_by("vehicle_id", "delivered_at", "id").values_list(
            "id", "store_id", "customer_id", "vehicle_id", "delivered_at"
        )
    )
    if not rows:
        return 0
    conf = store_callback_settings(r[1] for r in rows)
    tz = _local_tz()
    # Open service tasks of these vehicles: a new RO may merge into one of them.
    open_by_vehicle: dict[int, list[_ServiceSlot]] = {}
    open_tasks = CallbackTask.objects.filter(
        kind=CallbackKind.SERVICE, state=TaskState.OPEN, vehicle_id__in=bulk.ids_in({r[3] for r in rows})
    ).order_by("window_closes_at", "id")
    for values in open_tasks.values_list(*_SLOT_FIELDS):
        slot = _ServiceSlot(*values)
        open_by_vehicle.setdefault(slot.vehicle_id, []).append(slot)

    windows: dict[tuple, tuple[datetime.datetime, datetime.datetime]] = {}
    new_slots: list[_ServiceSlot] = []
    taken_over: dict[int, _ServiceSlot] = {}
    links: list[tuple[_ServiceSlot, int]] = []
    for pk, store_id, customer_id, vehicle_id, delivered_at in rows:
        s = conf[store_id]
        day = (delivered_at.astimezone(tz).date(), s.service_window_start_days, s.service_window_end_days)
        if day not in windows:
            windows[day] = callback_window(source_date=day[0], start_days=day[1], end_days=day[2])
        opens, closes = windows[day]
        slots = open_by_vehicle.setdefault(vehicle_id, [])
        target = next((t for t in slots if t.opens <= closes and opens <= t.closes), None)
        if target is None:
            target = _ServiceSlot(None, store_id, customer_id, vehicle_id, pk, delivered_at, opens, closes)
            slots.append(target)
            new_slots.append(target)
        elif target.owner_delivered_at < delivered_at:
            # The later RO takes the task over, with its (later) window and customer.
            target.repair_order_id, target.owner_delivered_at = pk, delivered_at
            target.customer_id, target.opens, target.closes = customer_id, opens, closes
            if target.id is not None:
                taken_over[target.id] = target
        links.append((target, pk))
    with transaction.atomic():
        # The caller holds the generation lock, so no other run inserts these tasks meanwhile.
        created = bulk.insert_rows(
            CallbackTask,
            [
                {
                    "store_id": t.store_id,
                    "kind": CallbackKind.SERVICE,
                    "customer_id": t.customer_id,
                    "vehicle_id": t.vehicle_id,
                    "repair_order_id": t.repair_order_id,
                    "window_opens_at": t.opens,
                    "window_closes_at": t.closes,
                }
                for t in new_slots
            ],
            returning=("repair_order_id", "id"),
        )
        task_of_owner = dict(created)
        for slot in new_slots:
            slot.id = task_of_owner[slot.repair_order_id]
        bulk.update_rows(
            CallbackTask,
            ("repair_order_id", "customer_id", "window_opens_at", "window_closes_at"),
            [(t.id, t.repair_order_id, t.customer_id, t.opens, t.closes) for t in taken_over.values()],
        )
        bulk.insert_rows(
            CallbackTaskRepairOrder,
            [{"task_id": task.id, "repair_order_id": ro_id} for task, ro_id in links],
            skip_conflicts=True,
        )
    return len(new_slots)


def callback_tasks_generate(
    *,
    delivery_ids: Iterable[int] | None = None,
    repair_order_ids: Iterable[int] | None = None,
    since: datetime.date | None = None,
) -> dict[str, int]:
    """Create the missing callback tasks; safe to repeat (uniqueness constraints + ignore_conflicts).

    With ids, only those sources; with neither ids nor `since`, every source without a task.
    Passing only one id list restricts generation to that kind.
    """
    only_ids = delivery_ids is not None or repair_order_ids is not None
    result = {"sales": 0, "service": 0}
    if not only_ids or delivery_ids is not None:
        result["sales"] = _sales_tasks(delivery_ids, since)
    if not only_ids or repair_order_ids is not None:
        # An advisory lock: two runs merging the same vehicle's ROs at once would race.
        with transaction.atomic():
            advisory_xact_lock("callbacks.generate_service")
            result["service"] = _service_tasks(repair_order_ids, since)
    return result


def callback_tasks_generate_after_import(ctx) -> None:
    """Post-import step: tasks for the deliveries and ROs the import created or updated."""
    callback_tasks_generate(
        delivery_ids=ctx.touched.get("deliveries", set()),
        repair_order_ids=ctx.touched.get("repair_orders", set()),
    )


# --- the queue ---------------------------------------------------------------------------------
