"""A store's booking slots (per-store setting) and how full each slot of a day is."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count

from appointments.choices import HOLDS_SLOT
from appointments.models import Appointment, AppointmentSettings


def store_appointment_settings(store_id: int) -> AppointmentSettings:
    """The store's settings row, or an unsaved one with the defaults."""
    return AppointmentSettings.objects.filter(store_id=store_id).first() or AppointmentSettings(store_id=store_id)


def slot_usage(*, store_id: int, day: dt.date) -> dict[dt.time, int]:
    """Places taken per slot of the store's day (one GROUP BY)."""
    rows = (
        Appointment.objects.filter(store_id=store_id, day=day, state__in=HOLDS_SLOT)
        .values("slot")
        .annotate(n=Count("id"))
        .values_list("slot", "n")
    )
    return dict(rows)


def slot_choices(*, store_id: int, day: dt.date, conf: AppointmentSettings | None = None) -> list[dict]:
    """Each slot of the day: its start, capacity, places taken and free (what the booking form's
    select and the day board's header print)."""
    conf = conf or store_appointment_settings(store_id)
    used = slot_usage(store_id=store_id, day=day)
    return [
        {"slot": s, "capacity": conf.capacity, "used": used.get(s, 0), "free": max(conf.capacity - used.get(s, 0), 0)}
        for s in _with_extra(conf.slots(), used)
    ]


def _with_extra(slots: list[dt.time], used: Iterable[dt.time]) -> list[dt.time]:
    """The configured slots plus any slot still holding bookings after the hours were changed."""
    return sorted({*slots, *used})


def parse_slot(value: str) -> dt.time | None:
    try:
        return dt.datetime.strptime(value.strip(), "%H:%M").time()
    except (AttributeError, ValueError):
        return None
