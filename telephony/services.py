"""Telephone writes: click-to-call, the CTI's call events, linking calls to the attempts recorded,
and the screen pop of an inbound call."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.choices import Disposition
from callbacks.models import CallbackTask
from callbacks.services import callback_attempt_record, callback_task_claimed_fresh_by
from crm.models import Customer, User
from crm.tasking import enqueue_on_commit
from crm.validators import normalize_phone
from retention.choices import OutreachResult
from retention.models import OutreachTask
from retention.services import outreach_attempt_record, outreach_task_claimed_fresh_by
from telephony.attach import (
    agent_for_extension,
    call_recorded_q,
    call_subject,
    callback_attempts_for_call,
    outreach_attempts_for_call,
)
from telephony.backends import CtiBackendError, get_backend
from telephony.choices import CallEventKind, DialStatus, Direction, RecordingState
from telephony.models import AgentExtension, CallEvent, CallRecord, DialRequest
from telephony.recordings import recording_attach_event_upload

logger = logging.getLogger("telephony")

MAX_DURATION_SECONDS = 24 * 3600


class DialError(Exception):
    """A dial request that could not be made; the message is for the agent."""


# --- click-to-call ---------------------------------------------------------------------------------


def dial_request_create(
    *,
    user: User,
    customer: Customer,
    number: str,
    callback_task: CallbackTask | None = None,
    outreach_task: OutreachTask | None = None,
) -> DialRequest:
    """Ask the CTI to ring the agent's extension, then `number`. The request is saved whatever the
    backend answers (failed, with its error), so the agent's clicks are on record; a backend error
    becomes DialError with a message the agent reads, never an exception page."""
    extension = AgentExtension.objects.filter(user=user).values_list("extension", flat=True).first()
    if not extension:
        raise DialError(_("您还没有设置分机号，请联系管理员。"))
    if not number:
        raise DialError(_("客户没有可拨打的号码。"))
    request = DialRequest.objects.create(
        store_id=(callback_task or outreach_task or customer).store_id,
        user=user,
        extension=extension,
        number=number,
        customer=customer,
        callback_task=callback_task,
        outreach_task=outreach_task,
        requested_at=timezone.now(),
        status=DialStatus.SENT,
    )
    try:
        call_id = get_backend().dial(request)
    except CtiBackendError as exc:
        logger.warning("dial request %s failed: %s", request.pk, exc)
        request.status, request.error = DialStatus.FAILED, str(exc)[:300]
        request.save(update_fields=["status", "error"])
        raise DialError(_("呼叫失败：%(error)s") % {"error": request.error}) from exc
    if call_id:
        request.call_id = call_id
        request.save(update_fields=["call_id"])
    return request


# --- the CTI's events ------------------------------------------------------------------------------


def _clean_event(payload: dict, now: dt.datetime) -> dict:
    """The fields of one event, validated; a ValidationError names what is wrong."""

    def text(key: str, limit: int, normalize=str.strip) -> str:
        value = normalize(str(payload.get(key) or ""))
        if len(value) > limit or "\x00" in value:
            raise ValidationError(f"{key}: invalid")
        return value

    data = {
        "call_id": text("call_id", 100),
        "event": text("event", 10),
        "direction": text("direction", 3) or Direction.OUTBOUND,
        "extension": text("extension", 20),
        # As the customers' numbers are stored and the API lookup reads them: +86 / 0086, spaces.
        "number": text("number", 20, normalize_phone),
        "client_ref": text("client_ref", 20),
        "recording_url": text("recording_url", 500),
    }
    if not data["call_id"]:
        raise ValidationError("call_id is required")
    if data["event"] not in CallEventKind.values:
        raise ValidationError("event must be one of " + ", ".join(CallEventKind.values))
    if data["direction"] not in Direction.values:
        raise ValidationError("direction must be in or out")
    if data["recording_url"] and not data["recording_url"].startswith(("http://", "https://")):
        raise ValidationError("recording_url must be http(s)")
    try:
        duration = int(payload.get("duration") or 0)
    except (TypeError, ValueError) as exc:
        raise ValidationError("duration must be whole seconds") from exc
    if not 0 <= duration <= MAX_DURATION_SECONDS:
        raise ValidationError("duration out of range")
    data["duration"] = duration
    data["at"] = now
    raw_at = payload.get("at")
    if raw_at not in (None, ""):
        try:
            at = dt.datetime.fromtimestamp(float(raw_at), tz=dt.UTC)
        except (TypeError, ValueError, OverflowError, OSError) as exc:
            raise ValidationError("at must be a Unix time") from exc
        data["at"] = min(at, now)  # a CTI clock ahead of ours: use ours
    return data


class UnknownCall(Exception):
    """An event for a call of a store outside the reporting client's stores: answered as unknown."""


