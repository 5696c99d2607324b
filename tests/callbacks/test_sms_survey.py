"""The SMS survey after the fourth failed attempt, and the reply that closes the task (SPEC §6, §10)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from callbacks.choices import AttemptSource, Disposition, TaskState
from callbacks.services import callback_attempt_record, callback_tasks_expire
from callbacks.sms import callback_sms_survey_send as callback_task_sms_survey_send
from callbacks.tasks import callback_sms_fallback_sweep
from crm.sms import services as sms_services
from crm.sms.choices import SmsStatus
from crm.sms.models import SmsMessage
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import RepairOrderFactory

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


@pytest.fixture
def sales_task(store_a):
    with time_machine.travel(DAY, tick=False):
        return SalesTaskFactory(
            delivery__store=store_a, delivery__customer__name="张伟", delivery__customer__mobile="13912345678"
        )


def _fail(task, agent, at, capture):
    with time_machine.travel(at, tick=False), capture(execute=True):
        callback_attempt_record(task=task, user=agent, disposition=Disposition.NO_ANSWER, at=at)


def test_fourth_failure_sends_survey_once_fifth_does_not(sales_task, agent, django_capture_on_commit_callbacks):
    for i in range(3):
        _fail(sales_task, agent, DAY + datetime.timedelta(hours=2 * i), django_capture_on_commit_callbacks)
    assert not SmsMessage.objects.exists()
    _fail(sales_task, agent, DAY + datetime.timedelta(hours=6), django_capture_on_commit_callbacks)
    msg = SmsMessage.objects.get()
    assert msg.reason == "callback_survey" and msg.related_key == f"callback_task:{sales_task.pk}"
    assert msg.status == SmsStatus.SENT  # 15:00, not quiet: sent on commit by the dev backend
    assert msg.body.startswith("尊敬的张先生") and "1-10分" in msg.body and sales_task.store.name in msg.body
    sales_task.refresh_from_db()
    assert sales_task.sms_survey_sent_at == DAY + datetime.timedelta(hours=6)
    _fail(sales_task, agent, DAY + datetime.timedelta(hours=8), django_capture_on_commit_callbacks)
    assert SmsMessage.objects.count() == 1
    # The sweep and a repeated task call change nothing either.
    assert callback_sms_fallback_sweep() == 0
    assert callback_task_sms_survey_send(task_id=sales_task.pk) is False
    assert SmsMessage.objects.count() == 1


def test_fourth_failure_late_evening_is_queued_until_eight(sales_task, agent, django_capture_on_commit_callbacks):
    CallbackTask = type(sales_task)
    CallbackTask.objects.filter(pk=sales_task.pk).update(failed_attempts=3)
    _fail(sales_task, agent, datetime.datetime(2026, 3, 2, 21, 30, tzinfo=TZ), django_capture_on_commit_callbacks)
    msg = SmsMessage.objects.get()
    assert msg.status == SmsStatus.QUEUED
    assert msg.send_after == datetime.datetime(2026, 3, 3, 8, 0, tzinfo=TZ)
    assert sms_services.sms_flush_queue(now=datetime.datetime(2026, 3, 3, 8, 0, tzinfo=TZ)) == 1


@pytest.mark.parametrize("customer_change", [{"may_sms": False}, {"mobile_invalid": True}, {"mobile": "0564123"}])
def test_no_survey_without_consent_or_valid_mobile(sales_task, customer_change):
    type(sales_task).objects.filter(pk=sales_task.pk).update(failed_attempts=4)
    type(sales_task.customer).objects.filter(pk=sales_task.customer_id).update(**customer_change)
    assert callback_task_sms_survey_send(task_id=sales_task.pk, now=DAY) is False
    assert not SmsMessage.objects.exists()
    sales_task.refresh_from_db()
    assert sales_task.sms_survey_sent_at is None


def test_no_survey_before_the_maximum(sales_task):
    type(sales_task).objects.filter(pk=sales_task.pk).update(failed_attempts=3)
    assert callback_task_sms_survey_send(task_id=sales_task.pk, now=DAY) is False
    assert not SmsMessage.objects.exists()


def _survey_sent(task, at=DAY):
    type(task).objects.filter(pk=task.pk).update(failed_attempts=4)
    assert callback_task_sms_survey_send(task_id=task.pk, now=at)
    msg = SmsMessage.objects.get(related_key=f"callback_task:{task.pk}")
    assert sms_services.sms_deliver(message_id=msg.pk, now=at)
    return msg


@pytest.mark.parametrize("text", ["9", "９分", "满意，9"])
def test_score_reply_records_overall_and_closes_task_as_sms_reply(sales_task, text):
    _survey_sent(sales_task)
    reply = sms_services.sms_receive(mobile="13912345678", text=text, received_at=DAY + datetime.timedelta(hours=1))
    assert reply.applied and reply.score == 9 and reply.handled
    sales_task.refresh_from_db()
    assert sales_task.state == TaskState.DONE
    assert sales_task.final_disposition == Disposition.SMS_REPLY
    attempt = sales_task.attempts.get()
    assert attempt.agent is None and attempt.source == AttemptSource.SMS and attempt.note == text
    outbound = reply.reply_to
    assert outbound.reply_text == text and outbound.replied_at == DAY + datetime.timedelta(hours=1)


def test_service_task_reply_uses_q1(store_a, monkeypatch):
    from callbacks.generation import callback_tasks_generate

    # 09:00 on a working day: the survey goes out at once (not held for quiet hours), whatever hour CI runs.
    now = DAY
    ro = RepairOrderFactory(
        store=store_a,
        customer__mobile="13800000001",
        opened_at=now - datetime.timedelta(days=5),
        delivered_at=now - datetime.timedelta(days=4),
    )
    with time_machine.travel(now, tick=False):
        callback_tasks_generate(repair_order_ids=[ro.pk])
    task = ro.owned_callback_task
    seen = {}
    import callbacks.sms as cs  # the reply handler goes through the one outcome service

    real = cs.callback_attempt_record

    def spy(**kwargs):
        seen.update(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(cs, "callback_attempt_record", spy)
    _survey_sent(task, at=now)
    assert "保养或维修" in SmsMessage.objects.get().body
    sms_services.sms_receive(mobile="13800000001", text="10", received_at=now)
    assert seen["answers"] == {"Q1": 10} and seen["user"] is None and seen["disposition"] == Disposition.SMS_REPLY


def test_sales_reply_answers_q0(sales_task, monkeypatch):
    import callbacks.sms as cs  # the reply handler goes through the one outcome service

    seen = {}
    real = cs.callback_attempt_record
    monkeypatch.setattr(cs, "callback_attempt_record", lambda **kw: seen.update(kw) or real(**kw))
    _survey_sent(sales_task)
    sms_services.sms_receive(mobile="13912345678", text="8", received_at=DAY)
    assert seen["answers"] == {"Q0": 8}


def test_reply_after_task_done_is_kept_and_changes_nothing(sales_task, agent):
    _survey_sent(sales_task)
    callback_attempt_record(
        task=sales_task,
        user=agent,
        disposition=Disposition.SUCCESS,
        answers={"Q0": 10},
        at=DAY + datetime.timedelta(hours=1),
    )
    reply = sms_services.sms_receive(mobile="13912345678", text="3", received_at=DAY + datetime.timedelta(hours=2))
    assert reply.pk and reply.score == 3 and not reply.applied
    sales_task.refresh_from_db()
    assert sales_task.final_disposition == Disposition.SUCCESS
    assert sales_task.attempts.count() == 1


def test_reply_after_expiry_changes_nothing(sales_task):
    _survey_sent(sales_task)
    callback_tasks_expire(now=sales_task.window_closes_at + datetime.timedelta(seconds=1))
    reply = sms_services.sms_receive(mobile="13912345678", text="9", received_at=DAY + datetime.timedelta(days=3))
    assert not reply.applied
    sales_task.refresh_from_db()
    assert sales_task.state == TaskState.CLOSED_UNSUCCESSFUL


def test_junk_reply_waits_for_a_person_and_task_stays_open(sales_task):
    _survey_sent(sales_task)
    reply = sms_services.sms_receive(mobile="13912345678", text="你们是谁", received_at=DAY)
    assert not reply.handled and not reply.applied
    sales_task.refresh_from_db()
    assert sales_task.state == TaskState.OPEN


def test_td_reply_withdraws_consent(sales_task):
    _survey_sent(sales_task)
    reply = sms_services.sms_receive(mobile="13912345678", text="退订", received_at=DAY)
    assert reply.handled
    sales_task.customer.refresh_from_db()
    assert sales_task.customer.may_sms is False
    sales_task.refresh_from_db()
    assert sales_task.state == TaskState.OPEN


def test_a_score_typed_in_is_applied_within_the_users_stores_only(sales_task, cr_manager, store_b):
    """The outbox's typed-in reply scores the user's own store's callback; a CR manager of another
    store typing the same mobile is refused and the task stays open."""
    from django.core.exceptions import ValidationError

    from crm.choices import Role
    from tests.factories import UserFactory

    _survey_sent(sales_task)
    manager_b = UserFactory(username="carol_b", roles=[Role.CR_MANAGER], stores=[store_b])
    at = DAY + datetime.timedelta(hours=1)
    with pytest.raises(ValidationError):
        sms_services.sms_receive(mobile="13912345678", text="9", received_at=at, entered_by=manager_b)
    sales_task.refresh_from_db()
    assert sales_task.state == TaskState.OPEN and not SmsMessage.objects.filter(direction="in").exists()
    reply = sms_services.sms_receive(mobile="13912345678", text="9", received_at=at, entered_by=cr_manager)
    assert reply.applied and reply.store == sales_task.store and reply.entered_by == cr_manager
    sales_task.refresh_from_db()
    assert sales_task.state == TaskState.DONE and sales_task.final_disposition == Disposition.SMS_REPLY
