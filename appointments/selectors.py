"""Appointment reads: the day board of a store, an advisor's day, and "a booking exists from
this task" — the one rule the reminder and win-back reports count 已预约 by."""

import datetime as dt

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from appointments.choices import manual_changes
from appointments.models import Appointment
from appointments.slots import slot_rows, slot_usage, store_appointment_settings
from crm.choices import StaffRole
from crm.models import Staff, User
from crm.scoping import scope_for_user
from retention.models import OutreachTask


def booking_exists_from_task(task_ref: OuterRef | str = "pk") -> Exists:
    """Exists(an appointment booked from the outreach task `task_ref`): a reminder or win-back
    call's outcome 已预约, as the reports count it."""
    if isinstance(task_ref, str):
        task_ref = OuterRef(task_ref)
    # The content type by its natural key (a join), not by id: reports build this at import time,
    # before the database may be read.
    meta = OutreachTask._meta
    return Exists(
        Appointment.objects.filter(
            origin_type__app_label=meta.app_label, origin_type__model=meta.model_name, origin_id=task_ref
        )
    )


def _board_rows(queryset: QuerySet) -> list[Appointment]:
    """The bookings with what a row prints, and the state changes a person may make on each."""
    rows = list(queryset.select_related("customer", "vehicle", "advisor").order_by("day", "slot", "id"))
    today = timezone.localdate()
    for row in rows:
        row.actions = manual_changes(row.state, upcoming=row.day > today)
    return rows


def day_board(*, user: User, store_id: int, day: dt.date) -> dict:
    """The store's day: each slot with its capacity, places taken (appointments.slots, the booking
    check's count) and bookings (four queries: settings, slot usage, the bookings with their
    customer / vehicle / advisor, nothing per row)."""
    conf = store_appointment_settings(store_id)
    day_bookings = scope_for_user(Appointment.objects.filter(store_id=store_id, day=day), user)
    usage = slot_usage(store_id=store_id, day=day, bookings=day_bookings)
    bookings = _board_rows(day_bookings)
    by_slot: dict[dt.time, list[Appointment]] = {}
    for booking in bookings:
        by_slot.setdefault(booking.slot, []).append(booking)
    slots = [{**row, "rows": by_slot.get(row["slot"], [])} for row in slot_rows(conf=conf, usage=usage, extra=by_slot)]
    totals = {
        state: sum(1 for b in bookings if b.state == state) for state in ("booked", "arrived", "no_show", "cancelled")
    }
    return {"slots": slots, "total": len(bookings), "totals": totals, "settings": conf}


def advisor_day(*, user: User, staff: Staff, day: dt.date) -> list[Appointment]:
    """The advisor's bookings of the day, by slot (one query)."""
    return _board_rows(scope_for_user(Appointment.objects.filter(advisor=staff, day=day), user))


def advisor_choices(*, store_id: int) -> list[tuple[int, str]]:
    return list(
        Staff.objects.filter(store_id=store_id, role=StaffRole.SERVICE_ADVISOR, is_active=True)
        .order_by("name")
        .values_list("id", "name")
    )
