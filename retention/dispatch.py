"""Working a new reminder's channels (SPEC §10.2 Channel): its SMS queued through the gateway's log
(quiet hours hold it until 08:00), its call as an outreach task in the agents' queue (window: send
date to due date), or both; a channel the customer does not allow is not used, and a reminder with
no usable channel is recorded as skipped with the reasons.

The NEW rows are taken with `FOR UPDATE SKIP LOCKED`, so two workers never work one reminder twice,
and a run that died after the insert leaves NEW rows the next run picks up.
"""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from crm.models import Customer, Store
from crm.sms.choices import Direction, SmsStatus
from crm.sms.models import SmsMessage, SmsTemplate
from crm.sms.quiet_hours import next_send_time
from crm.sms.tasks import sms_flush_queue
from crm.sms.templates import render_sms_text, store_placeholders
from crm.tasking import enqueue_on_commit
from retention.choices import (
    SMS_TEMPLATE_CODES,
    Festival,
    ReminderChannel,
    ReminderStatus,
    SkipReason,
)
from retention.models import OutreachTask, Reminder

# The SMS log's 原因类型 (table 13) for each kind: the template's code, as the gateway's SmsReason names it.
SMS_REASONS = SMS_TEMPLATE_CODES
RELATED_KEY_PREFIX = "reminder:"


def reminder_window(send_on: dt.date, due_on: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A reminder call's window: from the start of the send date to the end of the due date (local)."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(send_on, dt.time.min, tz),
        dt.datetime.combine(due_on, dt.time.max, tz),
    )


def _blocked(channel: str, customer: dict) -> list[str]:
    """The SkipReason codes of the channels of `channel` this customer does not allow."""
    reasons = []
    if channel in (ReminderChannel.SMS, ReminderChannel.BOTH):
        if customer["mobile_invalid"]:
            reasons.append(SkipReason.MOBILE_INVALID)
        elif not customer["may_sms"]:
            reasons.append(SkipReason.NO_SMS_CONSENT)
    if channel in (ReminderChannel.CALL, ReminderChannel.BOTH) and not customer["may_call"]:
        reasons.append(SkipReason.CALLS_REFUSED)
    return reasons


def reminders_dispatch(*, store: Store, now: dt.datetime | None = None) -> dict[str, tuple[int, int, dict[str, int]]]:
    """Work every NEW reminder of the store. Returns per kind (worked, skipped, {reason: count})."""
    now = now or timezone.now()
    counts: dict[str, list] = defaultdict(lambda: [0, 0, defaultdict(int)])
    with transaction.atomic():
        rows = list(
            Reminder.objects.filter(store=store, status=ReminderStatus.NEW)
            .select_for_update(skip_locked=True, of=("self",))
            .values(
                "id",
                "kind",
                "channel",
                "customer_id",
                "vehicle_id",
                "send_on",
                "due_on",
                "festival",
                mobile=F("customer__mobile"),
                mobile_invalid=F("customer__mobile_invalid"),
                may_sms=F("customer__may_sms"),
                may_call=F("customer__may_call"),
                name=F("customer__name"),
                gender=F("customer__gender"),
                plate=F("vehicle__plate"),
            )
            .order_by("id")
        )
        if not rows:
            return {}
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)  # (status, reasons) -> ids
        sms_rows, call_rows = [], []
        today = timezone.localdate(now)
        for row in rows:
            if row["due_on"] < today:  # left NEW by a run that died: never sent past its due date
                groups[(ReminderStatus.SKIPPED, SkipReason.EXPIRED)].append(row["id"])
                tally = counts[row["kind"]]
                tally[0] += 1
                tally[1] += 1
                tally[2][SkipReason.EXPIRED] += 1
                continue
            reasons = _blocked(row["channel"], row)
            wants_sms = row["channel"] in (ReminderChannel.SMS, ReminderChannel.BOTH)
            wants_call = row["channel"] in (ReminderChannel.CALL, ReminderChannel.BOTH)
            sms_ok = wants_sms and SkipReason.MOBILE_INVALID not in reasons and SkipReason.NO_SMS_CONSENT not in reasons
            call_ok = wants_call and SkipReason.CALLS_REFUSED not in reasons
            status = ReminderStatus.DISPATCHED if sms_ok or call_ok else ReminderStatus.SKIPPED
            groups[(status, ",".join(reasons))].append(row["id"])
            if sms_ok:
                sms_rows.append(row)
            if call_ok:
                call_rows.append(row)
            tally = counts[row["kind"]]
            tally[0] += 1
            if status == ReminderStatus.SKIPPED:
                tally[1] += 1
                for reason in reasons:
                    tally[2][reason] += 1
        for (status, reasons), ids in groups.items():
            Reminder.objects.filter(pk__in=ids).update(status=status, skip_reason=reasons)
        _queue_sms(store, sms_rows, now)
        _open_calls(store, call_rows)
    return {kind: (c[0], c[1], dict(c[2])) for kind, c in counts.items()}


