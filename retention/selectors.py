"""Reminder reads: the report per kind (SPEC §10.2 Outcome) and the export's rows, for a month of send date."""

import datetime as dt

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

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


def _summary_row(kind: str, counts: dict) -> dict:
    row = {"kind": kind, **dict.fromkeys(FIGURES, 0), **counts}
    row.pop("month", None)
    base = row["reminders"] - row["skipped"]
    row["made"] = base  # reminders not skipped: the dashboard's 已发出提醒 and the return rate's base
    row["return_rate"] = (row["returned"] / base if base else None) if kind in SERVICE_REMINDER_KINDS else None
    return row


def reminder_summary_months(*, store_ids: list[int] | None, months: list[dt.date]) -> dict[dt.date, list[dict]]:
    """`reminder_summary` for each of `months` (first days), keyed by month: ONE grouped query for the
    whole span (month of send date × kind), so the report and the GM dashboard's 12-month trend read
    the same rule."""
    months = sorted({m.replace(day=1) for m in months})
    if not months:
        return {}
    qs = Reminder.objects.filter(send_on__gte=months[0], send_on__lt=next_month(months[-1]))
    if store_ids is not None:
        qs = qs.filter(store_id__in=store_ids)
    found: dict[tuple[dt.date, str], dict] = {}
    rows = (
        qs.annotate(month=TruncMonth("send_on"))
        .values("month", "kind")
        .annotate(**{name: Count("id", filter=q) for name, q in FIGURES.items()})
        .order_by()
    )
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        found[(month, row["kind"])] = row
    return {m: [_summary_row(kind, found.get((m, kind), {})) for kind in REMINDER_KINDS] for m in months}


def reminder_summary(*, store_ids: list[int] | None, month: dt.date) -> list[dict]:
    """Per kind (every kind, zeros included): reminders, skipped, sent, reached, booked, returned, made
    (not skipped) and the return rate (service kinds: returned / reminders not skipped; None elsewhere).
    One query (`reminder_summary_months` for one month)."""
    month = month.replace(day=1)
    return reminder_summary_months(store_ids=store_ids, months=[month])[month]


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
