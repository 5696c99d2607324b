"""Tables 7 and 8 (SPEC §9) against hand-computed fixtures: every column, zero denominators, month
edges in Asia/Shanghai, SMS successes, each unsuccessful bucket, tasks still open."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from callbacks.choices import TaskState
from crm.choices import StaffRole
from reports.registry import build_report
from reports.tables.callbacks import build_unsuccessful_callbacks
from reports.tables.satisfaction import ADVISORS, SALES, TEAMS, satisfaction_rows
from tests.factories import DeliveryFactory, RepairTeamFactory
from tests.reports.builders import ENDED, NOW, consultant, local, sales_task, service_task

OCT = dt.date(2026, 10, 1)
pytestmark = pytest.mark.django_db

SPEC_HEADERS = [
    "交车数", "回访数", "回访成功数", "回访未成功数", "拒访数", "无人接听数", "无法接通数", "号码错误数", "回访成功率",
    "完全满意数", "基本满意数", "不满意数", "完全满意率", "基本满意率", "不满意率",
]  # fmt: skip

DONE, CLOSED, DATA_FIX = TaskState.DONE, TaskState.CLOSED_UNSUCCESSFUL, TaskState.DATA_FIX


@pytest.fixture
def sales(store_a, store_b, agent):
    zhang = consultant(store_a, "张销售")
    li = consultant(store_a, "李销售")
    s = lambda **kw: sales_task(store=store_a, consultant=zhang, agent=agent, **kw)  # noqa: E731
    s(state=DONE, attempts=["成功"], score=9)  # fully
    s(state=DONE, attempts=["无人接听", "成功"], score=7)  # basically
    s(state=DONE, attempts=["无人接听"] * 4 + ["短信回复"], sms_sent=True, score=3)  # SMS success, dissatisfied
    s(state=DONE, attempts=["成功"], score=8, delivered_on=dt.date(2026, 10, 31))  # edge 8: fully; last day
    s(state=DONE, attempts=["成功"], score=6, delivered_on=dt.date(2026, 10, 1))  # edge 6: basically; first day
    s(state=DONE, attempts=["成功"], score=5)  # edge 5: dissatisfied
    s(state=CLOSED, attempts=["拒访"])  # refused
    s(attempts=["无人接听", "拒接"], closes=ENDED)  # window ended, not yet swept: refused (拒接)
    s(state=CLOSED, attempts=["无人接听"])  # no answer
    s(state=CLOSED, attempts=["无人接听", "占线"])  # unreachable (last attempt counts)
    s(state=DATA_FIX, attempts=["空号"], closes=ENDED)  # wrong number, window over
    s(state=CLOSED, attempts=["客户忙,约定时间"])  # unsuccessful, in none of the four buckets
    s(state=CLOSED, sms_sent=True)  # SMS sent, no reply: called, unsuccessful, no bucket
    s(attempts=["无人接听"])  # still being worked
    s(state=DATA_FIX, attempts=["号码错误"])  # wrong number but window still open: still being worked
    s()  # never called, window open
    s(state=CLOSED, closes=ENDED)  # expired without any attempt (未回访): not called
    DeliveryFactory(store=store_a, sales_consultant=zhang, delivered_on=dt.date(2026, 10, 9))  # no task (no consent)
    # outside: November, September, another store
    s(state=DONE, attempts=["成功"], score=10, delivered_on=dt.date(2026, 11, 1))
    s(state=CLOSED, attempts=["拒访"], delivered_on=dt.date(2026, 9, 30))
    sales_task(store=store_b, consultant=consultant(store_b, "王其他"), state=DONE, attempts=["成功"], score=10)
    # 李: one delivery, never called → success rate 0 %, satisfaction rates empty
    sales_task(store=store_a, consultant=li)
    return zhang, li


EXPECTED_ZHANG = {
    "delivered": 18, "called": 15, "success": 6, "unsuccessful": 7, "refused": 2, "no_answer": 1,
    "unreachable": 1, "wrong_number": 1, "fully": 2, "basically": 2, "dissatisfied": 2,
}  # fmt: skip


def test_sales_table_every_column(sales, store_a):
    _zhang, _li = sales
    with time_machine.travel(NOW, tick=False):
        rows, total = satisfaction_rows(SALES, store_ids=[store_a.id], month=OCT)
    by_name = {r["name"]: r for r in rows}
    z = by_name["张销售"]
    assert {k: z[k] for k in EXPECTED_ZHANG} == EXPECTED_ZHANG
    # 回访数 = 成功 + 未成功 + still being worked (2); never called = 交车数 − 回访数
    assert z["called"] == z["success"] + z["unsuccessful"] + 2
    assert z["success_rate"] == pytest.approx(6 / 18)
    assert z["fully_rate"] == z["basically_rate"] == z["dissatisfied_rate"] == pytest.approx(2 / 6)
    li_row = by_name["李销售"]
    assert (li_row["delivered"], li_row["called"], li_row["success"]) == (1, 0, 0)
    assert li_row["success_rate"] == 0
    assert li_row["fully_rate"] is None and li_row["basically_rate"] is None and li_row["dissatisfied_rate"] is None
    assert total["name"] == "合计"
    assert total["delivered"] == 19 and total["success"] == 6 and total["unsuccessful"] == 7
    assert total["success_rate"] == pytest.approx(6 / 19)
    assert "王其他" not in by_name


def test_sales_table_is_one_query_and_exact_headers(sales, store_a):
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
        satisfaction_rows(SALES, store_ids=[store_a.id], month=OCT)
    selects = [q["sql"] for q in ctx.captured_queries if "SELECT" in q["sql"].upper()]
    assert len(selects) == 1  # besides it only SET LOCAL jit = off and the savepoint around it
    # The tasks' stored outcome (last disposition, bucket): the attempts are not read.
    assert "crm_delivery" in selects[0] and "callbacks_callattempt" not in selects[0]
    table = build_report("sc_satisfaction", store_ids=[store_a.id], month=OCT)
    assert table.headers == ["销售顾问", *SPEC_HEADERS]
    assert build_report("sa_satisfaction", store_ids=[store_a.id], month=OCT).headers == ["服务顾问", *SPEC_HEADERS]
    assert build_report("team_satisfaction", store_ids=[store_a.id], month=OCT).headers == ["维修班组", *SPEC_HEADERS]


def test_own_rows_only(sales, store_a):
    zhang, _li = sales
    with time_machine.travel(NOW, tick=False):
        table = build_report("sc_satisfaction", store_ids=[store_a.id], month=OCT, staff_id=zhang.id)
    assert [r["name"] for r in table.rows] == ["张销售"]
    assert table.total_row["delivered"] == 18


def test_empty_month_gives_a_zero_total_with_empty_rates(store_a):
    rows, total = satisfaction_rows(SALES, store_ids=[store_a.id], month=dt.date(2030, 1, 1))
    assert rows == []
    assert total["delivered"] == 0 and total["success_rate"] is None and total["fully_rate"] is None


@pytest.fixture
def service(store_a, agent):
    zhao = consultant(store_a, "赵服务", StaffRole.SERVICE_ADVISOR)
    qian = consultant(store_a, "钱服务", StaffRole.SERVICE_ADVISOR)
    team = RepairTeamFactory(store=store_a, name="维修一组")
    v = lambda **kw: service_task(store=store_a, agent=agent, **kw)  # noqa: E731
    v(advisor=zhao, team=team, delivered_at=local(2026, 10, 31, 23, 30), state=DONE, attempts=["成功"], score=10)
    v(advisor=zhao, team=team, delivered_at=local(2026, 10, 1, 0, 0), state=DONE, attempts=["短信回复"], score=6,
      sms_sent=True)  # fmt: skip
    v(advisor=zhao, team=None, state=CLOSED, attempts=["关机"])
    v(advisor=qian, team=team, state=DONE, attempts=["成功"], score=2)
    v(advisor=qian, team=None, attempts=["无人接听"])  # still open
    # outside October in local time (in UTC the first is still October 31st)
    v(advisor=zhao, team=team, delivered_at=local(2026, 11, 1, 0, 0), state=DONE, attempts=["成功"], score=10)
    v(advisor=zhao, team=team, delivered_at=local(2026, 9, 30, 23, 59), state=DONE, attempts=["成功"], score=10)
    return zhao, qian, team


def test_advisor_table_month_edges_in_shanghai(service, store_a):
    with time_machine.travel(NOW, tick=False):
        rows, total = satisfaction_rows(ADVISORS, store_ids=[store_a.id], month=OCT)
    by_name = {r["name"]: r for r in rows}
    zhao, qian = by_name["赵服务"], by_name["钱服务"]
    assert (zhao["delivered"], zhao["called"], zhao["success"], zhao["unsuccessful"], zhao["unreachable"]) == (
        3, 3, 2, 1, 1,
    )  # fmt: skip
    assert (zhao["fully"], zhao["basically"], zhao["dissatisfied"]) == (1, 1, 0)
    assert (qian["delivered"], qian["called"], qian["success"], qian["unsuccessful"], qian["dissatisfied"]) == (
        2, 2, 1, 0, 1,
    )  # fmt: skip
    assert qian["dissatisfied_rate"] == 1.0
    assert total["delivered"] == 5 and total["success"] == 3
    assert total["success_rate"] == pytest.approx(3 / 5)


def test_team_table_with_unassigned_row(service, store_a):
    with time_machine.travel(NOW, tick=False):
        rows, total = satisfaction_rows(TEAMS, store_ids=[store_a.id], month=OCT)
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {"维修一组", "未分配班组"}
    assert (by_name["维修一组"]["delivered"], by_name["维修一组"]["success"], by_name["维修一组"]["fully"]) == (3, 3, 1)
    assert (by_name["未分配班组"]["delivered"], by_name["未分配班组"]["unsuccessful"]) == (2, 1)
    assert rows[-1]["name"] == "未分配班组"
    assert total["delivered"] == 5


def test_table_3_lists_exactly_the_unsuccessful_of_tables_7_and_8(sales, service, store_a):
    with time_machine.travel(NOW, tick=False):
        _rows, sales_total = satisfaction_rows(SALES, store_ids=[store_a.id], month=OCT)
        _rows, service_total = satisfaction_rows(ADVISORS, store_ids=[store_a.id], month=OCT)
        listed = list(build_unsuccessful_callbacks(store_ids=[store_a.id], month=OCT).rows)
    assert len(listed) == sales_total["unsuccessful"] + service_total["unsuccessful"] == 8


def test_export_reads_back_with_total_and_percent_formats(sales, store_a, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "sc.xlsx"
    with time_machine.travel(NOW, tick=False):
        call_command("export_report", "sc_satisfaction", "--month", "2026-10", "--store", "LA", "--out", str(out))
    ws = load_workbook(out).active
    assert ws["A1"].value == "销售顾问满意率统计表（六安鑫宝丰田，2026年10月）"
    assert [c.value for c in ws[2]] == ["销售顾问", *SPEC_HEADERS]
    last = ws.max_row
    assert ws.cell(row=last, column=1).value == "合计"
    assert ws.cell(row=last, column=2).value == 19
    rate_col = SPEC_HEADERS.index("回访成功率") + 2
    assert ws.cell(row=last, column=rate_col).number_format == "0.0%"
    assert ws.cell(row=last, column=rate_col).value == pytest.approx(6 / 19)
    li_row = next(r for r in range(3, last) if ws.cell(row=r, column=1).value == "李销售")
    fully_rate_col = SPEC_HEADERS.index("完全满意率") + 2
    assert ws.cell(row=li_row, column=fully_rate_col).value is None
    assert ws.cell(row=li_row, column=rate_col).value == 0


def test_closed_task_without_final_disposition_reads_its_last_attempt(store_a, agent):
    """A task closed from the data-fix queue may carry an empty final disposition: the bucket then
    comes from its attempts; a closed task's final disposition otherwise decides its bucket."""
    zhang = consultant(store_a, "张销售")
    blank = sales_task(store=store_a, consultant=zhang, state=CLOSED, attempts=["无人接听", "号码错误"], agent=agent)
    blank.final_disposition = ""
    blank.save(update_fields=["final_disposition"])
    sales_task(store=store_a, consultant=zhang, state=CLOSED, attempts=["停机"], agent=agent)
    with time_machine.travel(NOW, tick=False):
        (row,), _total = satisfaction_rows(SALES, store_ids=[store_a.id], month=OCT)
    assert (row["unsuccessful"], row["wrong_number"], row["unreachable"], row["no_answer"]) == (2, 1, 1, 0)
