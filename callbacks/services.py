"""Callback writes: claiming, dispositions and their effects, expiry, data fixes (SPEC §6).
Task generation is callbacks.generation; hot alerts callbacks.hot_alerts.

The task's state machine lives here, and only here. Every effect of an outcome goes through this
module: an attempt on the call page and an SMS reply (`callback_attempt_record`), an imported
result (`callbacks.result_import.callback_result_import`), expiry (`callback_tasks_expire`) and a data fix
(`data_fix_record`). Each applies the disposition's effect from `callbacks.choices.DISPOSITION_RULES`,
finishes a task with `task_finish_values`, links the questionnaire response (surveys stores it and
never writes a task) and ends with `callback_task_outcome_refresh`, which stores the last
disposition and bucket the reports count by (callbacks.figures)."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from callbacks.choices import (
    NOT_CALLED,
    AttemptSource,
    Disposition,
    Effect,
    TaskState,
    disposition_rule,
)
from callbacks.figures import bucket_of
from callbacks.generation import DEFAULTS, store_callback_settings
from callbacks.hot_alerts import AGENT_GRUMBLE_REASON, hot_alert_notify
from callbacks.models import (
    CallAttempt,
    CallbackTask,
    DataFixRecord,
    HotAlert,
)
from crm.models import User
from crm.scoping import scope_for_user, user_store_ids
from crm.tasking import enqueue_on_commit
from crm.validators import validate_mobile
from surveys.services import (
    response_negative_reasons,
    response_record,
    response_verbatim_lines,
)


def callback_queue_filter(*, user: User, now: datetime.datetime) -> Q:
    """Open tasks this user may call now (SPEC §6): window open, due, assigned to them or anyone,
    not held by another agent whose claim is still fresh."""
    store_ids = user_store_ids(user)
    q = Q(state=TaskState.OPEN, window_opens_at__lte=now, window_closes_at__gte=now)
    q &= Q(assigned_to__isnull=True) | Q(assigned_to=user)
    q &= Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    q &= Q(appointment_at__isnull=True) | Q(appointment_at__lte=now)
    conf = store_callback_settings(store_ids) if store_ids is not None else {}
    free = Q(claimed_by__isnull=True) | Q(claimed_by=user)
    stale = Q()
    minutes = {s.claim_idle_minutes for s in conf.values()} or {DEFAULTS.claim_idle_minutes}
    # Stores rarely differ; one condition per distinct timeout keeps the query short.
    for m in minutes:
        cond = Q(last_activity_at__lt=now - datetime.timedelta(minutes=m))
        if len(minutes) > 1:
            cond &= Q(store_id__in=[sid for sid, s in conf.items() if s.claim_idle_minutes == m])
        stale |= cond
    q &= free | stale
    if store_ids is not None:
        q &= Q(store_id__in=store_ids)
    return q


# SPEC §6 queue order — due appointments first, then window closing soonest, then oldest — as
# steps, each read in QUEUE_STEP_ORDER: each step is a walk of the open-queue index that stops at
# the first rows it needs; one ORDER BY on "has an appointment" first would sort every callable
# task of the stores (tens of thousands at scale) on each press of "next call" or view of the queue.
QUEUE_STEPS = (Q(appointment_at__isnull=False), Q(appointment_at__isnull=True))
QUEUE_STEP_ORDER = ("window_closes_at", "id")


def callback_task_claim_next(*, user: User, now: datetime.datetime | None = None) -> CallbackTask | None:
    """Claim the next task for `user` (appointments due first, window closing soonest, oldest).

    `SELECT … FOR UPDATE SKIP LOCKED` lets many agents press "next call" at once: each row is taken
    by one transaction, the others skip it; the claim columns then keep it for 15 idle minutes.
    One agent's presses (two tabs) are serialised by `_agent_lock`, so he never holds two tasks; a
    deadlock or serialization failure is retried, then refused with a message (`ClaimBusy`).
    """
    now = now or timezone.now()
    return _retrying(lambda: _claim_next(user=user, now=now))


def _claim_next(*, user: User, now: datetime.datetime) -> CallbackTask | None:
    with transaction.atomic():
        _agent_lock(user)
        # One claim per agent: pressing "next call" gives up the task held so far (a skip), and
        # never hands that same task straight back. Released first, so that the only task row this
        # transaction may wait for is the held one; the next one is taken with SKIP LOCKED.
        held = _release_claims(user=user)
        callable_now = CallbackTask.objects.filter(callback_queue_filter(user=user, now=now)).exclude(pk__in=held)
        task = None
        for step in QUEUE_STEPS:
            task = (
                callable_now.filter(step)
                .order_by(*QUEUE_STEP_ORDER)
                .select_for_update(skip_locked=True, of=("self",))
                .first()
            )
            if task is not None:
                break
        if task is None:
            return None
        CallbackTask.objects.filter(pk=task.pk).update(claimed_by=user, claimed_at=now, last_activity_at=now)
        task.claimed_by, task.claimed_at, task.last_activity_at = user, now, now
    return task


class TaskHeldByOther(ValidationError):
    """A call recorded on a task another agent holds (a fresh claim)."""


class ClaimBusy(ValidationError):
    """A claim or a disposition that lost to a deadlock or serialization failure on every try."""


# deadlock_detected, serialization_failure: the transaction did nothing and may simply run again.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
_TRIES = 3


def _retrying(work):
    """Run `work` (which opens its own transaction) again after a deadlock or serialization
    failure, up to `_TRIES` times; then raise `ClaimBusy` (a message for the page, never a 500)."""
    for attempt in range(_TRIES):
        try:
            return work()
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) not in _RETRYABLE_SQLSTATES:
                raise
            if attempt == _TRIES - 1:
                raise ClaimBusy(_("系统繁忙，请稍后重试。")) from exc
    raise AssertionError("unreachable")


def _agent_lock(user: User) -> None:
    """Serialise one agent's claims and dispositions: the lock on his user row, always taken before
    any task row (the fixed lock order: agent, then tasks). FOR NO KEY UPDATE, so that inserting
    rows that reference the user (attempts, notifications) is not blocked by it."""
    list(User.objects.select_for_update(no_key=True).filter(pk=user.pk).values_list("pk", flat=True))


def _release_claims(*, user: User, keep: int | None = None) -> list[int] | None:
    """Give up every open task `user` holds (but `keep`). Under `_agent_lock`. Without `keep` (the
    "next call" press, which must not hand them straight back) returns their ids; with it, one UPDATE."""
    held = CallbackTask.objects.filter(claimed_by=user, state=TaskState.OPEN)
    if keep is not None:
        held.exclude(pk=keep).update(claimed_by=None, claimed_at=None)
        return None
    ids = list(held.order_by("pk").values_list("pk", flat=True))
    if ids:
        CallbackTask.objects.filter(pk__in=ids, claimed_by=user).update(claimed_by=None, claimed_at=None)
    return ids


def callback_task_release(*, task: CallbackTask, user: User) -> None:
    """Give up a claim (the agent leaves the call page without recording)."""
    CallbackTask.objects.filter(pk=task.pk, claimed_by=user).update(claimed_by=None, claimed_at=None)


def _claim_is_fresh(task: CallbackTask, now: datetime.datetime) -> bool:
    """Whether the task's claim still holds: claimed, and active within the store's idle timeout
    (15 minutes unless the store says otherwise) — the rule of the queue's `callback_queue_filter`."""
    if task.claimed_by_id is None:
        return False
    if task.last_activity_at is None:  # as in the queue: only a claim idle since a known time expires
        return True
    idle = store_callback_settings([task.store_id])[task.store_id].claim_idle_minutes
    return task.last_activity_at >= now - datetime.timedelta(minutes=idle)


