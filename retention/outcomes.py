"""What came of a reminder (SPEC §10.2 Outcome): a service reminder is **returned** when its vehicle
has an RO opened within the store's return window (30 days) after the send date — set when the RO
is imported (a post-import step, one UPDATE per store) and safe to run again."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import DateField, Exists, ExpressionWrapper, OuterRef, Subquery
from django.db.models.functions import TruncDate

from crm.models import RepairOrder
from retention.choices import SERVICE_REMINDER_KINDS
from retention.models import Reminder, ReminderSettings


def _return_ro(days: int):
    """The first RO of the reminder's vehicle opened on a day from its send date to send date + `days`."""
    return (
        RepairOrder.objects.annotate(day=TruncDate("opened_at"))
        .filter(
            vehicle_id=OuterRef("vehicle_id"),
            day__gte=OuterRef("send_on"),
            day__lte=ExpressionWrapper(OuterRef("send_on") + dt.timedelta(days=days), output_field=DateField()),
        )
        .order_by("opened_at")
    )


def reminders_mark_returned(*, vehicle_ids: Iterable[int] | None = None, sent_since: dt.date | None = None) -> int:
    """Set returned_on on the service reminders (of `vehicle_ids`, default all; sent on or after
    `sent_since`, default any day) whose vehicle came back."""
    pending = Reminder.objects.filter(kind__in=SERVICE_REMINDER_KINDS, returned_on__isnull=True)
    if vehicle_ids is not None:
        pending = pending.filter(vehicle_id__in=list(vehicle_ids))
    if sent_since is not None:
        pending = pending.filter(send_on__gte=sent_since)
    windows = dict(ReminderSettings.objects.values_list("store_id", "return_window_days"))
    default = ReminderSettings._meta.get_field("return_window_days").default
    updated = 0
    for days in {*windows.values(), default}:
        same = pending.exclude(store_id__in=[s for s, d in windows.items() if d != days])
        if days != default:
            same = same.filter(store_id__in=[s for s, d in windows.items() if d == days])
        ro = _return_ro(days)
        updated += same.filter(Exists(ro)).update(returned_on=Subquery(ro.values("day")[:1]))
    return updated


def reminders_returned_after_import(ctx) -> None:
    """Post-import step: the reminders of the vehicles of the imported ROs."""
    ro_ids = ctx.touched.get("repair_orders")
    if not ro_ids:
        return
    vehicle_ids = set(RepairOrder.objects.filter(pk__in=list(ro_ids)).values_list("vehicle_id", flat=True))
    reminders_mark_returned(vehicle_ids=vehicle_ids)


__all__ = ["reminders_mark_returned", "reminders_returned_after_import"]