def _calls_of(client_id: int | None):
    """The calls a reporting client sees: those it reported (client_id None: the internal caller's,
    and the calls from before the client was recorded)."""
    if client_id is None:
        return CallRecord.objects.filter(reported_by__isnull=True)
    return CallRecord.objects.filter(reported_by_id=client_id)


def call_event_ingest(
    *,
    payload: dict,
    recording_file=None,
    now: dt.datetime | None = None,
    store_ids: frozenset[int] | None = None,
    client_id: int | None = None,
) -> tuple[CallRecord, bool]:
    """Apply one CTI event; (the call, whether this post changed anything). Idempotent per
    (client, call id, event): the CallEvent row's unique constraint stops a repeated post, which
    answers with the call as it is. The first event of a call creates its CallRecord
    (telephony.attach). `client_id`: the reporting API client (the CTI; None for an internal
    caller) — call ids are its own, so it only ever sees and touches the calls it reported, and two
    clients' calls with the same id are two calls. `store_ids`: that client's stores — the event
    attaches within them only, and a call attached to a store outside them (a store taken from the
    client since) raises UnknownCall (nothing is written)."""
    now = now or timezone.now()
    data = _clean_event(payload, now)
    try:
        with transaction.atomic():
            record = _call_record_for_event(data, store_ids, client_id)
            CallEvent.objects.create(
                call_id=data["call_id"],
                reported_by_id=client_id,
                event=data["event"],
                payload={k: str(v) for k, v in data.items()},
            )
            _apply_event(record, data, store_ids)
            if recording_file is not None and data["event"] == CallEventKind.ENDED:
                recording_attach_event_upload(record=record, upload=recording_file)
    except IntegrityError:
        # The same (call, event) again — a retry, or two posts racing: the first one's work stands.
        record = _calls_of(client_id).get(call_id=data["call_id"])
        _refuse_outside(record, store_ids)
        return record, False
    if record.recording_state == RecordingState.PENDING:
        # tasks imports this module (a real cycle), as crm.sms.services does with its tasks.
        from telephony.tasks import recording_fetch

        enqueue_on_commit(recording_fetch, record.pk)
    return record, True


def _refuse_outside(record: CallRecord, store_ids: frozenset[int] | None) -> None:
    # The record is the client's own (_calls_of): a call with no store is its own too, and only a
    # store the client no longer has keeps it out.
    if store_ids is not None and record.store_id is not None and record.store_id not in store_ids:
        raise UnknownCall(record.call_id)


def _call_record_for_event(data: dict, store_ids: frozenset[int] | None, client_id: int | None) -> CallRecord:
    calls = _calls_of(client_id).select_for_update()
    record = calls.filter(call_id=data["call_id"]).first()
    if record is not None:
        _refuse_outside(record, store_ids)
        return record
    subject = call_subject(
        client_ref=data["client_ref"],
        call_id=data["call_id"],
        direction=data["direction"],
        extension=data["extension"],
        number=data["number"],
        at=data["at"],
        store_ids=store_ids,
    )
    # A savepoint: two first events of one call racing — the loser reads the winner's row.
    try:
        with transaction.atomic():
            return CallRecord.objects.create(
                call_id=data["call_id"],
                reported_by_id=client_id,
                direction=data["direction"],
                extension=data["extension"],
                number=data["number"] or (subject.dial_request.number if subject.dial_request else ""),
                started_at=data["at"],
                agent=subject.agent,
                store=subject.store,
                customer=subject.customer,
                dial_request=subject.dial_request,
                callback_task=subject.callback_task,
                outreach_task=subject.outreach_task,
            )
    except IntegrityError:
        record = calls.get(call_id=data["call_id"])
        _refuse_outside(record, store_ids)
        return record