def callback_task_claimed_fresh_by(*, task: CallbackTask, user: User, now: datetime.datetime) -> bool:
    """Whether `user` still holds a fresh claim on the task (he is on its call page, or was within
    the idle timeout): a sweep acting on his behalf (telephony's unrecorded calls) leaves it to him."""
    return task.state == TaskState.OPEN and task.claimed_by_id == user.pk and _claim_is_fresh(task, now)


def callback_task_holder(*, task: CallbackTask, user: User, now: datetime.datetime | None = None) -> User | None:
    """Another agent who holds a fresh claim on the task (the call page's banner), or None."""
    now = now or timezone.now()
    if task.state != TaskState.OPEN or task.claimed_by_id in (None, user.pk) or not _claim_is_fresh(task, now):
        return None
    return task.claimed_by


def callback_task_touch(*, task: CallbackTask, user: User, now: datetime.datetime | None = None) -> bool:
    """Take or keep a claim (the call page opened, its heartbeat); False when another agent holds a
    fresh claim on the task or the task is no longer open. Taking this task gives up any other the
    agent held, so that he never holds two."""
    now = now or timezone.now()
    return _retrying(lambda: _touch(task=task, user=user, now=now))


def _touch(*, task: CallbackTask, user: User, now: datetime.datetime) -> bool:
    # The common case — the agent opens (or the heartbeat keeps) the task he holds: one conditional
    # UPDATE. Holding it means he holds no other (every claim gave the others up), so there is
    # nothing to release and no lock to take.
    if task.claimed_by_id == user.pk and CallbackTask.objects.filter(
        pk=task.pk, state=TaskState.OPEN, claimed_by=user
    ).update(claimed_at=now, last_activity_at=now):
        return True
    with transaction.atomic():
        _agent_lock(user)
        locked = CallbackTask.objects.select_for_update().filter(pk=task.pk, state=TaskState.OPEN).first()
        if locked is None or (locked.claimed_by_id not in (None, user.pk) and _claim_is_fresh(locked, now)):
            return False
        _release_claims(user=user, keep=task.pk)
        CallbackTask.objects.filter(pk=task.pk).update(claimed_by=user, claimed_at=now, last_activity_at=now)
    return True


