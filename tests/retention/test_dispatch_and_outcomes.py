"""A reminder's channels (SMS with quiet hours, a call task, both), consent skips, the returned rule on
import, two workers generating at once, and the reminder export."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from openpyxl import load_workbook

from crm.importing.runner import import_file
from crm.models import Vehicle
from crm.sms.choices import SmsStatus
from crm.sms.models import SmsMessage
from retention.choices import OutreachKind as K
from retention.choices import OutreachState, ReminderChannel, ReminderStatus, SkipReason
from retention.generation import reminders_generate
from retention.models import OutreachTask, Reminder, ReminderKindSetting
from tests.concurrency import run_at_once
from tests.crm.dms_files import delivery_row, ro_row, write_workbook
from tests.factories import CustomerFactory, StoreFactory
from tests.retention.factories import SHANGHAI, delivered_vehicle

D = dt.date
pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI)


def test_sms_waits_for_8_oclock_in_quiet_hours_and_goes_at_once_by_day():
    store = StoreFactory()
    CustomerFactory(store=store, birthday=D(1990, 6, 1), name="王芳")
    CustomerFactory(store=store, birthday=D(1991, 6, 2))
    with time_machine.travel(at(D(2026, 6, 1), 6, 30), tick=False):
        reminders_generate(day=D(2026, 6, 1), stores=[store])
    early = Reminder.objects.get(kind=K.BIRTHDAY)
    assert early.status == ReminderStatus.DISPATCHED
    assert early.sms_message.status == SmsStatus.QUEUED
    assert early.sms_message.send_after == at(D(2026, 6, 1), 8)
    assert "王先生" in early.sms_message.body and "生日快乐" in early.sms_message.body
    with time_machine.travel(at(D(2026, 6, 2), 10), tick=False):
        reminders_generate(day=D(2026, 6, 2), stores=[store])
    by_day = Reminder.objects.get(kind=K.BIRTHDAY, due_on=D(2026, 6, 2))
    assert by_day.sms_message.send_after == at(D(2026, 6, 2), 10)
    assert by_day.sms_message.related_key == f"reminder:{by_day.pk}"


def test_no_sms_without_consent_or_with_an_invalid_mobile_and_no_call_when_calls_are_refused():
    store = StoreFactory()
    CustomerFactory(store=store, birthday=D(1990, 6, 1), may_sms=False)
    CustomerFactory(store=store, birthday=D(1990, 6, 1), mobile_invalid=True)
    refuses_calls = CustomerFactory(store=store, may_call=False)
    delivered_vehicle(store, delivered_on=D(2026, 3, 8), customer=refuses_calls)  # 首保 by call, due 8 Jun
    with time_machine.travel(at(D(2026, 6, 1), 10), tick=False):
        totals = reminders_generate(day=D(2026, 6, 1), stores=[store])
    assert set(Reminder.objects.values_list("kind", "status", "skip_reason")) == {
        (K.BIRTHDAY, ReminderStatus.SKIPPED, SkipReason.NO_SMS_CONSENT),
        (K.BIRTHDAY, ReminderStatus.SKIPPED, SkipReason.MOBILE_INVALID),
        (K.FIRST_SERVICE, ReminderStatus.SKIPPED, SkipReason.CALLS_REFUSED),
    }
    assert SmsMessage.objects.count() == 0 and OutreachTask.objects.count() == 0
    assert (totals[K.BIRTHDAY].created, totals[K.BIRTHDAY].skipped) == (2, 2)
    assert totals[K.FIRST_SERVICE].reasons == {SkipReason.CALLS_REFUSED: 1}


def test_a_call_reminder_is_a_task_in_the_queue_from_send_date_to_due_date_and_both_does_both():
    store = StoreFactory()
    vehicle = delivered_vehicle(store, delivered_on=D(2026, 3, 8))
    ReminderKindSetting.objects.create(store=store, kind=K.FIRST_SERVICE, lead_days=7, channel=ReminderChannel.BOTH)
    with time_machine.travel(at(D(2026, 6, 1), 10), tick=False):
        reminders_generate(day=D(2026, 6, 1), stores=[store])
    reminder = Reminder.objects.select_related("outreach_task", "sms_message").get()
    task = reminder.outreach_task
    assert (task.kind, task.customer_id, task.vehicle_id, task.state) == (
        K.FIRST_SERVICE,
        vehicle.owner_id,
        vehicle.pk,
        OutreachState.OPEN,
    )
    assert task.window_opens_at == at(D(2026, 6, 1), 0)
    assert task.window_closes_at.astimezone(SHANGHAI).date() == D(2026, 6, 8)
    assert reminder.sms_message is not None


@pytest.mark.django_db(transaction=True)
def test_two_workers_generating_at_once_create_each_reminder_once():
    store = StoreFactory()
    for _ in range(5):
        delivered_vehicle(store, delivered_on=D(2026, 3, 8))
    CustomerFactory.create_batch(5, store=store, birthday=D(1990, 6, 1))

    def work():
        with time_machine.travel(at(D(2026, 6, 1), 10), tick=False):
            return reminders_generate(day=D(2026, 6, 1), stores=[store])

    results = run_at_once(work)
    assert Reminder.objects.filter(kind=K.FIRST_SERVICE).count() == 5
    assert Reminder.objects.filter(kind=K.BIRTHDAY).count() == 5
    assert OutreachTask.objects.count() == 5 and SmsMessage.objects.count() == 5
    assert sum(r[K.FIRST_SERVICE].created for r in results) == 5  # each worked by one worker
    assert not Reminder.objects.filter(status=ReminderStatus.NEW).exists()


def test_policy_date_is_imported_and_an_ro_within_30_days_marks_a_service_reminder_returned(tmp_path, store_a):
    book = write_workbook(
        tmp_path / "d.xlsx", {"交车": [delivery_row(**{"交车日期": D(2026, 3, 8), "投保日期": D(2025, 12, 20)})]}
    )
    import_file(book, store=store_a)
    vehicle = Vehicle.objects.get()
    assert vehicle.insurance_date == D(2025, 12, 20)
    with time_machine.travel(at(D(2026, 6, 1), 10), tick=False):
        reminders_generate(day=D(2026, 6, 1), stores=[store_a])
        reminders_generate(day=D(2026, 11, 20), stores=[store_a])
    reminder = Reminder.objects.get(kind=K.FIRST_SERVICE)
    assert Reminder.objects.get(kind=K.INSURANCE).due_on == D(2026, 12, 20)  # the policy date, not the delivery
    late = write_workbook(tmp_path / "r1.xlsx", {"工单": [ro_row(**{"进厂时间": dt.datetime(2026, 7, 2, 9)})]})
    import_file(late, store=store_a)  # 31 days after the send date (1 Jun): not returned
    reminder.refresh_from_db()
    assert reminder.returned_on is None
    on_time = write_workbook(
        tmp_path / "r2.xlsx", {"工单": [ro_row(**{"工单号": "WX2", "进厂时间": dt.datetime(2026, 7, 1, 9)})]}
    )
    import_file(on_time, store=store_a)
    reminder.refresh_from_db()
    assert reminder.returned_on == D(2026, 7, 1)


def test_export_report_reminders_has_the_spec_columns(tmp_path):
    store = StoreFactory(code="EX")
    delivered_vehicle(store, delivered_on=D(2026, 3, 8))
    CustomerFactory(store=store, birthday=D(1990, 6, 1), may_sms=False)
    with time_machine.travel(at(D(2026, 6, 1), 10), tick=False):
        reminders_generate(day=D(2026, 6, 1), stores=[store])
    out = tmp_path / "r.xlsx"
    call_command("export_report", "reminders", "--month", "2026-06", "--out", str(out))
    sheet = load_workbook(out).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "提醒类型")
    assert rows[header_at] == [
        "提醒类型", "客户姓名", "手机", "车牌号", "车架号", "到期日", "发送日", "渠道", "状态", "结果", "是否回厂",
    ]  # fmt: skip
    body = [r for r in rows[header_at + 1 :] if r and r[0]]
    assert sorted(r[0] for r in body) == ["生日祝福", "首保提醒"]
    skipped = next(r for r in body if r[0] == "生日祝福")
    assert "客户不同意接收短信" in skipped[8]


def test_summary_counts_each_figure_in_one_query(django_assert_num_queries):
    from retention.selectors import reminder_summary
    from retention.services import outreach_attempt_record

    store = StoreFactory()
    vehicles = [delivered_vehicle(store, delivered_on=D(2026, 3, 8)) for _ in range(3)]
    CustomerFactory(store=store, birthday=D(1990, 6, 1), may_sms=False)
    CustomerFactory(store=store, birthday=D(1990, 6, 1))
    with time_machine.travel(at(D(2026, 6, 1), 10), tick=False):
        reminders_generate(day=D(2026, 6, 1), stores=[store])
        tasks = list(OutreachTask.objects.order_by("id"))
        outreach_attempt_record(task=tasks[0], user=None, result="booked", booked_on=D(2026, 6, 3))
        outreach_attempt_record(task=tasks[1], user=None, result="unreachable")
        Reminder.objects.filter(vehicle=vehicles[0]).update(returned_on=D(2026, 6, 3))
    with django_assert_num_queries(1):
        rows = {r["kind"]: r for r in reminder_summary(store_ids=[store.pk], month=D(2026, 6, 1))}
    first = rows[K.FIRST_SERVICE]
    assert (first["reminders"], first["skipped"], first["reached"], first["booked"], first["returned"]) == (
        3,
        0,
        1,
        1,
        1,
    )
    assert first["return_rate"] == pytest.approx(1 / 3)
    birthday = rows[K.BIRTHDAY]
    # Its SMS is still queued (nothing flushed it): not sent yet.
    assert (birthday["reminders"], birthday["skipped"], birthday["sms_sent"], birthday["return_rate"]) == (
        2,
        1,
        0,
        None,
    )
    assert rows[K.FESTIVAL]["reminders"] == 0


@pytest.mark.parametrize(
    ("status", "sent"),
    [(SmsStatus.QUEUED, 0), (SmsStatus.SENDING, 0), (SmsStatus.FAILED, 0), (SmsStatus.SENT, 1)],
)
def test_the_report_counts_as_sent_only_the_sms_the_gateway_sent(status, sent):
    from retention.selectors import reminder_summary

    store = StoreFactory()
    CustomerFactory(store=store, birthday=D(1990, 6, 1))
    with time_machine.travel(at(D(2026, 6, 1), 10), tick=False):
        reminders_generate(day=D(2026, 6, 1), stores=[store])
    SmsMessage.objects.filter(pk=Reminder.objects.get().sms_message_id).update(status=status)
    rows = {r["kind"]: r for r in reminder_summary(store_ids=[store.pk], month=D(2026, 6, 1))}
    assert (rows[K.BIRTHDAY]["reminders"], rows[K.BIRTHDAY]["sms_sent"]) == (1, sent)


def test_customer_timeline_shows_reminders_and_outreach_contacts_in_two_queries(django_assert_max_num_queries):
    from crm.timeline import customer_timeline
    from retention.services import outreach_attempt_record
    from retention.timeline import retention_timeline_entries

    store = StoreFactory()
    vehicle = delivered_vehicle(store, delivered_on=D(2026, 3, 8))
    with time_machine.travel(at(D(2026, 6, 1), 10), tick=False):
        reminders_generate(day=D(2026, 6, 1), stores=[store])
        outreach_attempt_record(task=OutreachTask.objects.get(), user=None, result="booked", booked_on=D(2026, 6, 4))
    with django_assert_max_num_queries(2):
        entries = retention_timeline_entries(vehicle.owner)
    assert {e.kind for e in entries} == {"reminder", "outreach"}
    assert any("2026-06-04" in e.body for e in entries if e.kind == "outreach")
    assert set(entries) <= set(customer_timeline(vehicle.owner))
