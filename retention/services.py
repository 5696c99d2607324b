"""Outreach writes: open a task, claim it, record a contact (SPEC §10.2 reminder calls, §10.3 win-back).

Generic over the outreach kinds: the reminder side (retention.generation, retention.dispatch) and the
win-back list (app `winback`) open tasks here, and agents work them in the callback queue and a call
page like the callback one. The claim rule is the callbacks app's (SPEC §6): one agent at a time,
the claim kept while the page is open and given up after the store's idle minutes; an agent holds
one task at a time, callback or outreach. `outreach_attempt_recorded` (sender = the task's kind)
tells the owner of the task (a reminder, a win-back entry) what came of the contact.
"""

import datetime

import django.dispatch
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.services import appointment_book_for_outreach

# The callbacks app's claim machinery, so that both queues follow one rule: the agent's row lock
# first (fixed lock order), deadlock retries, and one claim per agent across both kinds of task.
from callbacks.generation import DEFAULTS, store_callback_settings
from callbacks.services import ClaimBusy, TaskHeldByOther, _agent_lock, _release_claims, _retrying
from crm.models import Customer, Store, User, Vehicle
from crm.scoping import user_store_ids
from retention.choices import (
    FOLLOW_UP_DAYS,
    OUTCOMES,
    REMINDER_KINDS,
    Outcome,
    OutreachChannel,
    OutreachResult,
    OutreachState,
    results_for_kind,
)
from retention.models import OutreachAttempt, OutreachTask

__all__ = [
    "ClaimBusy",
    "TaskHeldByOther",
    "outreach_attempt_record",
    "outreach_attempt_recorded",
    "outreach_due_q",
    "outreach_queue_filter",
    "outreach_task_claim_next",
    "outreach_task_holder",
    "outreach_task_open",
    "outreach_task_touch",
]

# Sent after an attempt is recorded (inside its transaction): sender = the task's kind,
# task=OutreachTask, attempt=OutreachAttempt.
outreach_attempt_recorded = django.dispatch.Signal()

R = OutreachResult
# Who may work outreach tasks (claim, next call, record): the queue's callback permission is not enough.
RECORD_PERMISSION = "retention.add_outreachattempt"


def outreach_task_open(
    *,
    store: Store,
    kind: str,
    customer: Customer,
    vehicle: Vehicle | None = None,
    window_opens_at: datetime.datetime,
    window_closes_at: datetime.datetime,
    key: str = "",
) -> tuple[OutreachTask, bool]:
    """Open an outreach task; returns (task, created). With a `key` ("winback:34") it is idempotent:
    the task already opened under that key is returned unchanged (a unique constraint decides, so
    two workers opening one key at once get one task)."""
    if window_closes_at < window_opens_at:
        raise ValidationError(_("联系截止时间不能早于开始时间。"))
    fields = {
        "store": store,
        "kind": kind,
        "customer": customer,
        "vehicle": vehicle,
        "window_opens_at": window_opens_at,
        "window_closes_at": window_closes_at,
    }
    if not key:
        return OutreachTask.objects.create(**fields), True
    try:
        with transaction.atomic():
            return OutreachTask.objects.create(key=key, **fields), True
    except IntegrityError:
        return OutreachTask.objects.get(key=key), False


def _idle_minutes(store_ids) -> set[int]:
    conf = store_callback_settings(store_ids) if store_ids is not None else {}
    return {s.claim_idle_minutes for s in conf.values()} or {DEFAULTS.claim_idle_minutes}


def outreach_due_q(*, user: User, now: datetime.datetime) -> Q:
    """THE "due" rule of outreach tasks: open, window open at `now`, assigned to `user` or anyone,
    no retry pending. Claims and stores are not looked at: the queue filter adds them, the queue
    header's due count does not (a task another agent holds is still due)."""
    q = Q(state=OutreachState.OPEN, window_opens_at__lte=now, window_closes_at__gte=now)
    q &= Q(assigned_to__isnull=True) | Q(assigned_to=user)
    q &= Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return q


def outreach_queue_filter(*, user: User, now: datetime.datetime) -> Q:
    """Open outreach tasks `user` may call now: due (`outreach_due_q`), in his stores, not held by
    another agent whose claim is fresh (the callback queue's rule)."""
    store_ids = user_store_ids(user)
    q = outreach_due_q(user=user, now=now)
    idle = max(_idle_minutes(store_ids))
    q &= Q(claimed_by__isnull=True) | Q(claimed_by=user) | Q(claimed_at__lt=now - datetime.timedelta(minutes=idle))
    if store_ids is not None:
        q &= Q(store_id__in=store_ids)
    return q


