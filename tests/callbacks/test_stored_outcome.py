"""The task's stored outcome (last disposition and bucket, issue 11 item 1): every effect of an
outcome — a call, an SMS reply, an imported row, expiry, a data fix — leaves what the reports count
the task by, through one service (callbacks.services.callback_task_outcome_refresh); the data
migration fills it from the attempts by the same rule; callbacks, not surveys, links the response."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from callbacks.choices import NOT_CALLED, Bucket, Disposition, TaskState
from callbacks.models import CallAttempt, CallbackTask
from callbacks.result_import import callback_result_import
from callbacks.services import (
    callback_attempt_record,
    callback_task_outcome_refresh,
    callback_tasks_expire,
    data_fix_record,
)
from tests.callbacks.factories import SalesTaskFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def _stored(task) -> tuple[str, str, str]:
    task.refresh_from_db()
    return task.state, task.last_disposition, task.last_bucket


@pytest.fixture
def task(store_a):
    with time_machine.travel(NOW, tick=False):
        return SalesTaskFactory(delivery__store=store_a)


def test_a_new_task_has_no_outcome(task):
    assert _stored(task) == (TaskState.OPEN, "", "")


def test_call_page_attempts_store_the_latest_disposition_and_its_bucket(task, agent):
    with time_machine.travel(NOW, tick=False):
        callback_attempt_record(task=task, user=agent, disposition=Disposition.NO_ANSWER)
        assert _stored(task) == (TaskState.OPEN, "无人接听", Bucket.NO_ANSWER)
        callback_attempt_record(task=task, user=agent, disposition=Disposition.POWERED_OFF, at=NOW)
        assert _stored(task) == (TaskState.OPEN, "关机", Bucket.UNREACHABLE)
        callback_attempt_record(task=task, user=agent, disposition=Disposition.REFUSED_SURVEY, at=NOW)
    assert _stored(task) == (TaskState.CLOSED_UNSUCCESSFUL, "拒访", Bucket.REFUSED)


def test_a_success_stores_its_bucket_and_callbacks_links_the_response(task, agent):
    with time_machine.travel(NOW, tick=False):
        callback_attempt_record(task=task, user=agent, disposition=Disposition.SUCCESS, answers={"overall": 7})
    assert _stored(task) == (TaskState.DONE, "成功", Bucket.SUCCESS)
    assert task.response is not None and task.overall_score == task.response.overall_score == 7


def test_wrong_number_then_data_fix_keeps_the_bucket_and_closes_past_the_window(task, agent, cr_manager):
    with time_machine.travel(NOW, tick=False):
        callback_attempt_record(task=task, user=agent, disposition=Disposition.EMPTY_NUMBER)
    assert _stored(task) == (TaskState.DATA_FIX, "空号", Bucket.WRONG_NUMBER)
    record = task.data_fixes.get()
    later = task.window_closes_at + datetime.timedelta(hours=1)
    data_fix_record(record=record, user=cr_manager, corrected_mobile="13900000001", now=later)
    assert _stored(task) == (TaskState.CLOSED_UNSUCCESSFUL, "空号", Bucket.WRONG_NUMBER)


def test_expiry_stores_the_last_disposition_or_none_for_not_called(store_a, agent):
    with time_machine.travel(NOW, tick=False):
        called, never = SalesTaskFactory(delivery__store=store_a), SalesTaskFactory(delivery__store=store_a)
        callback_attempt_record(task=called, user=agent, disposition=Disposition.BUSY_LINE)
    after = called.window_closes_at + datetime.timedelta(minutes=1)
    assert callback_tasks_expire(now=after) == 2
    assert _stored(called) == (TaskState.CLOSED_UNSUCCESSFUL, "占线", Bucket.UNREACHABLE)
    assert _stored(never) == (TaskState.CLOSED_UNSUCCESSFUL, "", "")
    assert never.final_disposition == NOT_CALLED


def test_an_sms_reply_stores_the_success(task):
    with time_machine.travel(NOW, tick=False):
        callback_attempt_record(task=task, user=None, disposition=Disposition.SMS_REPLY, answers={"Q0": 9})
    assert _stored(task) == (TaskState.DONE, "短信回复", Bucket.SUCCESS)


def test_an_imported_row_older_than_a_call_leaves_the_latest_disposition(task, agent):
    with time_machine.travel(NOW, tick=False):
        callback_attempt_record(task=task, user=agent, disposition=Disposition.NO_ANSWER)
    earlier = NOW - datetime.timedelta(hours=5)
    callback_result_import(
        task=task, disposition=Disposition.BUSY_LINE, at=earlier, agent=None, note="", answers={}, version=None
    )
    assert _stored(task) == (TaskState.OPEN, "无人接听", Bucket.NO_ANSWER)
    callback_result_import(
        task=task, disposition=Disposition.REFUSED_SURVEY, at=earlier, agent=None, note="", answers={}, version=None
    )  # the same row, now a refusal: it closes the task, whose final disposition decides
    assert _stored(task) == (TaskState.CLOSED_UNSUCCESSFUL, "拒访", Bucket.REFUSED)


def test_the_refresh_and_the_data_migration_apply_one_rule(store_a, agent):
    """Tasks written around the services (a bulk load, rows before the fields existed) get their
    outcome from the data migration exactly as the service stores it."""
    now = timezone.now()
    tasks = [SalesTaskFactory(delivery__store=store_a) for _ in range(4)]
    open_task, closed, not_called, done = tasks
    for task, dispositions in ((open_task, ["关机", "无人接听"]), (closed, ["占线", "拒访"]), (done, ["成功"])):
        for i, disposition in enumerate(dispositions):
            CallAttempt.objects.create(
                task=task, agent=agent, at=now + datetime.timedelta(minutes=i), disposition=disposition
            )
    CallbackTask.objects.filter(pk=closed.pk).update(state=TaskState.CLOSED_UNSUCCESSFUL, final_disposition="拒访")
    CallbackTask.objects.filter(pk=not_called.pk).update(
        state=TaskState.CLOSED_UNSUCCESSFUL, final_disposition=NOT_CALLED
    )
    CallbackTask.objects.filter(pk=done.pk).update(state=TaskState.DONE, final_disposition="成功")
    expected = {
        open_task.pk: ("无人接听", Bucket.NO_ANSWER),
        closed.pk: ("拒访", Bucket.REFUSED),
        not_called.pk: ("", ""),
        done.pk: ("成功", Bucket.SUCCESS),
    }

    def stored():
        return {t.pk: (t.last_disposition, t.last_bucket) for t in CallbackTask.objects.all()}

    migration = importlib.import_module("callbacks.migrations.0007_fill_task_last_disposition")
    migration.fill(apps, None)
    assert stored() == expected
    CallbackTask.objects.update(last_disposition="", last_bucket="")
    assert callback_task_outcome_refresh(task_ids=[t.pk for t in tasks]) == 4
    assert stored() == expected