def _answering_agent(record: CallRecord, data: dict, store_ids: frozenset[int] | None) -> list[str]:
    """The agent is whoever picked the call up: the extension of its "answered" event (or of an
    "ended" with talk time when no "answered" came) wins over the ringing one's — a call ringing on
    a queue (no extension) or at another agent's extension. A call not dialled from a page is then
    attached again for that agent (his held task, the customer in his stores); a dial request's
    task and customer stay."""
    answering = data["event"] == CallEventKind.ANSWERED or (
        data["event"] == CallEventKind.ENDED and data["duration"] and record.answered_at is None
    )
    if not answering or not data["extension"] or data["extension"] == record.extension:
        return []
    agent = agent_for_extension(data["extension"], store_ids)
    if agent is None or agent.pk == record.agent_id:
        return []
    record.agent, record.extension = agent, data["extension"]
    fields = ["agent", "extension"]
    if record.dial_request_id is None:
        subject = call_subject(
            client_ref="",
            call_id=record.call_id,
            direction=record.direction,
            extension=data["extension"],
            number=record.number or data["number"],
            at=record.started_at,
            store_ids=store_ids,
        )
        record.store, record.customer = subject.store, subject.customer
        record.callback_task, record.outreach_task = subject.callback_task, subject.outreach_task
        fields += ["store", "customer", "callback_task", "outreach_task"]
    return fields


def _apply_event(record: CallRecord, data: dict, store_ids: frozenset[int] | None) -> None:
    fields: list[str] = _answering_agent(record, data, store_ids)
    if data["at"] < record.started_at:  # events may arrive out of order
        record.started_at = data["at"]
        fields.append("started_at")
    if data["event"] == CallEventKind.ANSWERED and record.answered_at is None:
        record.answered_at = data["at"]
        fields.append("answered_at")
    elif data["event"] == CallEventKind.ENDED:
        record.ended_at = data["at"]
        record.duration_seconds = data["duration"]
        fields += ["ended_at", "duration_seconds"]
        if data["duration"] and record.answered_at is None:
            # An "ended" with talk time but no "answered" (lost or never sent): it was answered.
            record.answered_at = data["at"] - dt.timedelta(seconds=data["duration"])
            fields.append("answered_at")
        if data["recording_url"] and record.recording_state == RecordingState.NONE:
            record.recording_url = data["recording_url"]
            record.recording_state = RecordingState.PENDING
            fields += ["recording_url", "recording_state"]
    if fields:
        record.save(update_fields=fields)
    if data["event"] == CallEventKind.ENDED:
        call_records_link_attempts(record_ids=[record.pk])


def call_records_link_attempts(*, record_ids: list[int] | None = None, since: dt.datetime | None = None) -> int:
    """Give each ended call on a task the attempt recorded for it (telephony.attach): the first
    attempt by the same agent on the same task at or after the call began. Two UPDATEs; safe to
    run twice (only calls with no attempt yet are touched)."""
    qs = CallRecord.objects.filter(ended_at__isnull=False, agent__isnull=False)
    if record_ids is not None:
        qs = qs.filter(pk__in=record_ids)
    if since is not None:
        qs = qs.filter(started_at__gte=since)
    callback, outreach = callback_attempts_for_call(), outreach_attempts_for_call()
    linked = qs.filter(Exists(callback), call_attempt__isnull=True).update(
        call_attempt_id=Subquery(callback.values("id")[:1])
    )
    linked += qs.filter(Exists(outreach), outreach_attempt__isnull=True).update(
        outreach_attempt_id=Subquery(outreach.values("id")[:1])
    )
    return linked


# An outbound call on a task that ended unanswered and that the agent has not recorded this long
# after the hang-up (nor holds the task's page open) gets its failed attempt from the sweep.
UNRECORDED_AFTER = dt.timedelta(minutes=10)
# How far back the sweep looks: a call older than this is left as it is (a lost beat for two days).
UNRECORDED_WINDOW = dt.timedelta(days=2)
# The note of such an attempt (stored data, as an agent's note is; shown on the task's history).
UNRECORDED_NOTE = "电话系统登记：呼出未接通，坐席未登记"


def unrecorded_unanswered_calls(*, now: dt.datetime):
    """Outbound calls on a task that ended unanswered (no talk time) UNRECORDED_AFTER ago or more
    (within UNRECORDED_WINDOW) and have no attempt yet — neither linked nor recorded since by the
    agent (telephony.attach.call_recorded_q, the call page's rule: an attempt recorded after the
    link step is seen by the locked re-read in _record_unanswered, and linked by the next run)."""
    return CallRecord.objects.filter(
        ~call_recorded_q(),
        direction=Direction.OUTBOUND,
        agent__isnull=False,
        answered_at__isnull=True,
        duration_seconds=0,
        ended_at__lte=now - UNRECORDED_AFTER,
        ended_at__gte=now - UNRECORDED_WINDOW,
    )


