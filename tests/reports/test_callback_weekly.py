"""The weekly callback report for the service manager (issue 14 item 6): the week's service
callbacks by advisor against a hand computation at the week's edges, 回访成功率 by SPEC §9's rule,
the unhappy customers with their reasons, store scope, page, query count and export columns."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from callbacks.choices import TaskState
from callbacks.models import CallbackTask, HotAlert
from reports.tables.callback_weekly import ADVISOR_COLUMNS, build_callbacks_weekly, default_week
from tests.reports.builders import ENDED, consultant, local, service_task

NOW = local(2026, 10, 25, 12, 0)
WEEK = dt.date(2026, 10, 7)  # a Wednesday: the week of Monday 10-05 to Sunday 10-11


@pytest.fixture
def week(store_a, store_b):
    zhou = consultant(store_a, "周顾问")
    wu = consultant(store_a, "吴顾问")
    done = {"state": TaskState.DONE, "attempts": ["成功"]}
    t1 = service_task(store=store_a, advisor=zhou, delivered_at=local(2026, 10, 5, 0, 0), score=9, **done)
    t2 = service_task(store=store_a, advisor=zhou, delivered_at=local(2026, 10, 11, 23, 59), score=4, **done)
    service_task(
        store=store_a,
        advisor=zhou,
        delivered_at=local(2026, 10, 8, 10, 0),
        state=TaskState.CLOSED_UNSUCCESSFUL,
        attempts=["无人接听"],
        closes=ENDED,
    )
    service_task(store=store_a, advisor=wu, delivered_at=local(2026, 10, 7, 10, 0))  # never called
    t5 = service_task(store=store_a, advisor=wu, delivered_at=local(2026, 10, 6, 16, 0), score=7, **done)
    CallbackTask.objects.filter(pk=t5.pk).update(has_grumble=True)
    HotAlert.objects.create(task=t5, raised_at=local(2026, 10, 10, 11, 0), reasons=["Q5 否：未按时交车", "等了2个小时"])
    # outside the week or the store
    service_task(store=store_a, advisor=zhou, delivered_at=local(2026, 10, 4, 23, 59), score=2, **done)
    service_task(store=store_a, advisor=zhou, delivered_at=local(2026, 10, 12, 0, 0), score=2, **done)
    other = consultant(store_b, "别店顾问")
    service_task(store=store_b, advisor=other, delivered_at=local(2026, 10, 7, 10, 0), score=1, **done)
    return {"t1": t1, "t2": t2, "t5": t5}


def test_advisor_figures_match_a_hand_computation(week, store_a):
    with time_machine.travel(NOW, tick=False):
        advisors, unhappy = build_callbacks_weekly(store_ids=[store_a.id], day=WEEK)
    assert advisors.period_label == "2026-10-05 至 2026-10-11"
    assert advisors.headers == [c.header for c in ADVISOR_COLUMNS]
    rows = {r["name"]: r for r in advisors.rows}
    assert set(rows) == {"周顾问", "吴顾问"}
    zhou, wu = rows["周顾问"], rows["吴顾问"]
    assert (zhou["delivered"], zhou["called"], zhou["success"], zhou["unsuccessful"]) == (3, 3, 2, 1)
    assert zhou["success_rate"] == pytest.approx(2 / 3)  # 回访成功数 / 交车数 (SPEC §9)
    assert zhou["avg_score"] == 6.5
    assert (zhou["fully"], zhou["basically"], zhou["dissatisfied"], zhou["unhappy"]) == (1, 0, 1, 1)
    assert (wu["delivered"], wu["called"], wu["success"], wu["success_rate"]) == (2, 1, 1, 0.5)
    assert (wu["basically"], wu["unhappy"]) == (1, 1)  # a 7 with a hot alert is unhappy
    total = advisors.total_row
    assert (total["delivered"], total["success"], total["unhappy"]) == (5, 3, 2)
    assert total["success_rate"] == pytest.approx(3 / 5)
    assert total["avg_score"] == pytest.approx(6.7)  # (9 + 4 + 7) / 3
    listed = {r["ro_no"]: r for r in unhappy.rows}
    assert set(listed) == {week["t2"].repair_order.ro_no, week["t5"].repair_order.ro_no}
    t5 = listed[week["t5"].repair_order.ro_no]
    assert (t5["advisor"], t5["score"], t5["reasons"], t5["alert_state"]) == (
        "吴顾问",
        7,
        "Q5 否：未按时交车；等了2个小时",
        "未关闭",
    )


def test_the_week_success_rate_equals_table_8s_rule_for_the_same_tasks(week, store_a):
    """The weekly 回访成功率 and counts are callbacks.figures', as table 8 counts them."""
    from reports.tables.satisfaction import ADVISORS, satisfaction_rows

    with time_machine.travel(NOW, tick=False):
        advisors, _unhappy = build_callbacks_weekly(store_ids=[store_a.id], day=WEEK)
        # October holds this week and the two tasks just outside it (Oct 4 and Oct 12)
        month_rows, _total = satisfaction_rows(ADVISORS, store_ids=[store_a.id], month=dt.date(2026, 10, 1))
    weekly = {r["name"]: r for r in advisors.rows}
    monthly = {r["name"]: r for r in month_rows}
    assert monthly["吴顾问"]["success_rate"] == weekly["吴顾问"]["success_rate"]
    assert monthly["周顾问"]["delivered"] == weekly["周顾问"]["delivered"] + 2


