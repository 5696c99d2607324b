"""One workbook with deliveries, repair orders and the 回访结果 of those same orders (SPEC §5): the
callback tasks are generated before the results are read, whatever the order of the sheets, so
everything imports on the first run and the second run changes nothing."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from callbacks.choices import CallbackKind, TaskState
from callbacks.importing import CallbackResultsSheet
from callbacks.models import CallAttempt, CallbackTask
from crm.importing.runner import import_file
from surveys.models import Response
from tests.crm.dms_files import VIN_2, delivery_row, ro_row, write_workbook

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_clock():
    # Task windows and the import's "now" come from the clock: a fixed day a few days after the
    # orders, whatever hour the suite runs.
    with time_machine.travel(dt.datetime(2026, 10, 26, 11, 0, tzinfo=SHANGHAI), tick=False):
        yield


SHEET_ORDERS = {"results_first": ("回访结果", "交车", "工单"), "results_last": ("交车", "工单", "回访结果")}


def _result(kind: str, source_no: str, called_at: dt.datetime, outcome: str, **answers) -> dict:
    return {"回访类型": kind, "单号": source_no, "回访时间": called_at, "回访专员": "", "回访状态": outcome, **answers}


def _workbook(path, sheet_order):
    sheets = {
        "交车": [
            delivery_row(),
            delivery_row(销售协议号="XS2026100002", 客户姓名="李娜", 手机="13912345678", 身份证号="", 车架号=VIN_2),
        ],
        "工单": [
            ro_row(),
            ro_row(工单号="WX2026100002", 车架号=VIN_2, 客户姓名="李娜", 手机="13912345678"),
        ],
        "回访结果": [
            _result("销售", "XS2026100001", dt.datetime(2026, 10, 7, 10, 0), "无人接听"),
            _result("销售", "XS2026100001", dt.datetime(2026, 10, 7, 15, 0), "成功", Q0=10),
            _result("销售", "XS2026100002", dt.datetime(2026, 10, 8, 10, 0), "拒访"),
            _result("售后", "WX2026100001", dt.datetime(2026, 10, 22, 10, 0), "成功", Q1=9),
            _result("售后", "WX2026100002", dt.datetime(2026, 10, 22, 11, 0), "拒访"),
        ],
    }
    headers = {"回访结果": ["回访类型", "单号", "回访时间", "回访专员", "回访状态", "Q0", "Q1", "备注"]}
    return write_workbook(path, {name: sheets[name] for name in sheet_order}, headers=headers)


def _state():
    """Everything the import may write for callbacks, to compare two runs."""
    return {
        "tasks": list(CallbackTask.objects.order_by("id").values()),
        "attempts": list(CallAttempt.objects.order_by("id").values()),
        "responses": list(Response.objects.order_by("id").values("id", "answered_at", "source")),
    }


def _task_states():
    by_source = {}
    for task in CallbackTask.objects.select_related("delivery").prefetch_related("merged_repair_orders"):
        if task.kind == CallbackKind.SALES:
            by_source[task.delivery.delivery_no] = (task.state, task.final_disposition)
        else:
            for ro in task.merged_repair_orders.all():
                by_source[ro.ro_no] = (task.state, task.final_disposition)
    return by_source


def _counts(result, key):
    return {k: v for k, v in result.summary()[key].items() if k not in ("name", "warnings")}


@pytest.mark.parametrize("sheet_order", SHEET_ORDERS.values(), ids=SHEET_ORDERS.keys())
def test_results_of_orders_in_the_same_workbook_import_on_the_first_run(tmp_path, store_a, sheet_order):
    path = _workbook(tmp_path / "dms.xlsx", sheet_order)

    first = import_file(path)

    assert first.problems == []
    assert _counts(first, "deliveries") == {"created": 2, "updated": 0, "unchanged": 0, "errors": 0}
    assert _counts(first, "repair_orders") == {"created": 2, "updated": 0, "unchanged": 0, "errors": 0}
    assert _counts(first, "callback_results") == {"created": 5, "updated": 0, "unchanged": 0, "errors": 0}
    assert _task_states() == {
        "XS2026100001": (TaskState.DONE, "成功"),
        "XS2026100002": (TaskState.CLOSED_UNSUCCESSFUL, "拒访"),
        "WX2026100001": (TaskState.DONE, "成功"),
        "WX2026100002": (TaskState.CLOSED_UNSUCCESSFUL, "拒访"),
    }
    assert CallAttempt.objects.count() == 5
    assert Response.objects.count() == 2
    answered = CallbackTask.objects.filter(response__isnull=False)
    assert sorted(answered.values_list("state", "overall_score")) == [(TaskState.DONE, 9), (TaskState.DONE, 10)]
    before = _state()

    second = import_file(path)

    assert second.problems == []
    for key, rows in (("deliveries", 2), ("repair_orders", 2), ("callback_results", 5)):
        assert _counts(second, key) == {"created": 0, "updated": 0, "unchanged": rows, "errors": 0}
    assert _state() == before


@pytest.mark.parametrize("sheet_order", SHEET_ORDERS.values(), ids=SHEET_ORDERS.keys())
def test_import_dms_reports_every_row_created_then_unchanged(tmp_path, store_a, sheet_order):
    path = _workbook(tmp_path / "dms.xlsx", sheet_order)

    def run() -> tuple[list[str], str]:
        out, err = io.StringIO(), io.StringIO()
        call_command("import_dms", str(path), stdout=out, stderr=err)
        return sorted(out.getvalue().splitlines()), err.getvalue()

    assert run() == (
        [
            "callback_results: created 5, updated 0, unchanged 0, errors 0",
            "deliveries: created 2, updated 0, unchanged 0, errors 0",
            "repair_orders: created 2, updated 0, unchanged 0, errors 0",
        ],
        "",
    )
    counts = (CallbackTask.objects.count(), CallAttempt.objects.count(), Response.objects.count())
    assert counts == (4, 5, 2)
    assert run() == (
        [
            "callback_results: created 0, updated 0, unchanged 5, errors 0",
            "deliveries: created 0, updated 0, unchanged 2, errors 0",
            "repair_orders: created 0, updated 0, unchanged 2, errors 0",
        ],
        "",
    )
    assert (CallbackTask.objects.count(), CallAttempt.objects.count(), Response.objects.count()) == counts


def test_a_rerun_after_a_crash_in_the_results_sheet_imports_them(tmp_path, store_a, monkeypatch):
    path = _workbook(tmp_path / "dms.xlsx", SHEET_ORDERS["results_first"])

    def dying(self, rows, ctx):
        raise RuntimeError("the worker died")

    with monkeypatch.context() as patch:
        patch.setattr(CallbackResultsSheet, "import_batch", dying)
        with pytest.raises(RuntimeError):
            import_file(path)
    # The orders and their tasks were committed before the results sheet was read.
    assert CallbackTask.objects.count() == 4 and not CallAttempt.objects.exists()

    result = import_file(path)

    assert _counts(result, "callback_results") == {"created": 5, "updated": 0, "unchanged": 0, "errors": 0}
    assert CallbackTask.objects.filter(state=TaskState.OPEN).count() == 0
