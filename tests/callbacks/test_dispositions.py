"""Each disposition's effect (SPEC §6 table), retry gap, SMS after the last failure, expiry."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callbacks.choices import DISPOSITION_RULES, NOT_CALLED, Bucket, Disposition, Effect, TaskState
from callbacks.models import CallAttempt, CallbackTask, DataFixRecord
from callbacks.services import callback_attempt_record, callback_tasks_expire
from tests.callbacks.factories import SalesTaskFactory

pytestmark = pytest.mark.django_db


def test_rule_table_covers_every_disposition_with_spec_buckets():
    assert set(DISPOSITION_RULES) == set(Disposition)
    assert DISPOSITION_RULES[Disposition.REFUSED_SURVEY].effect == Effect.CLOSE_UNSUCCESSFUL
    assert DISPOSITION_RULES[Disposition.REJECTED_CALL].bucket == Bucket.REFUSED
    assert DISPOSITION_RULES[Disposition.REJECTED_CALL].effect == Effect.FAILED_ATTEMPT
    unreachable = {d for d, r in DISPOSITION_RULES.items() if r.bucket == Bucket.UNREACHABLE}
    assert unreachable == {"无法接通", "关机", "停机", "占线", "呼入限制"}
    hotkeys = [r.hotkey for r in DISPOSITION_RULES.values() if r.hotkey]
    assert len(hotkeys) == len(set(hotkeys))


@pytest.mark.parametrize(
    "disposition",
    [d for d, r in DISPOSITION_RULES.items() if r.effect == Effect.FAILED_ATTEMPT],
)
def test_failed_attempt_waits_the_retry_gap(store_a, agent, disposition):
    task = SalesTaskFactory(delivery__store=store_a, claimed_by=agent)
    now = timezone.now()
    callback_attempt_record(task=task, user=agent, disposition=disposition, at=now)
    task.refresh_from_db()
    assert task.state == TaskState.OPEN
    assert task.failed_attempts == 1
    assert task.next_attempt_at == now + datetime.timedelta(hours=2)
    # The caller keeps the claim for the idle timeout, so a second open page cannot record again.
    assert task.claimed_by == agent


def test_reschedule_requires_time_and_sets_appointment(store_a, agent):
    task = SalesTaskFactory(delivery__store=store_a)
    with pytest.raises(ValidationError):
        callback_attempt_record(task=task, user=agent, disposition=Disposition.BUSY_APPOINTMENT)
    assert not CallAttempt.objects.exists()
    at = timezone.now() + datetime.timedelta(hours=3)
    callback_attempt_record(task=task, user=agent, disposition=Disposition.NOT_PERSON_APPOINTMENT, appointment_at=at)
    task.refresh_from_db()
    assert task.state == TaskState.OPEN and task.appointment_at == at


def test_refusal_closes_unsuccessful(store_a, agent):
    task = SalesTaskFactory(delivery__store=store_a)
    callback_attempt_record(task=task, user=agent, disposition=Disposition.REFUSED_SURVEY, note="不需要")
    task.refresh_from_db()
    assert task.state == TaskState.CLOSED_UNSUCCESSFUL
    assert task.final_disposition == "拒访"
    with pytest.raises(ValidationError):
        callback_attempt_record(task=task, user=agent, disposition=Disposition.NO_ANSWER)


@pytest.mark.parametrize("disposition", [Disposition.EMPTY_NUMBER, Disposition.WRONG_NUMBER])
def test_wrong_number_goes_to_data_fix_and_flags_phone(store_a, agent, disposition):
    task = SalesTaskFactory(delivery__store=store_a)
    callback_attempt_record(task=task, user=agent, disposition=disposition)
    task.refresh_from_db()
    assert task.state == TaskState.DATA_FIX
    assert task.customer.mobile_invalid
    fix = DataFixRecord.objects.get()
    assert fix.wrong_number == task.customer.mobile and fix.reported_by == agent


def test_success_requires_overall_answer(store_a, agent):
    task = SalesTaskFactory(delivery__store=store_a)
    with pytest.raises(ValidationError):
        callback_attempt_record(task=task, user=agent, disposition=Disposition.SUCCESS)


def test_unknown_disposition_is_rejected(store_a, agent):
    task = SalesTaskFactory(delivery__store=store_a)
    with pytest.raises(ValidationError):
        callback_attempt_record(task=task, user=agent, disposition="聊天")


def test_sms_survey_enqueued_once_after_fourth_failure(store_a, agent, django_capture_on_commit_callbacks):
    task = SalesTaskFactory(delivery__store=store_a)
    now = timezone.now()
    from callbacks.tasks import callback_sms_survey_send

    with mock.patch("callbacks.services.enqueue_on_commit") as enqueue:
        for i in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                callback_attempt_record(
                    task=task, user=agent, disposition=Disposition.NO_ANSWER, at=now + datetime.timedelta(hours=3 * i)
                )
        enqueue.assert_not_called()
        with django_capture_on_commit_callbacks(execute=True):
            callback_attempt_record(
                task=task, user=agent, disposition=Disposition.POWERED_OFF, at=now + datetime.timedelta(hours=9)
            )
        enqueue.assert_called_once_with(callback_sms_survey_send.name, task.pk)


def test_expiry_closes_with_last_disposition_or_not_called(store_a, agent):
    now = timezone.now()
    called = SalesTaskFactory(delivery__store=store_a)
    callback_attempt_record(
        task=called, user=agent, disposition=Disposition.BUSY_LINE, at=now - datetime.timedelta(days=2)
    )
    callback_attempt_record(
        task=called, user=agent, disposition=Disposition.NO_ANSWER, at=now - datetime.timedelta(days=1)
    )
    never = SalesTaskFactory(delivery__store=store_a)
    still_open = SalesTaskFactory(delivery__store=store_a, window_closes_at=now + datetime.timedelta(days=5))
    CallbackTask.objects.filter(pk__in=[called.pk, never.pk]).update(
        window_closes_at=now - datetime.timedelta(minutes=1)
    )
    assert callback_tasks_expire(now=now) == 2
    assert callback_tasks_expire(now=now) == 0  # safe to run twice
    called.refresh_from_db()
    never.refresh_from_db()
    still_open.refresh_from_db()
    assert (called.state, called.final_disposition) == (TaskState.CLOSED_UNSUCCESSFUL, "无人接听")
    assert (never.state, never.final_disposition) == (TaskState.CLOSED_UNSUCCESSFUL, NOT_CALLED)
    assert still_open.state == TaskState.OPEN


def test_success_with_grumble_raises_hot_alert_that_needs_a_note(store_a, agent, cr_manager):
    from callbacks.hot_alerts import hot_alert_close
    from callbacks.models import HotAlert

    task = SalesTaskFactory(delivery__store=store_a)
    callback_attempt_record(
        task=task, user=agent, disposition=Disposition.SUCCESS, answers={"overall": 8}, grumble=True
    )
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.has_grumble
    alert = HotAlert.objects.get(task=task)
    with pytest.raises(ValidationError):
        hot_alert_close(alert=alert, user=cr_manager, note="  ")
    hot_alert_close(alert=alert, user=cr_manager, note="已致电安抚")
    alert.refresh_from_db()
    assert alert.closed_by == cr_manager and alert.close_note == "已致电安抚"
    with pytest.raises(ValidationError):
        hot_alert_close(alert=alert, user=cr_manager, note="again")


def test_success_without_grumble_raises_no_alert(store_a, agent):
    from callbacks.models import HotAlert

    task = SalesTaskFactory(delivery__store=store_a)
    callback_attempt_record(task=task, user=agent, disposition=Disposition.SUCCESS, answers={"overall": 10})
    assert not HotAlert.objects.exists()
