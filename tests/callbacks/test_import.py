"""Import of the 回访结果 / callback_results sheet (handler called with parsed rows)."""

import datetime

import pytest
from django.utils import timezone

from callbacks.choices import TaskState
from callbacks.generation import callback_tasks_generate
from callbacks.importing import CallbackResultsSheet, parse_datetime, parse_kind
from callbacks.models import CallAttempt
from crm.importing.registry import ImportContext, Outcome, ParsedRow, RowError, handler_for_sheet_name
from tests.factories import DeliveryFactory, RepairOrderFactory

pytestmark = pytest.mark.django_db


def _row(n, **values):
    base = {"kind": "sales", "called_at": timezone.now() - datetime.timedelta(hours=1), "outcome": "无人接听"}
    base.update(values)
    return ParsedRow(row_number=n, values=base)


def test_sheet_is_registered():
    assert isinstance(handler_for_sheet_name("回访结果"), CallbackResultsSheet)


def test_rows_become_attempts_idempotently(store_a, agent):
    delivery = DeliveryFactory(store=store_a, delivery_no="XS1")
    ro = RepairOrderFactory(store=store_a, ro_no="WX1")
    callback_tasks_generate()
    at = parse_datetime("2026-11-20 10:30")
    rows = [
        _row(2, source_no="XS1", called_at=at, outcome="无人接听", agent=agent.username),
        _row(3, source_no="XS1", called_at=at + datetime.timedelta(hours=3), outcome="成功", Q0="9", agent="外包坐席"),
        _row(4, kind=parse_kind("售后"), source_no="WX1", called_at=at, outcome="拒访"),
    ]
    handler = CallbackResultsSheet()
    ctx = ImportContext(default_store=store_a)
    assert set(handler.import_batch(rows, ctx).values()) == {Outcome.CREATED}
    assert set(handler.import_batch(rows, ctx).values()) == {Outcome.UNCHANGED}
    assert CallAttempt.objects.count() == 3
    sales = delivery.callback_task
    sales.refresh_from_db()
    assert sales.state == TaskState.DONE and sales.final_disposition == "成功"
    assert CallAttempt.objects.get(task=sales, disposition="成功").note.startswith("[外包坐席]")
    assert CallAttempt.objects.get(task=sales, disposition="无人接听").agent == agent
    assert ro.callback_task_link.task.attempts.get().disposition == "拒访"


def test_bad_rows_are_reported(store_a, store_b):
    DeliveryFactory(store=store_a, delivery_no="XS1")
    DeliveryFactory(store=store_b, delivery_no="XS9")
    callback_tasks_generate()
    rows = [
        _row(2, source_no="NOPE"),
        _row(3, source_no="XS9"),  # another store's number
        _row(4, source_no="XS1", outcome="聊天"),
        _row(5, source_no="XS1", outcome="成功", Q0="11"),
        _row(6, source_no="XS1", outcome="成功", Q0="很好"),
        _row(7, source_no="XS1", outcome="成功"),
    ]
    result = CallbackResultsSheet().import_batch(rows, ImportContext(default_store=store_a))
    assert all(isinstance(r, RowError) for r in result.values())
    assert [result[n].column for n in range(2, 8)] == ["单号", "单号", "回访状态", "Q0", "Q0", "Q0"]
    assert not CallAttempt.objects.exists()


def test_a_changed_outcome_updates_the_row_except_withdrawing_a_success(store_a, agent):
    from surveys.models import Response

    DeliveryFactory(store=store_a, delivery_no="XS1")
    DeliveryFactory(store=store_a, delivery_no="XS2")
    callback_tasks_generate()
    at = parse_datetime("2026-11-20 10:30")
    handler, ctx = CallbackResultsSheet(), ImportContext(default_store=store_a)

    def run(**values):
        return handler.import_batch([_row(2, called_at=at, **values)], ctx)[2]

    # One unsuccessful kind to another: the attempt changes, the task stays open.
    assert run(source_no="XS1", outcome="无人接听") == Outcome.CREATED
    assert run(source_no="XS1", outcome="关机") == Outcome.UPDATED
    attempt = CallAttempt.objects.get(task__delivery__delivery_no="XS1")
    assert attempt.disposition == "关机" and attempt.task.state == TaskState.OPEN
    # Unsuccessful to success: recorded as a new success row would be.
    assert run(source_no="XS1", outcome="成功", Q0="9") == Outcome.UPDATED
    attempt.task.refresh_from_db()
    assert attempt.task.state == TaskState.DONE and attempt.task.final_disposition == "成功"
    assert Response.objects.get(pk=attempt.task.response_id).overall_score == 9
    assert run(source_no="XS1", outcome="成功", Q0="9") == Outcome.UNCHANGED
    # Success to success: the task's final disposition follows.
    assert run(source_no="XS1", outcome="短信回复", Q0="9") == Outcome.UPDATED
    attempt.task.refresh_from_db()
    assert attempt.task.final_disposition == "短信回复"
    # Success to unsuccessful: refused with its reason; nothing changes.
    error = run(source_no="XS1", outcome="拒访")
    assert isinstance(error, RowError) and error.column == "回访状态"
    attempt.refresh_from_db()
    assert attempt.disposition == "短信回复" and CallAttempt.objects.filter(task=attempt.task).count() == 1


