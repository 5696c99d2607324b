"""The 投诉 / complaints sheet of the DMS import (SPEC §5): historical complaints.

A case keeps its 受理编号; its state follows from the times given (完结时间 → closed, 部门反馈时间
or 首次联系时间 → in progress, 责任部门 → dispatched, else new). Idempotent: the same row twice
changes nothing; a changed row updates its case.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from complaints.calendar import policy_for_store, sla_deadlines
from complaints.choices import Action, CaseState, Category, Channel, FinalResult, Level
from complaints.models import Case, CaseEvent
from crm.choices import DepartmentKind
from crm.importing.parsers import datetime as parse_datetime
from crm.importing.registry import CellError, Column, ImportContext, Outcome, ParsedRow, RowError, SheetHandler
from crm.models import Customer, Department, Vehicle
from crm.scoping import user_can_see_store
from crm.validators import validate_mobile


def _by_label(choices) -> Any:
    lookup = {str(label): value for value, label in choices.choices} | {value: value for value in choices.values}

    def parse(value: Any) -> str:
        text = str(value or "").strip()
        if not text:
            return ""
        if text in lookup:
            return lookup[text]
        if choices is Level and text[:1].upper() in lookup:
            return text[:1].upper()
        raise CellError(f"无效的取值：{text}")

    return parse


def _department_kind(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    for kind, label in DepartmentKind.choices:
        if text in (kind, str(label)):
            return kind
    raise CellError(f"未知的部门：{text}")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


class ComplaintSheet(SheetHandler):
    key = "complaints"
    zh_name = "投诉"
    order = 300
    batch_size = 500
    columns = (
        Column("case_no", "受理编号", required=True, parse=_text, field=(Case, "case_no")),
        Column("received_at", "受理时间", required=True, parse=parse_datetime),
        Column("customer_name", "客户姓名", required=True, parse=_text, field=(Customer, "name")),
        Column("mobile", "手机", required=True, parse=_text, field=(Customer, "mobile")),
        Column("vin", "车架号", parse=_text),
        Column("channel", "渠道", required=True, parse=_by_label(Channel)),
        Column("category", "投诉类别", required=True, parse=_by_label(Category)),
        Column("level", "投诉等级", parse=_by_label(Level)),
        Column("content", "投诉内容", required=True, parse=_text),
        Column("demand", "客户要求", parse=_text),
        Column("department", "责任部门", parse=_department_kind),
        Column("first_contact_at", "首次联系时间", parse=parse_datetime),
        Column("feedback_at", "部门反馈时间", parse=parse_datetime),
        Column("closed_at", "完结时间", parse=parse_datetime),
        Column("result", "处理结果", parse=_text),
    )

    def import_batch(self, rows: list[ParsedRow], ctx: ImportContext) -> dict[int, Outcome | RowError]:
        results: dict[int, Outcome | RowError] = {}
        for row in rows:
            try:
                with transaction.atomic():
                    results[row.row_number] = self._import_row(row.values, ctx)
            except _RowProblem as problem:
                results[row.row_number] = RowError(problem.column, problem.reason)
        return results

    def _import_row(self, values: dict[str, Any], ctx: ImportContext) -> Outcome:
        store = ctx.default_store
        if store is None:
            raise _RowProblem("", "未指定门店（--store）")
        if ctx.user is not None and not user_can_see_store(ctx.user, store.pk):
            raise _RowProblem("", "无权导入该门店的数据")
        try:
            validate_mobile(values["mobile"])
        except ValidationError:
            raise _RowProblem("手机", "手机号格式错误") from None
        customer = Customer.objects.filter(store=store, mobile=values["mobile"], name=values["customer_name"]).first()
        if customer is None:
            customer = Customer.objects.create(store=store, mobile=values["mobile"], name=values["customer_name"])
        # A VIN names a vehicle of this store only: a file must not attach another store's vehicle.
        vehicle = Vehicle.objects.filter(vin=values["vin"], store=store).first() if values.get("vin") else None
        fields = self._case_fields(values, store, customer, vehicle)
        case = Case.objects.select_for_update().filter(case_no=values["case_no"]).first()
        if case is None:
            case = Case.objects.create(case_no=values["case_no"], **fields)
            CaseEvent.objects.create(case=case, at=timezone.now(), action=Action.IMPORT, memo="导入历史投诉")
            ctx.touch(self.key, case.pk)
            return Outcome.CREATED
        if case.store_id != store.pk:
            raise _RowProblem("受理编号", "该受理编号属于其他门店")
        changes = [
            {"field": k, "old": str(getattr(case, k)), "new": str(v)}
            for k, v in fields.items()
            if getattr(case, k) != v
        ]
        if not changes:
            return Outcome.UNCHANGED
        for name, value in fields.items():
            setattr(case, name, value)
        case.save()
        CaseEvent.objects.create(case=case, at=timezone.now(), action=Action.IMPORT, memo="导入更新", changes=changes)
        ctx.touch(self.key, case.pk)
        return Outcome.UPDATED

    def _case_fields(self, values, store, customer, vehicle) -> dict[str, Any]:
        received = values["received_at"]
        policy = policy_for_store(store.pk)
        dispatch_due, warn_at, due_at = sla_deadlines(
            policy=policy,
            start=received,
            minutes=[policy.dispatch_minutes, policy.first_contact_warning_minutes, policy.first_contact_minutes],
        )
        department = None
        if values.get("department"):
            department, _created = Department.objects.get_or_create(store=store, kind=values["department"])
        state = CaseState.NEW
        if values.get("closed_at"):
            state = CaseState.CLOSED
        elif values.get("feedback_at") or values.get("first_contact_at"):
            state = CaseState.IN_PROGRESS
        elif department is not None:
            state = CaseState.DISPATCHED
        result = values.get("result") or ""
        final = next((v for v, label in FinalResult.choices if str(label) == result), "")
        return {
            "store": store,
            "customer": customer,
            "vehicle": vehicle,
            "channel": values["channel"],
            "category": values["category"],
            "level": values.get("level") or Level.D,
            "content": values["content"],
            "demand": values.get("demand") or "",
            "department": department,
            "state": state,
            "received_at": received,
            "first_contact_at": values.get("first_contact_at"),
            "feedback_at": values.get("feedback_at"),
            "closed_at": values.get("closed_at"),
            "final_result": final,
            "result_detail": "" if final else result,
            "dispatch_due_at": dispatch_due,
            "first_contact_warn_at": warn_at,
            "first_contact_due_at": due_at,
        }


class _RowProblem(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column, self.reason = column, reason