# --- dispositions ------------------------------------------------------------------------------


def callback_attempt_record(
    *,
    task: CallbackTask,
    user: User | None,
    disposition: str,
    note: str = "",
    answers: dict | None = None,
    appointment_at: datetime.datetime | None = None,
    grumble: bool = False,
    at: datetime.datetime | None = None,
    source: str = AttemptSource.CALL,
    version=None,
    mood: str = "",
    claim: bool = True,
) -> CallAttempt:
    """Record one attempt and apply its effect from `DISPOSITION_RULES` (SPEC §6).

    A success (成功 or 短信回复) stores `answers` (question code -> raw value; the key "overall"
    stands for the overall question) as the task's questionnaire response, validated against
    `version` or the current template of the task's kind; the overall answer is required. `mood` is
    the customer's mood as the agent heard it (callbacks.choices.Mood; empty: not recorded). `user`
    may be None (an SMS reply, the demo). An invalid answer raises ValidationError keyed by
    question code and records nothing.

    `claim=False`: a call recorded on the agent's behalf, not from his page (telephony's sweep of
    unanswered calls he never recorded). The disposition's effect applies as on the page (failed
    attempts, the retry gap, the SMS survey), but the task is not claimed for him and the task he
    is working on now is not given up: the recorded task is left unclaimed, as any attempt leaves
    it, and his other claims stand.
    """
    try:
        rule = disposition_rule(disposition)
    except (KeyError, ValueError) as exc:
        raise ValidationError(_("未知的回访结果：%(d)s") % {"d": disposition}) from exc
    return _retrying(
        lambda: _attempt_record(
            task=task,
            user=user,
            rule=rule,
            disposition=disposition,
            note=note,
            answers=answers,
            appointment_at=appointment_at,
            grumble=grumble,
            at=at,
            source=source,
            version=version,
            mood=mood,
            claim=claim,
        )
    )