def test_an_imported_refusal_closes_an_open_task_and_a_changed_outcome_reopens_it(store_a):
    DeliveryFactory(store=store_a, delivery_no="XS1")
    callback_tasks_generate()
    at = parse_datetime("2026-11-20 10:30")
    handler, ctx = CallbackResultsSheet(), ImportContext(default_store=store_a)

    def run(outcome, **answers):
        result = handler.import_batch([_row(2, source_no="XS1", called_at=at, outcome=outcome, **answers)], ctx)[2]
        task = CallAttempt.objects.get().task
        return result, task.state, task.final_disposition

    assert run("拒访") == (Outcome.CREATED, TaskState.CLOSED_UNSUCCESSFUL, "拒访")  # nobody calls again
    assert run("拒访") == (Outcome.UNCHANGED, TaskState.CLOSED_UNSUCCESSFUL, "拒访")
    assert run("无人接听") == (Outcome.UPDATED, TaskState.OPEN, "")  # the refusal this row made, undone
    assert run("拒访") == (Outcome.UPDATED, TaskState.CLOSED_UNSUCCESSFUL, "拒访")
    assert run("成功", Q0="8") == (Outcome.UPDATED, TaskState.DONE, "成功")


def test_an_upload_without_a_store_matches_only_the_users_stores_tasks(store_a, store_b, agent):
    """IDOR: with no store chosen, a store-level user's file naming another store's delivery number
    does not reach that store's task."""
    DeliveryFactory(store=store_b, delivery_no="XS9")
    DeliveryFactory(store=store_a, delivery_no="XS1")
    callback_tasks_generate()
    rows = [_row(2, source_no="XS9", outcome="拒访"), _row(3, source_no="XS1", outcome="拒访")]
    result = CallbackResultsSheet().import_batch(rows, ImportContext(default_store=None, user=agent))
    assert isinstance(result[2], RowError) and result[2].column == "单号"
    assert result[3] == Outcome.CREATED
    assert list(CallAttempt.objects.values_list("task__store", flat=True)) == [store_a.pk]


def test_the_callbacks_service_applies_an_imported_result_by_its_disposition_rule(store_a):
    """The sheet hands each row to callbacks.result_import.callback_result_import, which owns the effect."""
    from django.core.exceptions import ValidationError

    from callbacks.result_import import callback_result_import

    delivery = DeliveryFactory(store=store_a, delivery_no="XS1")
    callback_tasks_generate()
    task = delivery.callback_task
    at = parse_datetime("2026-11-20 10:30")

    def record(disposition, when, answers=None):
        return callback_result_import(
            task=task, disposition=disposition, at=when, agent=None, note="", answers=answers or {}, version=None
        )

    assert record("无人接听", at) == Outcome.CREATED
    task.refresh_from_db()
    # A call made elsewhere, long ago: no retry clock, no SMS survey, the task still open.
    assert (task.state, task.failed_attempts, task.next_attempt_at) == (TaskState.OPEN, 0, None)
    later = at + datetime.timedelta(hours=2)
    assert record("成功", later, {"Q0": "9"}) == Outcome.CREATED
    task.refresh_from_db()
    assert (task.state, task.final_disposition, task.completed_at, task.overall_score) == (
        TaskState.DONE,
        "成功",
        later,
        9,
    )
    with pytest.raises(ValidationError):
        record("拒访", later)  # an imported success is not withdrawn by an import
    assert record("成功", later, {"Q0": "9"}) == Outcome.UNCHANGED