def call_records_record_unanswered(*, now: dt.datetime | None = None) -> int:
    """The beat: a call the CTI reported and the agent never recorded still counts (回访数, the
    failed attempts before the SMS survey, the task's retry). First the attempts the agent did
    record are linked (call_records_link_attempts: his own judgment wins); then each (task, agent)
    with calls still unrecorded gets ONE failed attempt — 无人接听 on a callback task, 无法联系 on
    an outreach task — through the recording service the call page uses (callback_attempt_record /
    outreach_attempt_record), dated at the last call's hang-up, and its calls are linked to it.
    The disposition's rules apply as on the page (failed attempts, retry gap, SMS survey, closing
    at the maximum), but nothing is claimed or given up: the task is left unclaimed and the task
    the agent is working on now stays his.
    Not while the agent still holds a fresh claim on the task (he is on its page and will record);
    not on a task no longer open (nothing left to try). An answered call is never recorded here:
    what the customer said is the agent's to record (the call page marks it 通话未登记).

    Safe to run twice, and two runs at once: the calls are locked (SKIP LOCKED) and re-read
    without an attempt in the same transaction as the attempt, so a call gets at most one.
    Returns the number of attempts made."""
    now = now or timezone.now()
    call_records_link_attempts(since=now - UNRECORDED_WINDOW)
    pending = unrecorded_unanswered_calls(now=now)
    groups = set(pending.filter(callback_task__isnull=False).values_list("callback_task_id", "agent_id").distinct())
    made = sum(_record_unanswered(CallbackTask, task_id, agent_id, now) for task_id, agent_id in groups)
    groups = set(
        pending.filter(callback_task__isnull=True, outreach_task__isnull=False)
        .values_list("outreach_task_id", "agent_id")
        .distinct()
    )
    made += sum(_record_unanswered(OutreachTask, task_id, agent_id, now) for task_id, agent_id in groups)
    return made


def _record_unanswered(model, task_id: int, agent_id: int, now: dt.datetime) -> int:
    callback = model is CallbackTask
    task_field = "callback_task_id" if callback else "outreach_task_id"
    with transaction.atomic():
        # Only the call rows are locked here (of=self): the service then takes the agent's and the
        # task's locks in the house order (agent, then task).
        calls = list(
            unrecorded_unanswered_calls(now=now)
            .filter(**{task_field: task_id, "agent_id": agent_id})
            .select_for_update(of=("self",), skip_locked=True)
            .order_by("ended_at", "id")
        )
        task = model.objects.filter(pk=task_id).first()
        agent = User.objects.filter(pk=agent_id).first()
        if not calls or task is None or agent is None:
            return 0
        fresh = callback_task_claimed_fresh_by if callback else outreach_task_claimed_fresh_by
        if fresh(task=task, user=agent, now=now):
            return 0
        # Recorded on the agent's behalf, not from his page: the task is not claimed for him and the
        # task he is on now stays his (claim=False; an outreach contact never claims).
        try:
            with transaction.atomic():
                if callback:
                    attempt = callback_attempt_record(
                        task=task, user=agent, disposition=Disposition.NO_ANSWER, note=UNRECORDED_NOTE,
                        at=calls[-1].ended_at, claim=False,
                    )  # fmt: skip
                else:
                    attempt = outreach_attempt_record(
                        task=task, user=agent, result=OutreachResult.UNREACHABLE, note=UNRECORDED_NOTE,
                        at=calls[-1].ended_at,
                    )  # fmt: skip
        except ValidationError as exc:
            # A closed task, another agent's fresh claim, a reminder past its window: nothing to
            # record now (an open task held by another is tried again by the next run).
            logger.info("unrecorded call(s) on %s %s left: %s", model.__name__, task_id, "; ".join(exc.messages))
            return 0
        link = {"call_attempt": attempt} if callback else {"outreach_attempt": attempt}
        CallRecord.objects.filter(pk__in=[call.pk for call in calls]).update(**link)
    return 1


def call_pop_dismiss(*, user: User, record_id: int) -> CallRecord | None:
    """The agent opened (or closed) the pop of an inbound call: it stops showing. Only the agent's own."""
    record = CallRecord.objects.filter(pk=record_id, agent=user).select_related("customer").first()
    if record is not None and record.pop_seen_at is None:
        CallRecord.objects.filter(pk=record.pk, pop_seen_at__isnull=True).update(pop_seen_at=timezone.now())
    return record
