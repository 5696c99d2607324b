"""A store's booking slots (per-store setting) and how full each slot of a day is.

Slot usage is counted here once — `slot_usage` (places taken per slot, one GROUP BY for the day)
and `places_free` — and read by the booking service's capacity check (under the slot's row lock),
its first-free-slot pick, the booking form's slot options and the day board."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, QuerySet
from django.utils import timezone

from appointments.choices import HOLDS_SLOT
from appointments.models import Appointment, AppointmentSettings


def store_appointment_settings(store_id: int) -> AppointmentSettings:
    """The store's settings row, or an unsaved one with the defaults."""
    return AppointmentSettings.objects.filter(store_id=store_id).first() or AppointmentSettings(store_id=store_id)


def slot_usage(*, store_id: int, day: dt.date, bookings: QuerySet[Appointment] | None = None) -> dict[dt.time, int]:
    """Places taken per slot of the store's day: the bookings in a state that holds a place
    (HOLDS_SLOT), counted by slot in one GROUP BY; a slot with none is absent. `bookings` narrows
    the rows looked at (the day board passes its user-scoped queryset)."""
    qs = Appointment.objects.all() if bookings is None else bookings
    rows = (
        qs.filter(store_id=store_id, day=day, state__in=HOLDS_SLOT)
        .order_by()
        .values("slot")
        .annotate(n=Count("id"))
        .values_list("slot", "n")
    )
    return dict(rows)


def places_free(*, capacity: int, used: int) -> int:
    """The places left in a slot (never below 0: a slot over capacity after the setting was lowered)."""
    return max(capacity - used, 0)


def slot_rows(*, conf: AppointmentSettings, usage: dict[dt.time, int], extra: Iterable[dt.time] = ()) -> list[dict]:
    """Each slot of the day — the configured ones, any still holding bookings after the hours were
    changed, and `extra` — with its capacity, places taken and free, by start time."""
    return [
        {
            "slot": s,
            "capacity": conf.capacity,
            "used": usage.get(s, 0),
            "free": places_free(capacity=conf.capacity, used=usage.get(s, 0)),
        }
        for s in sorted({*conf.slots(), *usage, *extra})
    ]


def slot_choices(*, store_id: int, day: dt.date, conf: AppointmentSettings | None = None) -> list[dict]:
    """Each slot of the day: its start, capacity, places taken and free (what the booking form's
    select and the slot options print)."""
    conf = conf or store_appointment_settings(store_id)
    return slot_rows(conf=conf, usage=slot_usage(store_id=store_id, day=day))


def parse_slot(value: str) -> dt.time | None:
    try:
        return dt.datetime.strptime(value.strip(), "%H:%M").time()
    except (AttributeError, ValueError):
        return None


def booking_day(value: str | None) -> dt.date:
    """The day whose slots a call form's booking select offers: the posted date, else tomorrow."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    try:
        return dt.date.fromisoformat(value) if value else tomorrow
    except ValueError:
        return tomorrow
