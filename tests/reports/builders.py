"""Hand-made callback data for report tests: tasks in exact states with exact attempts."""

import datetime as dt

from callbacks.choices import AttemptSource, CallbackKind, TaskState
from callbacks.models import CallAttempt, CallbackTask
from callbacks.services import callback_task_outcome_refresh
from crm.choices import StaffRole
from crm.sms.choices import Direction, SmsStatus
from crm.sms.models import SmsMessage
from tests.factories import CustomerFactory, DeliveryFactory, RepairOrderFactory, StaffFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 5, 12, 0, tzinfo=SHANGHAI)  # reports are computed "now" unless a test says
ENDED = dt.datetime(2026, 10, 20, 0, 0, tzinfo=SHANGHAI)  # a window that closed before NOW
OPEN_UNTIL = dt.datetime(2026, 11, 9, 0, 0, tzinfo=SHANGHAI)  # a window still open at NOW


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def _finish(task, *, state, attempts, sms_sent, score, agent):
    at = task.window_opens_at
    for i, disposition in enumerate(attempts):
        source = AttemptSource.SMS if disposition == "短信回复" else AttemptSource.CALL
        CallAttempt.objects.create(
            task=task,
            agent=None if source == AttemptSource.SMS else agent,
            at=at + dt.timedelta(hours=3 * i),
            disposition=disposition,
            source=source,
            note=f"note {disposition}",
        )
    task.state = state
    task.sms_survey_sent_at = at if sms_sent else None
    if hasattr(task, "overall_score"):
        task.overall_score = score
    if state != TaskState.OPEN:
        task.final_disposition = attempts[-1] if attempts else "未回访"
        task.completed_at = at
    task.save()
    # What the services store after every outcome (reports count tasks by it).
    callback_task_outcome_refresh(task_ids=[task.pk])
    task.refresh_from_db(fields=["last_disposition", "last_bucket"])
    return task


def sales_task(
    *,
    store,
    consultant,
    delivered_on=dt.date(2026, 10, 10),
    state=TaskState.OPEN,
    attempts=(),
    closes=OPEN_UNTIL,
    sms_sent=False,
    score=None,
    agent=None,
    customer_kwargs=None,
):
    delivery = DeliveryFactory(
        store=store, sales_consultant=consultant, delivered_on=delivered_on, **(customer_kwargs or {})
    )
    task = CallbackTask.objects.create(
        store=store,
        kind=CallbackKind.SALES,
        customer=delivery.customer,
        vehicle=delivery.vehicle,
        delivery=delivery,
        window_opens_at=closes - dt.timedelta(days=3),
        window_closes_at=closes,
    )
    return _finish(task, state=state, attempts=list(attempts), sms_sent=sms_sent, score=score, agent=agent)


def service_task(
    *,
    store,
    advisor,
    team=None,
    delivered_at=local(2026, 10, 10, 15, 0),
    state=TaskState.OPEN,
    attempts=(),
    closes=OPEN_UNTIL,
    sms_sent=False,
    score=None,
    agent=None,
):
    ro = RepairOrderFactory(
        store=store,
        service_advisor=advisor,
        repair_team=team,
        opened_at=delivered_at - dt.timedelta(hours=5),
        delivered_at=delivered_at,
    )
    task = CallbackTask.objects.create(
        store=store,
        kind=CallbackKind.SERVICE,
        customer=ro.customer,
        vehicle=ro.vehicle,
        repair_order=ro,
        window_opens_at=closes - dt.timedelta(days=4),
        window_closes_at=closes,
    )
    return _finish(task, state=state, attempts=list(attempts), sms_sent=sms_sent, score=score, agent=agent)


def consultant(store, name, role=StaffRole.SALES_CONSULTANT):
    return StaffFactory(store=store, name=name, role=role)


def sms(store, *, at, status=SmsStatus.SENT, reply="", reason="callback_survey", direction=Direction.OUTBOUND):
    customer = CustomerFactory(store=store, name=f"客户{at:%d%H%M}")
    return SmsMessage.objects.create(
        store=store, customer=customer, mobile=customer.mobile, body="请回复1-10分", reason=reason,
        direction=direction, status=status, queued_at=at, sent_at=at if status == SmsStatus.SENT else None,
        reply_text=reply,
    )  # fmt: skip