def _release_outreach(*, user: User, keep: int | None = None) -> None:
    OutreachTask.objects.filter(claimed_by=user, state=OutreachState.OPEN).exclude(pk=keep).update(
        claimed_by=None, claimed_at=None
    )


def outreach_task_claim_next(
    *, user: User, kind: str | None = None, kinds: list[str] | None = None, now: datetime.datetime | None = None
) -> OutreachTask | None:
    """Claim the next outreach task (window closing soonest, oldest) with SKIP LOCKED, giving up any
    task the agent held (callback or outreach). Refused (PermissionDenied) to a user who may not
    record outreach contacts."""
    if not user.has_perm(RECORD_PERMISSION):
        raise PermissionDenied
    now = now or timezone.now()

    def work():
        with transaction.atomic():
            _agent_lock(user)
            _release_claims(user=user)
            held = list(
                OutreachTask.objects.filter(claimed_by=user, state=OutreachState.OPEN).values_list("pk", flat=True)
            )
            _release_outreach(user=user)
            qs = OutreachTask.objects.filter(outreach_queue_filter(user=user, now=now)).exclude(pk__in=held)
            if kind:
                qs = qs.filter(kind=kind)
            if kinds:
                qs = qs.filter(kind__in=kinds)
            task = qs.order_by("window_closes_at", "id").select_for_update(skip_locked=True, of=("self",)).first()
            if task is None:
                return None
            OutreachTask.objects.filter(pk=task.pk).update(claimed_by=user, claimed_at=now)
            task.claimed_by, task.claimed_at = user, now
            return task

    return _retrying(work)


def _claim_is_fresh(task: OutreachTask, now: datetime.datetime) -> bool:
    if task.claimed_by_id is None or task.claimed_at is None:
        return task.claimed_by_id is not None
    idle = max(_idle_minutes([task.store_id]))
    return task.claimed_at >= now - datetime.timedelta(minutes=idle)


def outreach_task_claimed_fresh_by(*, task: OutreachTask, user: User, now: datetime.datetime) -> bool:
    """Whether `user` still holds a fresh claim on the task (callbacks' callback_task_claimed_fresh_by)."""
    return task.state == OutreachState.OPEN and task.claimed_by_id == user.pk and _claim_is_fresh(task, now)


def outreach_task_holder(*, task: OutreachTask, user: User, now: datetime.datetime | None = None) -> User | None:
    """Another agent holding a fresh claim on the task, or None."""
    now = now or timezone.now()
    if task.state != OutreachState.OPEN or task.claimed_by_id in (None, user.pk) or not _claim_is_fresh(task, now):
        return None
    return task.claimed_by


def outreach_task_touch(*, task: OutreachTask, user: User, now: datetime.datetime | None = None) -> bool:
    """Take or keep the claim (page opened, heartbeat); False when another agent holds it fresh or the
    task is no longer open. Gives up every other task the agent held."""
    now = now or timezone.now()

    def work() -> bool:
        with transaction.atomic():
            _agent_lock(user)
            locked = OutreachTask.objects.select_for_update().filter(pk=task.pk, state=OutreachState.OPEN).first()
            if locked is None or (locked.claimed_by_id not in (None, user.pk) and _claim_is_fresh(locked, now)):
                return False
            _release_claims(user=user)
            _release_outreach(user=user, keep=task.pk)
            OutreachTask.objects.filter(pk=task.pk).update(claimed_by=user, claimed_at=now)
        return True

    return _retrying(work)


def outreach_attempt_record(
    *,
    task: OutreachTask,
    user: User | None,
    result: str,
    channel: str = OutreachChannel.CALL,
    booked_on: datetime.date | None = None,
    booked_slot: datetime.time | None = None,
    service_type: str = "",
    booked_advisor: int | None = None,
    customer_words: str = "",
    reason_category: str = "",
    note: str = "",
    at: datetime.datetime | None = None,
) -> OutreachAttempt:
    """THE way a contact is recorded (the queue's call page and the win-back page both come here),
    under the task's row lock. 已预约 needs its booked date. What the result does to the task is
    retention.choices.OUTCOMES: a final result ends it; 有意向 keeps it open and back in the queue
    after FOLLOW_UP_DAYS; 无法联系 is a failed attempt (back after the store's retry gap, closed
    after the store's maximum of failed attempts). A call on a task another agent holds is refused
    (TaskHeldByOther); a call on a finished task is refused, while an SMS contact may still be
    logged on it (a customer who refuses calls has his win-back call closed and is reached by SMS):
    it is recorded and leaves the task as it is. 已预约 on an open task books the customer into the
    slot (`booked_slot`, else the day's first free one; `booked_advisor` a Staff id or None)
    through appointments, in the same transaction: a full slot refuses the result (SlotFull) and
    records nothing. The booking made is the returned attempt's `appointment` attribute."""
    if result not in results_for_kind(task.kind):
        raise ValidationError({"result": _("该类型任务没有此联络结果。")})
    if result == R.BOOKED and booked_on is None:
        raise ValidationError({"booked_on": _("已预约须填写预约日期。")})
    return _retrying(
        lambda: _attempt_record(
            task=task,
            user=user,
            result=result,
            channel=channel,
            booked_on=booked_on if result == R.BOOKED else None,
            booking={"slot": booked_slot, "service_type": service_type, "advisor_id": booked_advisor},
            customer_words=customer_words,
            reason_category=reason_category,
            note=note,
            at=at,
        )
    )


