"""What the DMS import and the beat do to bookings: arrival by RO import, no-shows the next
morning (with a follow-up call in the agents' queue), and the day-before SMS reminder. All
set-based and safe to run twice."""

import datetime as dt

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat, TruncDate
from django.utils import timezone

from appointments.choices import SMS_EVE, AppointmentState
from appointments.models import Appointment
from appointments.services import appointment_sms_body, appointment_sms_template, eve_related_key
from crm.importing import bulk
from crm.models import RepairOrder, Vehicle
from crm.sms.models import SmsMessage
from crm.sms.services import sms_send
from retention.choices import OutreachKind, OutreachState
from retention.models import OutreachTask

S = AppointmentState
# The DMS import's post-step order: after the repair orders sheet (20) and win-back recovery (30).
ARRIVAL_ORDER = 32
# How long the follow-up call of a no-show stays in the queue.
FOLLOW_UP_DAYS = 7


def _arrival_ro(*, with_vehicle: bool):
    """The ROs that keep a booking: opened at its store on its day, of its vehicle — or, for a
    booking made without a vehicle, of any vehicle its customer owns (Vehicle.owner)."""
    ros = RepairOrder.objects.annotate(day=TruncDate("opened_at")).filter(
        store_id=OuterRef("store_id"), day=OuterRef("day")
    )
    if with_vehicle:
        return ros.filter(vehicle_id=OuterRef("vehicle_id"))
    return ros.filter(vehicle__owner_id=OuterRef("customer_id"))


def appointments_mark_arrived(*, vehicle_ids=None, now: dt.datetime | None = None) -> int:
    """Booked (or already marked no-show) appointments with an RO opened at the store on the booked
    day (`_arrival_ro`) become arrived, linked to that RO: one UPDATE for the bookings with a
    vehicle, one for those without. A no-show's follow-up call that is still open is closed (the
    customer came after all)."""
    now = now or timezone.now()
    updated = 0
    with transaction.atomic():
        for with_vehicle in (True, False):
            pending = Appointment.objects.filter(state__in=[S.BOOKED, S.NO_SHOW], vehicle__isnull=not with_vehicle)
            if vehicle_ids is not None:
                ids = bulk.ids_in(list(vehicle_ids))
                if with_vehicle:
                    pending = pending.filter(vehicle_id__in=ids)
                else:
                    owned = Vehicle.objects.filter(owner_id=OuterRef("customer_id"), id__in=ids)
                    pending = pending.filter(Exists(owned))
            ro = _arrival_ro(with_vehicle=with_vehicle).order_by("opened_at", "id")
            came = pending.filter(Exists(ro))
            follow_ups = list(came.filter(follow_up_task__isnull=False).values_list("follow_up_task_id", flat=True))
            updated += came.update(
                state=S.ARRIVED, state_changed_at=now, state_changed_by=None, repair_order=Subquery(ro.values("id")[:1])
            )
            if follow_ups:
                OutreachTask.objects.filter(id__in=follow_ups, state=OutreachState.OPEN).update(
                    state=OutreachState.CLOSED, completed_at=now, claimed_by=None, claimed_at=None
                )
    return updated


def appointments_arrived_after_import(ctx) -> None:
    """DMS import post-step: the vehicles of the imported ROs may have kept their booking."""
    ro_ids = ctx.touched.get("repair_orders")
    if not ro_ids:
        return
    vehicle_ids = set(RepairOrder.objects.filter(pk__in=bulk.ids_in(list(ro_ids))).values_list("vehicle_id", flat=True))
    appointments_mark_arrived(vehicle_ids=vehicle_ids)


def appointments_mark_no_shows(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Bookings of a day before today still booked become no-shows, and every no-show without a
    follow-up call gets one (a reminder-style call in the agents' queue, one per booking by the
    task key): the second step works from state, so a run that died between the two is finished
    by the next one, and a second run changes nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        marked = Appointment.objects.filter(state=S.BOOKED, day__lt=today).update(
            state=S.NO_SHOW, state_changed_at=now, state_changed_by=None
        )
        pending = list(
            Appointment.objects.filter(state=S.NO_SHOW, follow_up_task__isnull=True, day__gte=today - dt.timedelta(30))
            .values_list("id", "store_id", "customer_id", "vehicle_id", "customer__may_call")
            .order_by("id")
        )
        if pending:
            closes = now + dt.timedelta(days=FOLLOW_UP_DAYS)
            OutreachTask.objects.bulk_create(
                [
                    OutreachTask(
                        store_id=store_id,
                        kind=OutreachKind.NO_SHOW,
                        customer_id=customer_id,
                        vehicle_id=vehicle_id,
                        window_opens_at=now,
                        window_closes_at=closes,
                        # A customer who refused calls: the task is closed, never in the queue.
                        state=OutreachState.OPEN if may_call else OutreachState.CLOSED,
                        key=f"appointment:{pk}",
                    )
                    for pk, store_id, customer_id, vehicle_id, may_call in pending
                ],
                ignore_conflicts=True,
            )
            key = Concat(Value("appointment:"), Cast(OuterRef("id"), CharField()))
            Appointment.objects.filter(id__in=bulk.ids_in([row[0] for row in pending])).update(
                follow_up_task=Subquery(OutreachTask.objects.filter(key=key).values("id")[:1])
            )
    return {"no_show": marked, "follow_up": len(pending)}


def appointments_send_eve_reminders(*, now: dt.datetime | None = None) -> int:
    """The day-before SMS of every booking of tomorrow still booked: through the gateway (quiet
    hours hold it until 08:00), once per booking and day (`eve_related_key`): a booking with its
    message for that day logged is skipped, and the SMS log's (reason, key) constraint stops a
    second one from a run at the same moment. A booking moved (改约) to another day after its
    reminder went gets one again on the new day's eve."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    sent = 0
    already = SmsMessage.objects.filter(
        reason=SMS_EVE,
        related_key=Concat(Value("appointment:"), Cast(OuterRef("id"), CharField()), Value(f":{tomorrow.isoformat()}")),
    )
    rows = (
        Appointment.objects.filter(state=S.BOOKED, day=tomorrow)
        .filter(~Exists(already))
        .select_related("customer", "vehicle", "store")
    )
    template = appointment_sms_template(SMS_EVE)  # as the confirmation reads its text, once for the sweep
    for appointment in rows.iterator(chunk_size=500):
        body = appointment_sms_body(template, appointment)
        sms_send(
            store=appointment.store,
            customer=appointment.customer,
            mobile=appointment.customer.mobile,
            body=body,
            reason=SMS_EVE,
            related_key=eve_related_key(appointment_id=appointment.pk, day=appointment.day),
            now=now,
        )
        sent += 1
    return sent
