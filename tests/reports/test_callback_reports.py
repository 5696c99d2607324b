"""Table 3 (unsuccessful callbacks), table 4 (uncertain customer records), the daily report."""

import datetime as dt

import pytest
import time_machine

from callbacks.choices import TaskState
from callbacks.models import DataFixRecord
from crm.choices import StaffRole
from reports.tables.callbacks import build_callback_daily, build_uncertain_customers, build_unsuccessful_callbacks
from tests.reports.builders import ENDED, NOW, consultant, local, sales_task, service_task

OCT = dt.date(2026, 10, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def october(store_a, store_b, agent):
    sc = consultant(store_a, "张销售")
    sa = consultant(store_a, "李服务", StaffRole.SERVICE_ADVISOR)
    t = {
        "refused": sales_task(
            store=store_a, consultant=sc, state=TaskState.CLOSED_UNSUCCESSFUL, attempts=["拒访"], agent=agent
        ),
        "expired": sales_task(store=store_a, consultant=sc, attempts=["无人接听", "关机"], closes=ENDED, agent=agent),
        "working": sales_task(store=store_a, consultant=sc, attempts=["无人接听"], agent=agent),
        "done": sales_task(store=store_a, consultant=sc, state=TaskState.DONE, attempts=["成功"], agent=agent),
        "never": sales_task(store=store_a, consultant=sc, closes=ENDED),
        "sms_only": sales_task(store=store_a, consultant=sc, state=TaskState.CLOSED_UNSUCCESSFUL, sms_sent=True),
        "november": sales_task(
            store=store_a,
            consultant=sc,
            delivered_on=dt.date(2026, 11, 1),
            state=TaskState.CLOSED_UNSUCCESSFUL,
            attempts=["拒访"],
        ),
        "edge_service": service_task(
            store=store_a,
            advisor=sa,
            delivered_at=local(2026, 10, 31, 23, 30),
            attempts=["空号"],
            state=TaskState.DATA_FIX,
            closes=ENDED,
            agent=agent,
        ),
        "nov_service": service_task(
            store=store_a,
            advisor=sa,
            delivered_at=local(2026, 11, 1, 0, 10),
            attempts=["拒访"],
            state=TaskState.CLOSED_UNSUCCESSFUL,
        ),
        "other_store": sales_task(
            store=store_b,
            consultant=consultant(store_b, "王其他"),
            state=TaskState.CLOSED_UNSUCCESSFUL,
            attempts=["拒访"],
        ),
    }
    return t


def test_unsuccessful_callbacks_rows(october, store_a):
    with time_machine.travel(NOW, tick=False):
        table = build_unsuccessful_callbacks(store_ids=[store_a.id], month=OCT)
        rows = list(table.rows)
    by_customer = {r["customer"]: r for r in rows}
    expected = {october[k].customer.name for k in ("refused", "expired", "sms_only", "edge_service")}
    assert set(by_customer) == expected
    refused = by_customer[october["refused"].customer.name]
    assert (refused["status"], refused["reason"], refused["agent"], refused["consultant"]) == (
        "拒访",
        "拒绝",
        "王丽",
        "张销售",
    )
    expired = by_customer[october["expired"].customer.name]
    assert (expired["status"], expired["reason"]) == ("关机", "无法接通")
    assert by_customer[october["sms_only"].customer.name]["reason"] == "短信未回复"
    edge = by_customer[october["edge_service"].customer.name]
    assert (edge["kind"], edge["reason"], edge["consultant"]) == ("售后回访", "号码错误", "李服务")
    assert [r["no"] for r in rows] == [1, 2, 3, 4]
    assert table.headers == [
        "序号",
        "回访类型",
        "客户姓名",
        "联系电话",
        "VIN号",
        "车型",
        "回访状态",
        "回访专员姓名",
        "回访时间",
        "销售、服务顾问",
        "原因",
        "备注",
    ]
    assert table.total_values()[1] == "共 4 条"


def test_unsuccessful_callbacks_masks_numbers_when_asked(october, store_a):
    with time_machine.travel(NOW, tick=False):
        rows = list(build_unsuccessful_callbacks(store_ids=[store_a.id], month=OCT, full_numbers=False).rows)
    assert all("****" in r["phone"] for r in rows)


def test_uncertain_customer_records(store_a, agent):
    sc = consultant(store_a, "张销售")
    task = sales_task(store=store_a, consultant=sc, attempts=["号码错误"], state=TaskState.DATA_FIX, agent=agent)
    fixed = DataFixRecord.objects.create(
        task=task,
        customer=task.customer,
        reported_at=local(2026, 10, 31, 23, 0),
        reported_by=agent,
        wrong_number="13900000001",
        corrected_name="张伟",
        corrected_mobile="13900000002",
        fixed_at=local(2026, 11, 1, 9, 0),
    )
    DataFixRecord.objects.create(
        task=task, customer=task.customer, reported_at=local(2026, 11, 1, 0, 0), wrong_number="13900000003"
    )
    table = build_uncertain_customers(store_ids=[store_a.id], month=OCT)
    (row,) = list(table.rows)
    assert row["phone"] == "13900000001"
    assert (row["corrected_name"], row["corrected_phone"], row["note"]) == ("张伟", "13900000002", "已修正")
    assert row["at"] == fixed.reported_at
    assert table.total_values()[1] == "共 1 条"
    masked = list(build_uncertain_customers(store_ids=[store_a.id], month=OCT, full_numbers=False).rows)
    assert masked[0]["phone"] == "139****0001"
    assert build_uncertain_customers(store_ids=[999999], month=OCT).total_values()[1] == "共 0 条"


def test_daily_report_per_agent_and_day(store_a, store_b, agent, agent_b):
    from callbacks.models import CallAttempt

    sc = consultant(store_a, "张销售")
    task = sales_task(store=store_a, consultant=sc)
    for at, disp in [
        (local(2026, 10, 1, 0, 5), "无人接听"),
        (local(2026, 10, 1, 10, 0), "成功"),
        (local(2026, 10, 31, 23, 59), "拒接"),
        (local(2026, 11, 1, 0, 0), "成功"),  # November
        (local(2026, 9, 30, 23, 59), "成功"),  # September
    ]:
        CallAttempt.objects.create(task=task, agent=agent, at=at, disposition=disp)
    other = sales_task(store=store_b, consultant=consultant(store_b, "王其他"))
    CallAttempt.objects.create(task=other, agent=agent_b, at=local(2026, 10, 2, 9, 0), disposition="成功")
    table = build_callback_daily(store_ids=[store_a.id], month=OCT)
    rows = [(r["day"], r["agent_name"], r["attempts"], r["success"], r["no_answer"], r["refused"]) for r in table.rows]
    assert rows == [(dt.date(2026, 10, 1), "王丽", 2, 1, 1, 0), (dt.date(2026, 10, 31), "王丽", 1, 0, 0, 1)]
    total = table.total_row
    assert (total["attempts"], total["success"], total["unsuccessful"]) == (3, 1, 2)
    assert total["success_rate"] == pytest.approx(1 / 3)
    assert table.total_values()[0] == "合计"
    assert len(list(build_callback_daily(store_ids=None, month=OCT).rows)) == 3
