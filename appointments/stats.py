"""Appointment figures of a month (the report): bookings, arrivals, no-shows and cancellations per
source and per advisor, one grouped query each. The rates' rule: arrived (or no-show) over the
bookings that were kept or missed — a cancelled booking, or one still ahead, is neither."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q

from appointments.choices import AppointmentState
from appointments.models import Appointment
from crm.periods import next_month

S = AppointmentState
FIGURES = {
    "bookings": Q(),
    "arrived": Q(state=S.ARRIVED),
    "no_show": Q(state=S.NO_SHOW),
    "cancelled": Q(state=S.CANCELLED),
}


def _month(store_ids: Iterable[int] | None, month: dt.date):
    qs = Appointment.objects.filter(day__gte=month, day__lt=next_month(month))
    return qs if store_ids is None else qs.filter(store_id__in=list(store_ids))


def appointment_counts(*, store_ids: Iterable[int] | None, month: dt.date, by: str) -> list[dict]:
    """Rows of {key, bookings, arrived, no_show, cancelled} grouped by `by` ("source" or
    "advisor__name"), for the bookings of days in `month`."""
    rows = (
        _month(store_ids, month)
        .order_by()
        .values(by)
        .annotate(**{name: Count("id", filter=q) for name, q in FIGURES.items()})
        .order_by(by)
    )
    return [{"key": row.pop(by), **row} for row in rows]