def _attempt_record(
    *, task, user, rule, disposition, note, answers, appointment_at, grumble, at, source, version, mood="", claim=True
) -> CallAttempt:
    now = at or timezone.now()
    with transaction.atomic():
        if user is not None:
            _agent_lock(user)  # the fixed lock order: the agent, then the task
        task = CallbackTask.objects.select_for_update().select_related("customer").get(pk=task.pk)
        if task.state != TaskState.OPEN:
            raise ValidationError(_("该回访任务已结束，不能再记录。"))
        conf = store_callback_settings([task.store_id])[task.store_id]
        if rule.effect == Effect.RESCHEDULE and appointment_at is None:
            raise ValidationError({"appointment_at": _("请填写约定时间。")})
        if disposition == Disposition.SMS_REPLY and source == AttemptSource.CALL:
            source = AttemptSource.SMS  # the SMS gateway's reply handler needs not say so
        if source == AttemptSource.CALL and user is not None:
            # A call is recorded by the agent who holds the task, or who takes it because nobody
            # holds it or the claim went idle (SPEC §6): two open call pages store one disposition.
            holder = callback_task_holder(task=task, user=user, now=timezone.now())
            if holder is not None:
                raise TaskHeldByOther(_("该任务正由 %(name)s 回访，不能记录。请返回队列。") % {"name": holder})
        attempt = CallAttempt.objects.create(
            task=task, agent=user, at=now, disposition=disposition, note=note, source=source, mood=mood or ""
        )
        fields = ["claimed_by", "claimed_at", "last_activity_at"]
        task.claimed_by, task.claimed_at, task.last_activity_at = None, None, now
        if rule.effect == Effect.DONE:
            _task_done(
                task=task,
                user=user,
                disposition=disposition,
                answers=answers or {},
                grumble=grumble,
                now=now,
                source=source,
                version=version,
            )
            fields += ["state", "final_disposition", "completed_at", "has_grumble"]  # set by _task_done
        elif rule.effect == Effect.RESCHEDULE:
            task.appointment_at = appointment_at
            task.next_attempt_at = None
            fields += ["appointment_at", "next_attempt_at"]
        elif rule.effect == Effect.CLOSE_UNSUCCESSFUL:
            fields += _task_finish(task, state=TaskState.CLOSED_UNSUCCESSFUL, disposition=disposition, at=now)
        elif rule.effect == Effect.FAILED_ATTEMPT:
            task.failed_attempts += 1
            task.next_attempt_at = now + datetime.timedelta(minutes=conf.retry_gap_minutes)
            task.appointment_at = None
            fields += ["failed_attempts", "next_attempt_at", "appointment_at"]
            if task.failed_attempts >= conf.max_failed_attempts and task.sms_survey_sent_at is None:
                # callbacks.tasks imports this module (a cycle): the one SMS-survey task, queued on
                # commit; a broker outage never fails the recorded attempt, the beat sweep
                # `callback_sms_fallback_sweep` sends the survey later (crm.tasking, callbacks.sms).

                enqueue_on_commit("callbacks.tasks.callback_sms_survey_send", task.pk)
        elif rule.effect == Effect.DATA_FIX:
            task.state = TaskState.DATA_FIX
            fields += ["state"]
            customer = task.customer
            customer.mobile_invalid = True
            customer.save(update_fields=["mobile_invalid", "updated_at"])
            DataFixRecord.objects.create(
                task=task, customer=customer, reported_at=now, reported_by=user, wrong_number=customer.mobile
            )
        if claim and task.state == TaskState.OPEN and source == AttemptSource.CALL and user is not None:
            # The caller keeps the claim of a task still open (no answer, an appointment) for the
            # idle timeout: released here, a second page open on the task would take it and store a
            # second disposition of the same call. His next press of "next call" gives it up; any
            # other task he held is given up now, so that he never holds two.
            task.claimed_by, task.claimed_at = user, now
            _release_claims(user=user, keep=task.pk)
        task.final_disposition = task.final_disposition or ""
        task.save(update_fields=fields)
        callback_task_outcome_refresh(task_ids=[task.pk])
    return attempt


