"""Task generation: windows at date/time-zone edges, consent, merging, idempotence (SPEC §6)."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from callbacks.choices import CallbackKind, TaskState
from callbacks.generation import callback_tasks_generate, callback_window
from callbacks.models import CallbackTask, StoreCallbackSettings
from tests.factories import CustomerFactory, DeliveryFactory, RepairOrderFactory, VehicleFactory

SH = ZoneInfo("Asia/Shanghai")


def test_window_spans_month_end():
    opens, closes = callback_window(source_date=datetime.date(2026, 1, 31), start_days=7, end_days=10)
    assert opens == datetime.datetime(2026, 2, 7, 0, 0, tzinfo=SH)
    assert closes.astimezone(SH).date() == datetime.date(2026, 2, 10)
    assert closes.astimezone(SH).time() == datetime.time.max


@pytest.mark.django_db
def test_sales_task_window_from_delivery(store_a):
    delivery = DeliveryFactory(store=store_a, delivered_on=datetime.date(2026, 3, 31))
    callback_tasks_generate(delivery_ids=[delivery.id])
    task = CallbackTask.objects.get(delivery=delivery)
    assert task.kind == CallbackKind.SALES
    assert task.window_opens_at == datetime.datetime(2026, 4, 7, tzinfo=SH)
    assert task.window_closes_at.astimezone(SH).date() == datetime.date(2026, 4, 10)


@pytest.mark.django_db
def test_service_window_uses_local_date_late_evening(store_a):
    # 23:30 in Shanghai is 15:30 UTC the same day; 00:30 local is the previous UTC day.
    late = datetime.datetime(2026, 5, 31, 23, 30, tzinfo=SH)
    early = datetime.datetime(2026, 6, 30, 0, 30, tzinfo=SH)
    ro_late = RepairOrderFactory(store=store_a, opened_at=late - datetime.timedelta(hours=3), delivered_at=late)
    ro_early = RepairOrderFactory(store=store_a, opened_at=early - datetime.timedelta(hours=3), delivered_at=early)
    callback_tasks_generate(repair_order_ids=[ro_late.id, ro_early.id])
    t1 = CallbackTask.objects.get(repair_order=ro_late)
    assert t1.window_opens_at == datetime.datetime(2026, 6, 3, tzinfo=SH)
    assert t1.window_closes_at.astimezone(SH).date() == datetime.date(2026, 6, 7)
    t2 = CallbackTask.objects.get(repair_order=ro_early)
    assert t2.window_opens_at == datetime.datetime(2026, 7, 3, tzinfo=SH)


@pytest.mark.django_db
def test_store_settings_change_window(store_a):
    StoreCallbackSettings.objects.create(store=store_a, sales_window_start_days=1, sales_window_end_days=2)
    delivery = DeliveryFactory(store=store_a, delivered_on=datetime.date(2026, 3, 1))
    callback_tasks_generate(delivery_ids=[delivery.id])
    task = CallbackTask.objects.get(delivery=delivery)
    assert task.window_opens_at == datetime.datetime(2026, 3, 2, tzinfo=SH)


@pytest.mark.django_db
def test_no_task_without_call_consent(store_a):
    customer = CustomerFactory(store=store_a, may_call=False)
    delivery = DeliveryFactory(store=store_a, customer=customer)
    ro = RepairOrderFactory(store=store_a, customer=customer)
    assert callback_tasks_generate(delivery_ids=[delivery.id], repair_order_ids=[ro.id]) == {"sales": 0, "service": 0}
    assert not CallbackTask.objects.exists()


@pytest.mark.django_db
def test_ro_without_delivery_time_gets_no_task(store_a):
    ro = RepairOrderFactory(store=store_a, delivered_at=None)
    callback_tasks_generate(repair_order_ids=[ro.id])
    assert not CallbackTask.objects.exists()


@pytest.mark.django_db
def test_generation_is_idempotent(store_a):
    deliveries = DeliveryFactory.create_batch(3, store=store_a)
    ros = RepairOrderFactory.create_batch(2, store=store_a)
    callback_tasks_generate()
    callback_tasks_generate()
    callback_tasks_generate(delivery_ids=[d.id for d in deliveries], repair_order_ids=[r.id for r in ros])
    assert CallbackTask.objects.filter(kind=CallbackKind.SALES).count() == 3
    assert CallbackTask.objects.filter(kind=CallbackKind.SERVICE).count() == 2


@pytest.mark.django_db
def test_overlapping_service_windows_merge_into_later_ro(store_a):
    vehicle = VehicleFactory(store=store_a)
    first_at = datetime.datetime(2026, 6, 1, 10, tzinfo=SH)
    second_at = datetime.datetime(2026, 6, 4, 10, tzinfo=SH)  # window 6-7…6-11 overlaps 6-4…6-8
    ro1 = RepairOrderFactory(
        store=store_a,
        vehicle=vehicle,
        customer=vehicle.owner,
        delivered_at=first_at,
        opened_at=first_at - datetime.timedelta(hours=2),
    )
    callback_tasks_generate(repair_order_ids=[ro1.id])
    ro2 = RepairOrderFactory(
        store=store_a,
        vehicle=vehicle,
        customer=vehicle.owner,
        delivered_at=second_at,
        opened_at=second_at - datetime.timedelta(hours=2),
    )
    callback_tasks_generate(repair_order_ids=[ro2.id])
    task = CallbackTask.objects.get()
    assert task.repair_order_id == ro2.id
    assert set(task.merged_repair_orders.values_list("id", flat=True)) == {ro1.id, ro2.id}
    assert task.window_opens_at == datetime.datetime(2026, 6, 7, tzinfo=SH)
    # Repeating changes nothing.
    callback_tasks_generate()
    assert CallbackTask.objects.count() == 1


@pytest.mark.django_db
def test_merge_in_one_run_and_separate_when_apart(store_a):
    vehicle = VehicleFactory(store=store_a)
    times = [datetime.datetime(2026, 6, d, 10, tzinfo=SH) for d in (1, 3, 25)]
    ros = [
        RepairOrderFactory(
            store=store_a,
            vehicle=vehicle,
            customer=vehicle.owner,
            delivered_at=t,
            opened_at=t - datetime.timedelta(hours=1),
        )
        for t in times
    ]
    callback_tasks_generate(repair_order_ids=[r.id for r in ros])
    tasks = list(CallbackTask.objects.order_by("window_opens_at"))
    assert [t.repair_order_id for t in tasks] == [ros[1].id, ros[2].id]


@pytest.mark.django_db
def test_done_task_is_not_merged_into(store_a):
    vehicle = VehicleFactory(store=store_a)
    t1 = datetime.datetime(2026, 6, 1, 10, tzinfo=SH)
    ro1 = RepairOrderFactory(
        store=store_a,
        vehicle=vehicle,
        customer=vehicle.owner,
        delivered_at=t1,
        opened_at=t1 - datetime.timedelta(hours=1),
    )
    callback_tasks_generate(repair_order_ids=[ro1.id])
    CallbackTask.objects.update(state=TaskState.DONE)
    t2 = datetime.datetime(2026, 6, 3, 10, tzinfo=SH)
    ro2 = RepairOrderFactory(
        store=store_a,
        vehicle=vehicle,
        customer=vehicle.owner,
        delivered_at=t2,
        opened_at=t2 - datetime.timedelta(hours=1),
    )
    callback_tasks_generate(repair_order_ids=[ro2.id])
    assert CallbackTask.objects.count() == 2


@pytest.mark.django_db
def test_post_import_step_uses_touched_ids(store_a):
    from crm.importing.registry import ImportContext, post_import_steps

    delivery = DeliveryFactory(store=store_a)
    other = DeliveryFactory(store=store_a)
    ctx = ImportContext(default_store=store_a)
    ctx.touch("deliveries", delivery.id)
    for step in post_import_steps():
        step(ctx)
    assert CallbackTask.objects.filter(delivery=delivery).exists()
    assert not CallbackTask.objects.filter(delivery=other).exists()


def _service_ros(store, vehicles, at):
    return [
        RepairOrderFactory(
            store=store, vehicle=v, customer=v.owner, delivered_at=at, opened_at=at - datetime.timedelta(hours=2)
        )
        for v in vehicles
    ]


@pytest.mark.django_db
def test_service_generation_statements_do_not_grow_with_repair_orders(store_a):
    """New tasks, take-overs and links are written in bulk: 3 ROs and 12 ROs (a third of them
    merging into an open task) cost the same statements — 5,000 ROs a night must take seconds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = datetime.datetime(2026, 6, 1, 10, tzinfo=SH)
    later = first + datetime.timedelta(days=2)  # overlaps the first window: merges

    def run(n):
        vehicles = [VehicleFactory(store=store_a) for _ in range(n)]
        merging = vehicles[: n // 3]
        callback_tasks_generate(repair_order_ids=[r.id for r in _service_ros(store_a, merging, first)])
        ros = _service_ros(store_a, vehicles, later)
        with CaptureQueriesContext(connection) as ctx:
            result = callback_tasks_generate(repair_order_ids=[r.id for r in ros])
        assert result["service"] == n - len(merging)
        taken = CallbackTask.objects.filter(vehicle__in=merging)
        assert {t.repair_order_id for t in taken} == {r.id for r in ros[: len(merging)]}
        assert all(t.merged_repair_orders.count() == 2 for t in taken)
        return len(ctx.captured_queries)

    assert run(12) == run(3)
