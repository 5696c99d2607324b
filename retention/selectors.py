"""Reminder reads: the report per kind (SPEC §10.2 Outcome) and the export's rows, for a month of send date."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from appointments.selectors import booking_exists_from_task
from crm.periods import next_month
from crm.sms.choices import SmsStatus
from retention.choices import REACHED_RESULTS, REMINDER_KINDS, SERVICE_REMINDER_KINDS, ReminderStatus
from retention.models import Reminder

# The figures of the report per kind, each one Count(filter=…): the one definition the page, the
# Excel file and the tests read.
FIGURES = {
    "reminders": Q(),
    "skipped": Q(status=ReminderStatus.SKIPPED),
    # SPEC §10.2 "sent" (短信已发): the gateway took the reminder's SMS. Queued (quiet hours, a backlog)
    # and sending are not sent yet, failed never was; the gateway has no delivery receipts, so SENT is
    # the last state. Named for the SMS: a reminder's own status 已发出 (DISPATCHED) is another thing.
    "sms_sent": Q(sms_message__status=SmsStatus.SENT),
    "reached": Q(outreach_task__result__in=REACHED_RESULTS),
    # 已预约: a booking exists from the reminder's call (appointments' rule, shared with win-back).
    "booked": Q(booking_exists_from_task("outreach_task_id")),
    "returned": Q(returned_on__isnull=False),
}


def reminders_in_month(*, store_ids: list[int] | None, month: dt.date) -> QuerySet[Reminder]:
    qs = Reminder.objects.filter(send_on__gte=month, send_on__lt=next_month(month))
    return qs if store_ids is None else qs.filter(store_id__in=store_ids)


def summary_row(kind: str, counts: dict) -> dict:
    """One kind's row of the report from its counts (any of FIGURES; missing ones are 0): `made` =
    reminders not skipped (未跳过的提醒: waiting to go out, or dispatched), and the return rate
    (service kinds: returned / made; None elsewhere or when nothing was made). The one rule the
    report and the GM dashboard apply to the counts."""
    row = {"kind": kind, **dict.fromkeys(FIGURES, 0), **counts}
    base = row["reminders"] - row["skipped"]
    row["made"] = base
    row["return_rate"] = (row["returned"] / base if base else None) if kind in SERVICE_REMINDER_KINDS else None
    return row


def summary_total(rows: Iterable[dict]) -> dict:
    """The kinds' rows added up: the report's 合计 line and the GM dashboard's 未跳过的提醒 tile. No
    return rate: it is a service kind's figure, and the kinds' rates do not add up."""
    rows = list(rows)
    total = {name: sum(row[name] for row in rows) for name in (*FIGURES, "made")}
    return {**total, "return_rate": None}


def reminder_counts_by_store_month(
    *, store_ids: list[int] | None, first: dt.date, last: dt.date, names: tuple[str, ...] = tuple(FIGURES)
) -> dict[tuple[int, dt.date], dict[str, dict]]:
    """Per (store id, month) of months first..last (by send date), per kind, the counts `names` of
    FIGURES. ONE grouped query for the whole span; the GM dashboard's stored figures ask for the
    three it shows (reminders, skipped, returned: no join), the report for all."""
    qs = Reminder.objects.filter(send_on__gte=first.replace(day=1), send_on__lt=next_month(last.replace(day=1)))
    if store_ids is not None:
        qs = qs.filter(store_id__in=store_ids)
    rows = (
        qs.annotate(month=TruncMonth("send_on"))
        .values("store_id", "month", "kind")
        .annotate(**{name: Count("id", filter=FIGURES[name]) for name in names})
        .order_by()
    )
    found: dict[tuple[int, dt.date], dict[str, dict]] = {}
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        found.setdefault((row["store_id"], month), {})[row["kind"]] = {name: row[name] for name in names}
    return found


def reminder_summary_months(*, store_ids: list[int] | None, months: list[dt.date]) -> dict[dt.date, list[dict]]:
    """`reminder_summary` for each of `months` (first days), keyed by month: one grouped query for
    the span (reminder_counts_by_store_month), the stores added up, each kind's row by summary_row."""
    months = sorted({m.replace(day=1) for m in months})
    if not months:
        return {}
    totals: dict[tuple[dt.date, str], dict] = {}
    for (_store, month), kinds in reminder_counts_by_store_month(
        store_ids=store_ids, first=months[0], last=months[-1]
    ).items():
        for kind, counts in kinds.items():
            total = totals.setdefault((month, kind), dict.fromkeys(FIGURES, 0))
            for name, value in counts.items():
                total[name] += value
    return {m: [summary_row(kind, totals.get((m, kind), {})) for kind in REMINDER_KINDS] for m in months}


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
