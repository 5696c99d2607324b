"""The customer page's bookings (crm.timeline provider): one query whatever the count.

An entry sits at the moment the booking was made and says for when, what, with whom and what
became of it; it links to the day board of the booked day (for users who may see the board)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from appointments.choices import AppointmentState
from appointments.models import Appointment
from crm.scoping import scope_for_user
from crm.timeline import TimelineEntry

S = AppointmentState
_TONE = {S.BOOKED: "primary", S.ARRIVED: "success", S.NO_SHOW: "danger", S.CANCELLED: "secondary"}
_ICON = {S.BOOKED: "calendar-check", S.ARRIVED: "calendar-check-fill", S.NO_SHOW: "calendar-x", S.CANCELLED: "calendar"}


def appointment_timeline_entries(customer, user=None) -> list[TimelineEntry]:
    bookings = Appointment.objects.filter(customer=customer).select_related("store", "advisor", "vehicle")
    if user is not None:
        bookings = scope_for_user(bookings, user)
    board = reverse("appointments:board")
    can_open_board = user is None or user.has_perm("appointments.view_appointment")
    entries = []
    for b in bookings.order_by("-created_at", "-id"):
        title = _("预约 %(day)s %(slot)s（%(service)s）：%(state)s") % {
            "day": f"{b.day:%Y-%m-%d}",
            "slot": f"{b.slot:%H:%M}",
            "service": b.get_service_type_display(),
            "state": b.get_state_display(),
        }
        vehicle = (b.vehicle.plate or b.vehicle.vin) if b.vehicle_id else ""
        parts = [b.store.name, vehicle, b.get_source_display()]
        if b.advisor_id:
            parts.append(_("服务顾问 %(name)s") % {"name": b.advisor.name})
        if b.note:
            parts.append(b.note)
        entries.append(
            TimelineEntry(
                at=b.created_at,
                kind="appointment",
                title=title,
                body=" · ".join(p for p in parts if p),
                url=f"{board}?store={b.store_id}&day={b.day:%Y-%m-%d}" if can_open_board else None,
                icon=_ICON.get(b.state, "calendar"),
                tone=_TONE.get(b.state, "secondary"),
            )
        )
    return entries