def test_default_week_is_the_week_before_last():
    assert default_week(dt.date(2026, 10, 21)) == dt.date(2026, 10, 5)  # a Wednesday
    assert default_week(dt.date(2026, 10, 19)) == dt.date(2026, 10, 5)  # a Monday
    assert default_week(dt.date(2026, 10, 25)) == dt.date(2026, 10, 5)  # a Sunday


def test_page_for_the_service_manager_scoped_and_exported(week, client_for, department_manager, store_b, agent):
    url = reverse("reports:callbacks_weekly")
    with time_machine.travel(NOW, tick=False):
        client = client_for(department_manager)
        response = client.get(url, {"week": "2026-10-07"})
        assert response.status_code == 200
        body = response.content.decode()
        assert "周顾问" in body and "等了2个小时" in body and "别店顾问" not in body
        assert 'data-testid="chart-advisors"' in body
        assert client.get(url, {"week": "2026-10-07", "store": store_b.id}).status_code == 404
        download = client.get(reverse("reports:callbacks_weekly_xlsx"), {"week": "2026-10-07"})
        assert client_for(agent).get(url).status_code == 404  # not a callback agent's report
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    advisors = list(book.worksheets[0].iter_rows(values_only=True))
    assert list(advisors[1]) == [
        "服务顾问",
        "交车数",
        "回访数",
        "回访成功数",
        "回访未成功数",
        "回访成功率",
        "平均总体评分",
        "完全满意数",
        "基本满意数",
        "不满意数",
        "不满意客户数",
    ]
    unhappy = list(book.worksheets[1].iter_rows(values_only=True))
    assert list(unhappy[1]) == [
        "服务顾问",
        "工单号",
        "交车时间",
        "客户姓名",
        "回访时间",
        "总体评分",
        "不满意原因",
        "预警处理",
    ]
    assert len(unhappy) == 2 + 2


def test_page_query_count_is_constant_in_rows(
    week, store_a, client_for, department_manager, django_assert_max_num_queries
):
    url = reverse("reports:callbacks_weekly")
    with time_machine.travel(NOW, tick=False):
        client = client_for(department_manager)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(16) as few:
        assert client.get(url, {"week": "2026-10-07"}).status_code == 200
    for i in range(6):
        advisor = consultant(store_a, f"新顾问{i}")
        service_task(
            store=store_a,
            advisor=advisor,
            delivered_at=local(2026, 10, 9, 9, i),
            state=TaskState.DONE,
            attempts=["成功"],
            score=3,
        )
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"week": "2026-10-07"})
    assert "新顾问5" in response.content.decode()


def test_a_number_the_customer_said_is_masked_for_the_service_manager(week, client_for, department_manager):
    HotAlert.objects.filter(task=week["t5"]).update(reasons=["Q11 客户原话：请回电13912345678"])
    with time_machine.travel(NOW, tick=False):
        body = client_for(department_manager).get(reverse("reports:callbacks_weekly"), {"week": "2026-10-07"}).text
    assert "139****5678" in body and "13912345678" not in body
    rows = build_callbacks_weekly(store_ids=None, day=WEEK, now=NOW)[1].rows
    assert any("13912345678" in row["reasons"] for row in rows)  # full numbers for those who may see them
