"""Reminder reads: the report per kind (SPEC §10.2 Outcome) and the export's rows, for a month of send date."""

import datetime as dt

from django.db.models import Count, F, Q, QuerySet

from crm.periods import next_month
from crm.sms.choices import SmsStatus
from retention.choices import REACHED_RESULTS, REMINDER_KINDS, SERVICE_REMINDER_KINDS, OutreachResult, ReminderStatus
from retention.models import Reminder

# The figures of the report per kind, each one Count(filter=…): the one definition the page, the
# Excel file and the tests read.
FIGURES = {
    "reminders": Q(),
    "skipped": Q(status=ReminderStatus.SKIPPED),
    "sent": Q(sms_message__isnull=False) & ~Q(sms_message__status=SmsStatus.FAILED),
    "reached": Q(outreach_task__result__in=REACHED_RESULTS),
    "booked": Q(outreach_task__result=OutreachResult.BOOKED),
    "returned": Q(returned_on__isnull=False),
}


def reminders_in_month(*, store_ids: list[int] | None, month: dt.date) -> QuerySet[Reminder]:
    qs = Reminder.objects.filter(send_on__gte=month, send_on__lt=next_month(month))
    return qs if store_ids is None else qs.filter(store_id__in=store_ids)


def reminder_summary(*, store_ids: list[int] | None, month: dt.date) -> list[dict]:
    """Per kind (every kind, zeros included): reminders, skipped, sent, reached, booked, returned and the
    return rate (service kinds: returned / reminders not skipped; None elsewhere). One query."""
    counts = {
        row["kind"]: row
        for row in reminders_in_month(store_ids=store_ids, month=month)
        .values("kind")
        .annotate(**{name: Count("id", filter=q) for name, q in FIGURES.items()})
        .order_by()
    }
    rows = []
    for kind in REMINDER_KINDS:
        row = {"kind": kind, **dict.fromkeys(FIGURES, 0), **counts.get(kind, {})}
        base = row["reminders"] - row["skipped"]
        row["return_rate"] = (row["returned"] / base if base else None) if kind in SERVICE_REMINDER_KINDS else None
        rows.append(row)
    return rows


def reminder_export_rows(*, store_ids: list[int] | None, month: dt.date) -> QuerySet:
    """Every reminder with send date in `month`, with what the export prints (values, one query)."""
    return (
        reminders_in_month(store_ids=store_ids, month=month)
        .order_by("send_on", "id")
        .values(
            "kind",
            "due_on",
            "send_on",
            "channel",
            "status",
            "skip_reason",
            "returned_on",
            customer_name=F("customer__name"),
            mobile=F("customer__mobile"),
            plate=F("vehicle__plate"),
            vin=F("vehicle__vin"),
            sms_status=F("sms_message__status"),
            call_result=F("outreach_task__result"),
            call_state=F("outreach_task__state"),
            booked_on=F("outreach_task__booked_on"),
        )
    )
