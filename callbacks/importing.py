"""The 回访结果 / callback_results sheet of the DMS import (SPEC §5).

Each row is checked here (its outcome, its task of the same kind and source number in the store,
its answers against the questionnaire) and recorded by `callbacks.result_import.callback_result_import`,
which applies the outcome's effect from the table the call page uses: a success (成功 / 短信回复)
closes the task as done, a refusal (拒访) closes an open task unsuccessful. Re-importing is
harmless: an imported attempt is unique by (task, called_at), and a row imported before updates it.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from callbacks.choices import DISPOSITION_RULES, CallbackKind, Effect
from callbacks.models import CallbackTask
from callbacks.result_import import callback_result_import
from crm.importing.parsers import datetime as parse_datetime  # the importer's one date-time rule
from crm.importing.registry import CellError, Column, ImportContext, Outcome, ParsedRow, RowError, SheetHandler
from crm.models import User
from crm.scoping import scope_for_user
from surveys.selectors import template_current_version
from surveys.services import answers_validate

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


def _records_answers(outcome: str) -> bool:
    """An outcome whose effect stores the questionnaire (成功 / 短信回复)."""
    return DISPOSITION_RULES[outcome].effect == Effect.DONE


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
        if not _records_answers(outcome):
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
        """The row through the service that owns the task's state machine (callbacks.services)."""
        agent_name = str(v.get("agent") or "").strip()
        agent = users.get(agent_name)
        note = str(v.get("note") or "")
        if agent_name and agent is None:
            note = f"[{agent_name}] {note}".strip()  # an unknown agent is kept as text
        try:
            return callback_result_import(
                task=task,
                disposition=outcome,
                at=v["called_at"],
                agent=agent,
                note=note,
                answers=answers,
                version=version,
            )
        except ValidationError as exc:
            return RowError("回访状态", "；".join(exc.messages))