# --- THE stored outcome ---------------------------------------------------------------------------

FINISHED_STATES = (TaskState.DONE, TaskState.CLOSED_UNSUCCESSFUL)


def task_finish_values(*, state: str, disposition, at) -> dict:
    """THE finish of a task (done, or closed unsuccessful): its state, final disposition (a value,
    or an expression for a bulk UPDATE), completion time, and the claim released. The call page,
    the import, expiry and the data fix finish a task with these; callback_task_outcome_refresh
    then stores what the reports count it by."""
    return {
        "state": state,
        "final_disposition": disposition,
        "completed_at": at,
        "claimed_by": None,
        "claimed_at": None,
    }


def _task_finish(task: CallbackTask, *, state: str, disposition: str, at) -> list[str]:
    """`task_finish_values` on a task instance (locked by the caller); the fields to save."""
    values = task_finish_values(state=state, disposition=disposition, at=at)
    for field, value in values.items():
        setattr(task, field, value)
    return list(values)


def callback_task_outcome_refresh(*, task_ids) -> int:
    """Store what the reports count a task by (callbacks.figures): `last_disposition` — a finished
    task's final disposition (none for 未回访), else its latest attempt's — and `last_bucket`, that
    disposition's bucket. Every effect of an outcome (a call, an SMS reply, an imported row,
    expiry, a data fix) ends here, in the transaction that applied it; the rule lives only here.
    Two UPDATEs whatever the number of tasks (`task_ids`: ids or a queryset of ids); idempotent."""
    latest = CallAttempt.objects.filter(task=OuterRef("pk")).order_by("-at", "-id").values("disposition")[:1]
    finished = Q(state__in=FINISHED_STATES, final_disposition__gt="")
    tasks = CallbackTask.objects.filter(pk__in=task_ids)
    changed = tasks.update(
        last_disposition=Case(
            When(finished & Q(final_disposition=NOT_CALLED), then=Value("")),
            When(finished, then=F("final_disposition")),
            default=Coalesce(Subquery(latest), Value("")),
        )
    )
    tasks.update(last_bucket=bucket_of("last_disposition"))
    return changed


def _task_response_link(*, task: CallbackTask, response) -> None:
    """The task's questionnaire response and its overall score (what the reports aggregate without
    joining the answers): set here, by callbacks — surveys stores a response and never writes a task."""
    task.response, task.overall_score = response, response.overall_score
    task.save(update_fields=["response", "overall_score"])


def _task_done(*, task, user, disposition, answers, grumble, now, source, version) -> None:
    """Store the questionnaire, mark success, and raise a hot alert for a grumble or any negative
    answer (SPEC §6; the rule is `surveys.services.answer_is_negative`)."""

    response = response_record(task=task, version=version, answers=answers, source=source, agent=user, at=now)
    _task_response_link(task=task, response=response)
    _task_finish(task, state=TaskState.DONE, disposition=disposition, at=now)
    # The reasons are stored with the alert, so they are written in the default language whatever
    # the agent's (as stored notification texts are): read later, and compared with the complaint
    # prefill's lines, they must not depend on who recorded the call.
    with translation.override(settings.LANGUAGE_CODE):
        reasons = response_negative_reasons(response) if response.has_negative else []
        if grumble:
            reasons.insert(0, _(AGENT_GRUMBLE_REASON))
        # The customer's own words go with the alert (and so into the complaint it may become): a
        # text answer never raises an alert, but it is what the CR manager needs to read first.
        verbatim = response_verbatim_lines(response) if reasons else []
    task.has_grumble = bool(reasons)
    if reasons:
        reasons += verbatim
        alert, created = HotAlert.objects.get_or_create(task=task, defaults={"raised_at": now, "reasons": reasons})
        if created:
            hot_alert_notify(alert=alert, task=task)


