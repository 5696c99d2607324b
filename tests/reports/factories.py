"""Helpers that build the dashboard's raw material: callback tasks of a month and complaint cases."""

import datetime as dt

from django.utils import timezone

from callbacks.choices import CallbackKind, Disposition, TaskState
from callbacks.models import CallbackTask
from complaints.choices import Category, Channel
from complaints.models import Case
from complaints.services import case_receive
from crm.choices import StaffRole
from tests.factories import CustomerFactory, DeliveryFactory, RepairOrderFactory, StaffFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def sales_consultant(store, name: str):
    return StaffFactory(store=store, name=name, role=StaffRole.SALES_CONSULTANT)


def service_advisor(store, name: str):
    return StaffFactory(store=store, name=name, role=StaffRole.SERVICE_ADVISOR)


def make_task(
    *,
    staff,
    kind: str = CallbackKind.SERVICE,
    source: dt.datetime,
    state: str = TaskState.DONE,
    grumble: bool = False,
    score: int | None = None,
    customer=None,
) -> CallbackTask:
    """A callback task of `staff` whose source event (delivery / RO 交车时间) is `source`."""
    store = staff.store
    customer = customer or CustomerFactory(store=store)
    fields = {
        "store": store,
        "kind": kind,
        "customer": customer,
        "state": state,
        "has_grumble": grumble,
        "window_opens_at": source + dt.timedelta(days=3),
        "window_closes_at": source + dt.timedelta(days=7),
    }
    if state == TaskState.DONE:
        fields.update(final_disposition=Disposition.SUCCESS, completed_at=source + dt.timedelta(days=4))
    elif state == TaskState.CLOSED_UNSUCCESSFUL:
        fields.update(final_disposition=Disposition.NO_ANSWER, completed_at=source + dt.timedelta(days=7))
    if score is not None:
        fields["overall_score"] = score
    if kind == CallbackKind.SALES:
        delivery = DeliveryFactory(
            store=store, customer=customer, delivered_on=timezone.localtime(source).date(), sales_consultant=staff
        )
        return CallbackTask.objects.create(delivery=delivery, vehicle=delivery.vehicle, **fields)
    ro = RepairOrderFactory(
        store=store,
        customer=customer,
        opened_at=source - dt.timedelta(hours=5),
        delivered_at=source,
        service_advisor=staff,
    )
    return CallbackTask.objects.create(repair_order=ro, vehicle=ro.vehicle, **fields)


def make_case(*, store, customer=None, received_at: dt.datetime, **times) -> Case:
    """A complaint received at `received_at`; `times` set dispatched_at / first_contact_at / … / state."""
    customer = customer or CustomerFactory(store=store)
    case = case_receive(
        user=None,
        store=store,
        customer=customer,
        channel=Channel.PHONE,
        category=Category.REPAIR_QUALITY,
        content="保养后异响",
        received_at=received_at,
    )
    if times:
        Case.objects.filter(pk=case.pk).update(**times)
        case.refresh_from_db()
    return case


def make_service_tasks_bulk(*, staff, count: int, source: dt.datetime, grumbles: int = 0) -> None:
    """`count` successful service callbacks of one advisor (the first `grumbles` with a grumble),
    bulk-created for one customer: fast enough for seed 003's 300 customers."""
    from crm.models import RepairOrder
    from tests.factories import VehicleFactory

    store = staff.store
    customer = CustomerFactory(store=store)
    vehicle = VehicleFactory(store=store, owner=customer)
    prefix = f"B{staff.pk}-{source:%m%d%H%M}-"
    ros = RepairOrder.objects.bulk_create(
        RepairOrder(
            store=store,
            ro_no=f"{prefix}{i}",
            opened_at=source - dt.timedelta(hours=5),
            delivered_at=source,
            customer=customer,
            vehicle=vehicle,
            service_advisor=staff,
        )
        for i in range(count)
    )
    CallbackTask.objects.bulk_create(
        CallbackTask(
            store=store,
            kind=CallbackKind.SERVICE,
            customer=customer,
            vehicle=vehicle,
            repair_order=ro,
            state=TaskState.DONE,
            final_disposition=Disposition.SUCCESS,
            completed_at=source + dt.timedelta(days=4),
            has_grumble=i < grumbles,
            window_opens_at=source + dt.timedelta(days=3),
            window_closes_at=source + dt.timedelta(days=7),
        )
        for i, ro in enumerate(ros)
    )
