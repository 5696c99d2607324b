"""Imported call results (the 回访结果 sheet, SPEC §5): one row's attempt and its effect, through the
state machine of callbacks.services (`task_finish_values`, the response link, the stored outcome).
Split from callbacks.services by concern; the rules are the same table the call page applies."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from callbacks.choices import AttemptSource, Effect, TaskState, disposition_rule
from callbacks.models import CallAttempt, CallbackTask
from callbacks.services import _task_response_link, callback_task_outcome_refresh, task_finish_values
from crm.importing.registry import Outcome
from crm.models import User
from surveys.choices import ResponseSource
from surveys.services import response_answers_replace, response_record


def callback_result_import(
    *, task: CallbackTask, disposition: str, at: datetime.datetime, agent: User | None, note: str, answers, version
) -> Outcome:
    """Record one imported call result and apply its effect from `DISPOSITION_RULES`, the table the
    call page applies (`callback_attempt_record`), for a call made elsewhere, long ago: a success
    (Effect.DONE) stores its answers (no hot alert: that call is long over) and the task done from
    any state but done; a refusal (Effect.CLOSE_UNSUCCESSFUL) closes a task still open; the other
    effects record the attempt only (no retry clock, no SMS survey, no data fix).

    The attempt is unique by (task, time): a row imported before updates it (`_imported_result_update`)
    and the outcome says what changed. The attempt and its effect commit together, so an import that
    dies half-way leaves no attempt without its answers. Raises ValidationError for a row that would
    withdraw an imported success. `answers` are checked by the caller (`answers_validate`)."""
    rule = disposition_rule(disposition)
    with transaction.atomic():
        try:
            with transaction.atomic():
                CallAttempt.objects.create(
                    task=task, agent=agent, at=at, disposition=disposition, note=note, source=AttemptSource.IMPORT
                )
        except IntegrityError:
            outcome = _imported_result_update(
                task=task, disposition=disposition, at=at, agent=agent, note=note, answers=answers, version=version
            )
            callback_task_outcome_refresh(task_ids=[task.pk])
            return outcome
        _imported_effect_apply(
            task=task, rule=rule, disposition=disposition, at=at, agent=agent, answers=answers, version=version
        )
        callback_task_outcome_refresh(task_ids=[task.pk])
    return Outcome.CREATED


def _imported_effect_apply(*, task, rule, disposition, at, agent, answers, version) -> None:
    if rule.effect == Effect.DONE:
        if task.response_id is None:
            response = response_record(
                task=task, version=version, answers=answers, source=ResponseSource.IMPORT, agent=agent, at=at
            )
            _task_response_link(task=task, response=response)
        not_done = [state for state in TaskState.values if state != TaskState.DONE]
        if _task_finish_imported(task=task, state=TaskState.DONE, disposition=disposition, at=at, from_states=not_done):
            task.state = TaskState.DONE
    elif rule.effect == Effect.CLOSE_UNSUCCESSFUL:
        _task_finish_imported(
            task=task, state=TaskState.CLOSED_UNSUCCESSFUL, disposition=disposition, at=at, from_states=[TaskState.OPEN]
        )


def _task_finish_imported(*, task: CallbackTask, state: str, disposition: str, at, from_states) -> int:
    """The state, final disposition and completion time `callback_attempt_record` sets for that
    outcome, and the claim released — only while the task is in one of `from_states`. Returns the
    number of tasks changed (0 or 1)."""
    return CallbackTask.objects.filter(pk=task.pk, state__in=from_states).update(
        **task_finish_values(state=state, disposition=disposition, at=at)
    )


def _imported_result_update(*, task, disposition, at, agent, note, answers, version) -> Outcome:
    """A row imported before (same task and time): a changed note, agent, answers or outcome
    update the record (SPEC §5). A changed outcome: a refusal this row recorded is undone (the task
    it closed reopens), then the new outcome takes effect as in a new row — a success records its
    answers and the done task, a refusal closes an open task; from success to success the task's
    final disposition follows. A success cannot be withdrawn by an import — its response and the
    done task may have been worked on since — so that row is refused, for a correction in the system."""
    attempt = CallAttempt.objects.get(task=task, at=at, source=AttemptSource.IMPORT)
    changed = False
    if attempt.disposition != disposition:
        old, new = disposition_rule(attempt.disposition), disposition_rule(disposition)
        was_success, is_success = old.effect == Effect.DONE, new.effect == Effect.DONE
        if was_success and not is_success:
            message = _("该回访已导入为成功（%(old)s），导入不能改为未成功的 %(new)s；请在系统中更正")
            raise ValidationError(message % {"old": attempt.disposition, "new": disposition})
        old_disposition = attempt.disposition
        attempt.disposition = disposition
        attempt.save(update_fields=["disposition"])
        changed = True
        if old.effect == Effect.CLOSE_UNSUCCESSFUL:
            # Reopen the task this very row closed (same outcome and time), nothing else.
            CallbackTask.objects.filter(
                pk=task.pk, state=TaskState.CLOSED_UNSUCCESSFUL, final_disposition=old_disposition, completed_at=at
            ).update(state=TaskState.OPEN, final_disposition="", completed_at=None)
            task.refresh_from_db(fields=["state"])
        if was_success:
            CallbackTask.objects.filter(pk=task.pk, state=TaskState.DONE, final_disposition=old_disposition).update(
                final_disposition=disposition
            )
        else:
            _imported_effect_apply(
                task=task, rule=new, disposition=disposition, at=at, agent=agent, answers=answers, version=version
            )
    if (attempt.note, attempt.agent_id) != (note, agent.pk if agent else None):
        attempt.note, attempt.agent = note, agent
        attempt.save(update_fields=["note", "agent"])
        changed = True
    response = task.response if task.response_id else None
    if (
        response is not None
        and response.source == ResponseSource.IMPORT
        and response.answered_at == at
        and response_answers_replace(response=response, answers=answers)
    ):
        _task_response_link(task=task, response=response)  # its overall score follows the answers
        changed = True
    return Outcome.UPDATED if changed else Outcome.UNCHANGED
