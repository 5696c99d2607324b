"""The 回访结果 / callback_results sheet of the DMS import (SPEC §5).

Each row becomes an attempt on the task of the same kind and source number in the store; a
success row (成功 / 短信回复) also closes the task as done, a refusal (拒访) closes an open task
unsuccessful. Re-importing is harmless: an imported
attempt is unique by (task, called_at), and a row imported before updates its attempt (see
`_update_row` for a changed outcome).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from callbacks.choices import DISPOSITION_RULES, AttemptSource, Bucket, CallbackKind, Effect, TaskState
from callbacks.models import CallAttempt, CallbackTask
from callbacks.services import callback_task_finish_imported
from crm.importing.parsers import datetime as parse_datetime  # the importer's one date-time rule
from crm.importing.registry import CellError, Column, ImportContext, Outcome, ParsedRow, RowError, SheetHandler
from crm.models import User
from crm.scoping import scope_for_user
from surveys.choices import ResponseSource
from surveys.selectors import template_current_version
from surveys.services import answers_validate, response_answers_replace, response_record

QUESTION_CODES = tuple(f"Q{i}" for i in range(12))
KIND_BY_LABEL = {
    "销售": CallbackKind.SALES,
    "售后": CallbackKind.SERVICE,
    "sales": CallbackKind.SALES,
    "service": CallbackKind.SERVICE,
}


def parse_kind(value) -> str:
    kind = KIND_BY_LABEL.get(str(value).strip().lower())
    if kind is None:
        raise CellError(_("回访类型应为 销售 或 售后"))
    return kind


def _is_success(outcome: str) -> bool:
    return DISPOSITION_RULES[outcome].bucket == Bucket.SUCCESS


def _closes(outcome: str) -> bool:
    """An outcome that ends the callback unsuccessfully (拒访): no one should call again."""
    return DISPOSITION_RULES[outcome].effect == Effect.CLOSE_UNSUCCESSFUL


# Callback generation runs, within an import, after the deliveries (10) and repair orders (20) are
# read and before the results sheet, which looks up their tasks (crm.importing.registry).
TASK_GENERATION_ORDER = 40


class CallbackResultsSheet(SheetHandler):
    key = "callback_results"
    zh_name = "回访结果"
    order = TASK_GENERATION_ORDER + 10  # the tasks of the file's deliveries and ROs exist by then
    columns = (
        Column("kind", "回访类型", required=True, parse=parse_kind),
        Column("source_no", "单号", required=True),
        Column("called_at", "回访时间", required=True, parse=parse_datetime),
        Column("agent", "回访专员"),
        Column("outcome", "回访状态", required=True),
        *(Column(code, code) for code in QUESTION_CODES),
        Column("note", "备注"),
    )

    def import_batch(self, rows: list[ParsedRow], ctx: ImportContext) -> dict[int, Outcome | RowError]:
        store = ctx.default_store
        tasks = self._tasks(rows, store, ctx.user)
        users = self._users(rows)
        versions = {kind: template_current_version(kind=kind) for kind in CallbackKind.values}
        result: dict[int, Outcome | RowError] = {}
        for row in rows:
            v = row.values
            outcome = str(v.get("outcome") or "").strip()
            if outcome not in DISPOSITION_RULES:
                result[row.row_number] = RowError("回访状态", _("未知的回访结果：%(v)s") % {"v": outcome})
                continue
            task = tasks.get((v["kind"], str(v["source_no"]).strip()))
            if task is None:
                result[row.row_number] = RowError("单号", _("本店没有该单号的回访任务：%(v)s") % {"v": v["source_no"]})
                continue
            answers = {c: v[c] for c in QUESTION_CODES if v.get(c) not in (None, "")}
            error = self._check_answers(outcome, answers, versions.get(task.kind))
            if error:
                result[row.row_number] = error
                continue
            result[row.row_number] = self._import_row(task, v, outcome, users, answers, versions.get(task.kind))
        return result

    def _tasks(self, rows, store, user) -> dict[tuple[str, str], CallbackTask]:
        sales = {str(r.values["source_no"]).strip() for r in rows if r.values.get("kind") == CallbackKind.SALES}
        service = {str(r.values["source_no"]).strip() for r in rows if r.values.get("kind") == CallbackKind.SERVICE}
        qs = CallbackTask.objects.filter(
            Q(kind=CallbackKind.SALES, delivery__delivery_no__in=sales)
            | Q(kind=CallbackKind.SERVICE, repair_order_links__repair_order__ro_no__in=service)
        ).select_related("delivery")
        if store is not None:
            qs = qs.filter(store=store)
        if user is not None:
            # An upload by a store-level user with no store chosen names tasks by RO / delivery
            # number only: match them within the user's stores, never another store's task.
            qs = scope_for_user(qs, user)
        found = {}
        for task in qs.distinct().prefetch_related("merged_repair_orders"):
            if task.kind == CallbackKind.SALES:
                found[(task.kind, task.delivery.delivery_no)] = task
            else:
                for ro in task.merged_repair_orders.all():
                    found[(task.kind, ro.ro_no)] = task
        return found

    def _users(self, rows) -> dict[str, User]:
        names = {str(r.values.get("agent") or "").strip() for r in rows} - {""}
        users = {}
        for u in User.objects.filter(Q(username__in=names) | Q(display_name__in=names)):
            users[u.username] = users[u.display_name] = u
        return users

    def _check_answers(self, outcome: str, answers: dict, version) -> RowError | None:
        """Every Qn against the task's questionnaire: unknown code, out-of-range score, an answer
        that does not fit its question, a success without the overall answer."""
        success = _is_success(outcome)
        if not success:
            return RowError("", _("未成功的回访不应有问卷答案")) if answers else None
        if version is None:
            return RowError("", _("没有可用的回访问卷"))
        try:
            answers_validate(version=version, answers=answers)
        except ValidationError as exc:
            code, messages = next(iter(exc.message_dict.items()))
            return RowError(code, "；".join(messages))
        return None

    def _import_row(self, task: CallbackTask, v: dict, outcome: str, users, answers, version) -> Outcome | RowError:
        """The attempt, and for a success the response and the done task, in one transaction: an
        import that dies half-way leaves no attempt without its answers."""
        agent_name = str(v.get("agent") or "").strip()
        agent = users.get(agent_name)
        note = str(v.get("note") or "")
        if agent_name and agent is None:
            note = f"[{agent_name}] {note}".strip()  # an unknown agent is kept as text
        called_at = v["called_at"]
        with transaction.atomic():
            try:
                with transaction.atomic():
                    CallAttempt.objects.create(
                        task=task,
                        agent=agent,
                        at=called_at,
                        disposition=outcome,
                        note=note,
                        source=AttemptSource.IMPORT,
                    )
            except IntegrityError:
                return self._update_row(task, called_at, outcome, note, agent, answers, version)
            if _is_success(outcome):
                self._record_success(task, outcome, answers, version, agent, called_at)
            elif _closes(outcome):
                self._record_close(task, outcome, called_at)
        return Outcome.CREATED

    def _record_close(self, task: CallbackTask, outcome: str, called_at) -> None:
        """A refusal closes a task still open, as on the call page (SPEC §6); the other unsuccessful
        outcomes of imported rows record the attempt only (no retry clock, no SMS survey for calls
        made elsewhere, long ago)."""
        callback_task_finish_imported(
            task=task,
            state=TaskState.CLOSED_UNSUCCESSFUL,
            disposition=outcome,
            at=called_at,
            from_states=[TaskState.OPEN],
        )

    def _undo_close(self, task: CallbackTask, outcome: str, called_at) -> None:
        """Reopen a task this very row closed (same outcome and time), nothing else."""
        CallbackTask.objects.filter(
            pk=task.pk, state=TaskState.CLOSED_UNSUCCESSFUL, final_disposition=outcome, completed_at=called_at
        ).update(state=TaskState.OPEN, final_disposition="", completed_at=None)

    def _record_success(self, task: CallbackTask, outcome: str, answers, version, agent, called_at) -> None:
        """A successful imported call: its answers (historical rows raise no hot alert — those calls
        are long over) and the task done, unless the task already has a response / is done."""
        if task.response_id is None:
            response_record(
                task=task, version=version, answers=answers, source=ResponseSource.IMPORT, agent=agent, at=called_at
            )
        not_done = [state for state in TaskState.values if state != TaskState.DONE]
        if callback_task_finish_imported(
            task=task, state=TaskState.DONE, disposition=outcome, at=called_at, from_states=not_done
        ):
            task.state = TaskState.DONE

    def _update_row(self, task, called_at, outcome: str, note: str, agent, answers, version) -> Outcome | RowError:
        """A row imported before (same task and time): a changed note, agent, answers or outcome
        update the record (SPEC §5). A changed outcome: a refusal this row recorded is undone (the
        task it closed reopens), then the new outcome takes effect as in a new row — a success
        records its answers and the done task, a refusal closes an open task; from success to
        success the task's final disposition follows. A success cannot be withdrawn by an import —
        its response and the done task may have been worked on since — so that row is reported, for
        a correction in the system."""
        attempt = CallAttempt.objects.get(task=task, at=called_at, source=AttemptSource.IMPORT)
        changed = False
        if attempt.disposition != outcome:
            was_success = _is_success(attempt.disposition)
            if was_success and not _is_success(outcome):
                message = _("该回访已导入为成功（%(old)s），导入不能改为未成功的 %(new)s；请在系统中更正")
                return RowError("回访状态", message % {"old": attempt.disposition, "new": outcome})
            old = attempt.disposition
            attempt.disposition = outcome
            attempt.save(update_fields=["disposition"])
            changed = True
            if _closes(old):
                self._undo_close(task, old, called_at)
                task.refresh_from_db(fields=["state"])
            if not was_success and _is_success(outcome):
                self._record_success(task, outcome, answers, version, agent, called_at)
            elif _closes(outcome):
                self._record_close(task, outcome, called_at)
            elif was_success:
                CallbackTask.objects.filter(pk=task.pk, state=TaskState.DONE, final_disposition=old).update(
                    final_disposition=outcome
                )
        if (attempt.note, attempt.agent_id) != (note, agent.pk if agent else None):
            attempt.note, attempt.agent = note, agent
            attempt.save(update_fields=["note", "agent"])
            changed = True
        response = task.response if task.response_id else None
        if (
            response is not None
            and response.source == ResponseSource.IMPORT
            and response.answered_at == called_at
            and response_answers_replace(response=response, answers=answers)
        ):
            changed = True
        return Outcome.UPDATED if changed else Outcome.UNCHANGED