def _attempt_record(*, task, user, result, channel, booked_on, booking, customer_words, reason_category, note, at):
    now = at or timezone.now()
    with transaction.atomic():
        if user is not None:
            _agent_lock(user)
        task = OutreachTask.objects.select_for_update().get(pk=task.pk)
        is_open = task.state == OutreachState.OPEN
        if not is_open and channel != OutreachChannel.SMS:
            raise ValidationError(_("该任务已结束，不能再记录。"))
        if is_open and task.kind in REMINDER_KINDS and now > task.window_closes_at:
            # SPEC §10.2: a reminder call's window is its send date to its due date; a result recorded
            # after it would count a call the customer got too late (the task expires that night).
            closed = timezone.localtime(task.window_closes_at).date().isoformat()
            raise ValidationError(_("该提醒的联系期限已于 %(day)s 结束，不能再记录。") % {"day": closed})
        if channel == OutreachChannel.CALL and user is not None:
            holder = outreach_task_holder(task=task, user=user, now=timezone.now())
            if holder is not None:
                raise TaskHeldByOther(_("该任务正由 %(name)s 联系，不能记录。请返回队列。") % {"name": holder})
        try:
            attempt = OutreachAttempt.objects.create(
                task=task,
                user=user,
                channel=channel,
                contacted_at=now,
                result=result,
                booked_on=booked_on,
                customer_words=customer_words.strip(),
                reason_category=reason_category,
                note=note.strip(),
            )
        except IntegrityError as exc:  # a value no column may hold
            raise ValidationError(_("记录失败，请检查输入。")) from exc
        if is_open:
            _move_on(task, result=result, booked_on=booked_on, now=now)
            if result == R.BOOKED:
                # The booking rides on the attempt for the page's message (which slot was taken).
                attempt.appointment = appointment_book_for_outreach(
                    task=task, user=user, day=booked_on, note=note, now=now, **booking
                )
        outreach_attempt_recorded.send(sender=task.kind, task=task, attempt=attempt)
    return attempt


def _move_on(task: OutreachTask, *, result: str, booked_on, now: datetime.datetime) -> None:
    """The open task after a contact with `result` (OUTCOMES): done, back later, or closed."""
    task.claimed_by, task.claimed_at = None, None
    task.result = result
    fields = ["claimed_by", "claimed_at", "result"]
    outcome = OUTCOMES[result]
    if outcome == Outcome.FINAL:
        task.state, task.completed_at, task.booked_on = OutreachState.DONE, now, booked_on
        fields += ["state", "completed_at", "booked_on"]
    elif outcome == Outcome.FOLLOW_UP:
        task.next_attempt_at = now + datetime.timedelta(days=FOLLOW_UP_DAYS)
        fields.append("next_attempt_at")
    else:
        conf = store_callback_settings([task.store_id])[task.store_id]
        task.failed_attempts += 1
        fields += ["failed_attempts", "next_attempt_at"]
        task.next_attempt_at = now + datetime.timedelta(minutes=conf.retry_gap_minutes)
        if task.failed_attempts >= conf.max_failed_attempts:
            task.state, task.completed_at = OutreachState.CLOSED, now
            fields += ["state", "completed_at"]
    task.save(update_fields=fields)


def outreach_tasks_expire(*, kinds, now: datetime.datetime | None = None) -> int:
    """Close the open tasks of `kinds` whose window has ended (beat; idempotent)."""
    now = now or timezone.now()
    return OutreachTask.objects.filter(state=OutreachState.OPEN, kind__in=kinds, window_closes_at__lt=now).update(
        state=OutreachState.CLOSED, completed_at=now, claimed_by=None, claimed_at=None
    )
