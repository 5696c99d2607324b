"""Appointment figures of a month (the report): bookings, arrivals, no-shows and cancellations per
source and per advisor, one grouped query each. The rates' rule: arrived (or no-show) over the
bookings that were kept or missed — a cancelled booking, or one still ahead, is neither."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q

from appointments.choices import AppointmentState
from appointments.models import Appointment
from crm.periods import next_month
from crm.reporting import rate

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
    """Rows of {key, bookings, arrived, no_show, cancelled} grouped by `by` ("source"), for the
    bookings of days in `month`."""
    rows = (
        _month(store_ids, month)
        .order_by()
        .values(by)
        .annotate(**{name: Count("id", filter=q) for name, q in FIGURES.items()})
        .order_by(by)
    )
    return [{"key": row.pop(by), **row} for row in rows]


def appointment_counts_by_advisor(*, store_ids: Iterable[int] | None, month: dt.date) -> list[dict]:
    """Rows of {advisor_id, name, store, bookings, arrived, no_show, cancelled}, one per advisor (by
    id: two advisors of one name stay apart) and, for the bookings without one, one per store."""
    rows = (
        _month(store_ids, month)
        .order_by()
        .values("store__name", "advisor_id", "advisor__name")
        .annotate(**{name: Count("id", filter=q) for name, q in FIGURES.items()})
        .order_by("store__name", "advisor__name", "advisor_id")
    )
    return [
        {"advisor_id": row.pop("advisor_id"), "name": row.pop("advisor__name"), "store": row.pop("store__name"), **row}
        for row in rows
    ]


def appointment_rates(row: dict) -> dict[str, float | None]:
    """The arrival and no-show rates of a row of `FIGURES` counts: arrived (or no-show) over arrived +
    no-show; None (an empty cell) when nothing was kept or missed yet."""
    kept_or_missed = row["arrived"] + row["no_show"]
    return {
        "arrival_rate": rate(row["arrived"], kept_or_missed),
        "no_show_rate": rate(row["no_show"], kept_or_missed),
    }


def with_rates(row: dict) -> dict:
    """The row with its rates added."""
    return {**row, **appointment_rates(row)}


def appointment_totals(rows: Iterable[dict]) -> dict:
    """The counts of `rows` summed, with the rates of the sums (not the mean of the rows' rates)."""
    rows = list(rows)
    return with_rates({name: sum(row[name] for row in rows) for name in FIGURES})
