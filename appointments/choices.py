"""Service appointment enumerations (预约, issue 15 item 2): service type, source, state."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.sms.choices import SmsReason
from retention.choices import OutreachKind


class ServiceType(models.TextChoices):
    MAINTENANCE = "maintenance", _("保养")
    REPAIR = "repair", _("维修")
    BODY_PAINT = "body_paint", _("钣喷")
    INSURANCE = "insurance", _("保险")
    INSPECTION = "inspection", _("年审")
    OTHER = "other", _("其他")


class Source(models.TextChoices):
    """Where a booking came from: the call it was made on, or the customer himself."""

    REMINDER = "reminder", _("提醒回访")
    WINBACK = "winback", _("流失挽回")
    CALLBACK = "callback", _("回访")
    FOLLOW_UP = "follow_up", _("爽约回访")
    INBOUND = "inbound", _("来电预约")
    WALK_IN = "walk_in", _("到店预约")


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("已预约")
    ARRIVED = "arrived", _("已到店")
    NO_SHOW = "no_show", _("爽约")
    CANCELLED = "cancelled", _("已取消")


# The source of a booking made on an outreach call that ends in 已预约, one entry per kind, named
# one by one (not derived from the kind groups) so that a new kind fails the test that every kind
# has one, instead of falling through to a default. The at-risk call is win-back work.
OUTREACH_BOOKING_SOURCES: dict[str, str] = {
    OutreachKind.FIRST_SERVICE: Source.REMINDER,
    OutreachKind.PERIODIC_SERVICE: Source.REMINDER,
    OutreachKind.INSURANCE: Source.REMINDER,
    OutreachKind.INSPECTION: Source.REMINDER,
    OutreachKind.WARRANTY_END: Source.REMINDER,
    OutreachKind.BIRTHDAY: Source.REMINDER,
    OutreachKind.FESTIVAL: Source.REMINDER,
    OutreachKind.WINBACK: Source.WINBACK,
    OutreachKind.AT_RISK: Source.WINBACK,
    OutreachKind.NO_SHOW: Source.FOLLOW_UP,
}

S = AppointmentState
# The states that hold a place in their slot (a no-show held it: the day is past anyway).
HOLDS_SLOT: tuple[str, ...] = (S.BOOKED, S.ARRIVED, S.NO_SHOW)
# The state changes a person may make from the day board (arrival also comes from the RO import,
# no-show from the morning beat).
MANUAL_CHANGES: dict[str, tuple[str, ...]] = {
    S.BOOKED: (S.ARRIVED, S.CANCELLED, S.NO_SHOW),
    S.NO_SHOW: (S.ARRIVED,),
}


def manual_changes(state: str, *, upcoming: bool) -> tuple[str, ...]:
    """The changes a person may make to a booking in `state`; a booking of a day still ahead cannot
    be a no-show yet."""
    return tuple(to for to in MANUAL_CHANGES.get(state, ()) if not (upcoming and to == S.NO_SHOW))


# The SMS log's reasons (table 13) of the confirmation, of the day-before reminder and of the notice
# of a move (改约); also the crm.SmsTemplate codes of their texts.
SMS_CONFIRM = SmsReason.APPOINTMENT_CONFIRM.value
SMS_EVE = SmsReason.APPOINTMENT_EVE.value
SMS_CHANGE = SmsReason.APPOINTMENT_CHANGE.value