def callback_tasks_expire(*, now: datetime.datetime | None = None, batch_size: int = 1000) -> int:
    """Close open (and data-fix) tasks whose window ended: 回访未成功, with the last attempt's
    disposition or 未回访. Works from state, so a missed night is caught up."""
    now = now or timezone.now()
    last = CallAttempt.objects.filter(task=OuterRef("pk")).order_by("-at", "-id").values("disposition")[:1]
    total = 0
    while True:
        ids = list(
            CallbackTask.objects.filter(
                state__in=[TaskState.OPEN, TaskState.DATA_FIX], window_closes_at__lt=now
            ).values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return total
        with transaction.atomic():
            total += CallbackTask.objects.filter(id__in=ids, state__in=[TaskState.OPEN, TaskState.DATA_FIX]).update(
                **task_finish_values(
                    state=TaskState.CLOSED_UNSUCCESSFUL,
                    disposition=Coalesce(Subquery(last), Value(NOT_CALLED)),
                    at=now,
                )
            )
            callback_task_outcome_refresh(task_ids=ids)


# --- data fixes, hot alerts, assignment -------------------------------------------------------


def data_fix_record(
    *,
    record: DataFixRecord,
    user: User,
    corrected_name: str = "",
    corrected_mobile: str = "",
    corrected_landline: str = "",
    corrected_other: str = "",
    now: datetime.datetime | None = None,
) -> DataFixRecord:
    """Record the corrected contact (table 4), update the customer, and reopen the task if its
    window is still open (otherwise it is closed unsuccessful with its wrong-number disposition)."""

    now = now or timezone.now()
    if not (corrected_mobile or corrected_landline or corrected_other):
        raise ValidationError(_("请至少填写一种正确的联系方式。"))
    if corrected_mobile:
        validate_mobile(corrected_mobile)
    with transaction.atomic():
        record = DataFixRecord.objects.select_for_update().select_related("task", "customer").get(pk=record.pk)
        if record.fixed_at is not None:
            raise ValidationError(_("该记录已修正。"))
        record.corrected_name = corrected_name
        record.corrected_mobile = corrected_mobile
        record.corrected_landline = corrected_landline
        record.corrected_other = corrected_other
        record.fixed_at, record.fixed_by = now, user
        record.save()
        customer = record.customer
        fields = ["updated_at"]
        if corrected_name:
            customer.name = corrected_name
            fields.append("name")
        if corrected_mobile:
            customer.mobile, customer.mobile_invalid = corrected_mobile, False
            fields += ["mobile", "mobile_invalid"]
        if corrected_landline:
            customer.landline = corrected_landline
            fields.append("landline")
        customer.save(update_fields=fields)
        task = record.task
        if task.state == TaskState.DATA_FIX:
            if task.window_closes_at >= now:
                task.state, task.next_attempt_at = TaskState.OPEN, None
                task.save(update_fields=["state", "next_attempt_at"])
            else:
                last = task.attempts.order_by("-at", "-id").values_list("disposition", flat=True).first()
                task.save(
                    update_fields=_task_finish(
                        task, state=TaskState.CLOSED_UNSUCCESSFUL, disposition=last or "", at=now
                    )
                )
            callback_task_outcome_refresh(task_ids=[task.pk])
    return record


def callback_tasks_assign(*, task_ids: Iterable[int], assignee: User | None, by: User) -> int:
    """Assign (or, with assignee None, release to anyone) open tasks of the manager's stores."""

    qs = scope_for_user(CallbackTask.objects.filter(pk__in=list(task_ids), state=TaskState.OPEN), by)
    if assignee is not None:
        allowed = user_store_ids(assignee)
        if allowed is not None:
            qs = qs.filter(store_id__in=allowed)
    return qs.update(assigned_to=assignee)