EXPIRED_SMS_ERROR = "reminder expired: its due date passed before the SMS could be sent"


def reminders_expire_queued_sms(*, today: dt.date) -> int:
    """Never send a reminder past its due date: the reminder SMS still queued (quiet hours, a gateway
    backlog) whose reminder is due before `today` are cancelled (failed, with the reason); a reminder
    whose only channel was that SMS is recorded as skipped, reason expired. Beat, daily; idempotent
    (a message the gateway took meanwhile is not QUEUED any more and is left alone). Returns the
    messages cancelled."""
    with transaction.atomic():
        late = list(
            Reminder.objects.filter(
                due_on__lt=today, status=ReminderStatus.DISPATCHED, sms_message__status=SmsStatus.QUEUED
            ).values_list("id", "sms_message_id", "outreach_task_id")
        )
        if not late:
            return 0
        cancelled = set(
            SmsMessage.objects.filter(id__in=[m for _r, m, _t in late], status=SmsStatus.QUEUED)
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)
        )
        SmsMessage.objects.filter(id__in=cancelled).update(status=SmsStatus.FAILED, error=EXPIRED_SMS_ERROR)
        sms_only = [r for r, m, task in late if m in cancelled and task is None]
        Reminder.objects.filter(id__in=sms_only).update(status=ReminderStatus.SKIPPED, skip_reason=SkipReason.EXPIRED)
    return len(cancelled)


def _queue_sms(store: Store, rows: list[dict], now: dt.datetime) -> None:
    """One logged, queued SMS per reminder (the kind's seed 001 template), sent by the gateway's
    queue: at once after commit, or at 08:00 when it is quiet hours (SPEC §10.1)."""
    if not rows:
        return
    bodies = dict(SmsTemplate.objects.filter(code__in=set(SMS_TEMPLATE_CODES.values())).values_list("code", "body"))
    festivals = dict(Festival.choices)
    base = store_placeholders(store)
    send_after = next_send_time(now)
    messages = []
    for row in rows:
        salutation = Customer(name=row["name"], gender=row["gender"]).salutation
        context = {
            **base,
            "customer_name": row["name"],
            "salutation": salutation,
            "plate": row["plate"] or "",
            "date": row["due_on"].isoformat(),
            "festival": str(festivals.get(row["festival"], "")),
        }
        code = SMS_TEMPLATE_CODES[row["kind"]]
        messages.append(
            SmsMessage(
                store=store,
                customer_id=row["customer_id"],
                mobile=row["mobile"],
                body=render_sms_text(bodies.get(code, ""), context),
                reason=SMS_REASONS[row["kind"]],
                related_key=f"{RELATED_KEY_PREFIX}{row['id']}",
                direction=Direction.OUTBOUND,
                status=SmsStatus.QUEUED,
                queued_at=now,
                send_after=send_after,
            )
        )
    SmsMessage.objects.bulk_create(messages, batch_size=2000)
    # Link each reminder to its message by the message's key: one UPDATE per kind, each row found
    # through the (reason, related_key) unique index (its predicate repeated, so the planner uses it).
    by_kind: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row["id"])
    for kind, ids in by_kind.items():
        message = SmsMessage.objects.filter(
            ~Q(related_key=""), direction=Direction.OUTBOUND, reason=SMS_REASONS[kind], related_key=_key_of_outer()
        ).values("pk")[:1]
        Reminder.objects.filter(pk__in=ids).update(sms_message_id=Subquery(message))
    if send_after <= now:
        # One flush for the batch (it claims each message, so a concurrent beat flush sends none twice).
        enqueue_on_commit(sms_flush_queue)


def _open_calls(store: Store, rows: list[dict]) -> None:
    """One outreach task per reminder, in the agents' queue from its send date to its due date; the
    task's key names its reminder, so one UPDATE links them all."""
    if not rows:
        return
    tasks = []
    for row in rows:
        opens, closes = reminder_window(row["send_on"], row["due_on"])
        tasks.append(
            OutreachTask(
                store=store,
                kind=row["kind"],
                customer_id=row["customer_id"],
                vehicle_id=row["vehicle_id"],
                window_opens_at=opens,
                window_closes_at=closes,
                key=f"{RELATED_KEY_PREFIX}{row['id']}",
            )
        )
    OutreachTask.objects.bulk_create(tasks, batch_size=2000)
    task = OutreachTask.objects.filter(~Q(key=""), key=_key_of_outer()).values("pk")[:1]
    Reminder.objects.filter(pk__in=[r["id"] for r in rows]).update(outreach_task_id=Subquery(task))


def _key_of_outer() -> Concat:
    """ "reminder:<id>" of the reminder the enclosing UPDATE is on."""
    return Concat(Value(RELATED_KEY_PREFIX), Cast(OuterRef("pk"), CharField()))
