"""The quarterly and annual complaint reports (issue 14 item 6): figures against a hand computation
at the quarter's and year's edges, SLA through THE rule (equal to the monthly report's), store
scope, the page (filters, charts, query count) and the export's columns."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from complaints.choices import CaseState, Category, FinalResult
from crm.choices import DepartmentKind
from reports.registry import build_report
from reports.tables.complaint_trends import COMPLAINED_STAFF
from tests.factories import DepartmentFactory, StaffFactory
from tests.reports.factories import local, make_case

NOW = local(2027, 1, 5, 12, 0)
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def _case(store, received, **fields):
    """A case received at `received` with the SLA due times of the default policy, and `fields`."""
    due = {
        "dispatch_due_at": received + 30 * MIN,
        "first_contact_warn_at": received + 20 * HOUR,
        "first_contact_due_at": received + 24 * HOUR,
    }
    if fields.get("dispatched_at"):
        due["feedback_due_at"] = fields["dispatched_at"] + 48 * HOUR
    return make_case(store=store, received_at=received, **due, **fields)


@pytest.fixture
def q4(store_a, store_b, advisor):
    """Store A: one case on each edge of Q4 2026 inside it, one just before (Sept 30 23:59) and one
    just after (Jan 1 00:00); a November case of store B."""
    service = DepartmentFactory(store=store_a, kind=DepartmentKind.SERVICE)
    zhou = StaffFactory(store=store_a, name="周顾问")
    first = local(2026, 10, 1, 0, 0)
    c1 = _case(
        store_a,
        first,
        department=service,
        handler=advisor,
        complained_staff=zhou,
        dispatched_at=first + 10 * MIN,  # dispatch met
        first_contact_at=first + 2 * HOUR,  # contact met
        feedback_at=first + 30 * HOUR,  # feedback met
        closed_at=first + 40 * HOUR,
        state=CaseState.CLOSED,
        final_result=FinalResult.SATISFIED,  # praised
    )
    mid = local(2026, 11, 15, 10, 0)
    c2 = _case(
        store_a,
        mid,
        category=Category.ATTITUDE,
        department=service,
        handler=advisor,
        complained_staff=zhou,
        dispatched_at=mid + 2 * HOUR,  # dispatch late
        first_contact_at=mid + 30 * HOUR,  # contact late
        state=CaseState.IN_PROGRESS,  # feedback running past its due time at NOW: late
    )
    c3 = _case(store_a, local(2026, 12, 31, 23, 30))  # never dispatched: dispatch and contact late
    before = _case(store_a, local(2026, 9, 30, 23, 59))
    after = _case(store_a, local(2027, 1, 1, 0, 0))
    other = _case(store_b, mid)
    return {"c1": c1, "c2": c2, "c3": c3, "before": before, "after": after, "other": other}


def _rows(table):
    return {row["key"]: row for row in table.rows}


def _months(row, n):
    return [row[f"m{i}"] for i in range(n)]


def test_quarterly_figures_match_a_hand_computation(q4, store_a):
    with time_machine.travel(NOW, tick=False):
        table = build_report("complaints_quarterly", store_ids=[store_a.id], month=dt.date(2026, 11, 1))
    assert table.period_label == "2026年第4季度"
    assert table.headers == ["统计项", "项目", "10月", "11月", "12月", "合计", "基数", "比例"]
    rows = _rows(table)
    assert _months(rows[("received",)], 3) == [1, 1, 1]  # Sept 30 23:59 and Jan 1 00:00 left out
    assert rows[("received",)]["total"] == 3
    assert _months(rows[("closed",)], 3) == [1, 0, 0]
    assert _months(rows[("category", Category.REPAIR_QUALITY)], 3) == [1, 0, 1]
    assert _months(rows[("category", Category.ATTITUDE)], 3) == [0, 1, 0]
    assert rows[("category", Category.ATTITUDE)]["share"] == pytest.approx(1 / 3)
    assert rows[("category", Category.PARTS)]["total"] == 0
    assert _months(rows[("department", DepartmentKind.SERVICE)], 3) == [1, 1, 0]
    assert _months(rows[("department", None)], 3) == [0, 0, 1]  # 未派发
    # SLA: met / (met + late) per clock (SPEC §9)
    assert _months(rows[("sla_met", "dispatch")], 3) == [1, 0, 0]
    assert _months(rows[("sla_late", "dispatch")], 3) == [0, 1, 1]
    assert rows[("sla_met", "dispatch")]["share"] == pytest.approx(1 / 3)
    assert rows[("sla_met", "contact")]["share"] == pytest.approx(1 / 3)
    assert _months(rows[("sla_late", "feedback")], 3) == [0, 1, 0]  # c3's feedback clock never started
    assert rows[("sla_met", "feedback")]["share"] == pytest.approx(1 / 2)
    # 表扬 / 批评 by department and by the staff member complained about (相关责任人, not the handler)
    assert COMPLAINED_STAFF == "complained_staff"
    assert _months(rows[("praised_department", DepartmentKind.SERVICE)], 3) == [1, 0, 0]
    staff = rows[("staff", q4["c1"].complained_staff_id)]
    assert (staff["section"], staff["item"], _months(staff, 3)) == ("批评·员工", "周顾问", [1, 1, 0])
    assert rows[("praised_staff", q4["c1"].complained_staff_id)]["total"] == 1


def test_quarterly_sla_equals_the_monthly_reports_one_rule(q4, store_a):
    """Each month's SLA counts in the quarterly report are the monthly report's (one figure, one rule)."""
    with time_machine.travel(NOW, tick=False):
        quarter = _rows(build_report("complaints_quarterly", store_ids=[store_a.id], month=dt.date(2026, 10, 1)))
        for i, month in enumerate((10, 11, 12)):
            monthly = build_report("complaints_monthly", store_ids=[store_a.id], month=dt.date(2026, month, 1))
            by_item = {r["item"]: r for r in monthly.rows if r["section"] == "时效达成"}
            clocks = (("dispatch", "30分钟内派发"), ("contact", "24小时内首次联系"), ("feedback", "48小时内部门反馈"))
            for clock, item in clocks:
                met, late = quarter[("sla_met", clock)][f"m{i}"], quarter[("sla_late", clock)][f"m{i}"]
                assert (met, met + late) == (by_item[item]["count"], by_item[item]["base"]), (month, clock)


def test_annual_report_covers_the_calendar_year(q4, store_a, store_b):
    with time_machine.travel(NOW, tick=False):
        table = build_report("complaints_annual", store_ids=[store_a.id], month=dt.date(2026, 3, 1))
        both = build_report("complaints_annual", store_ids=[store_a.id, store_b.id], month=dt.date(2026, 3, 1))
        next_year = build_report("complaints_annual", store_ids=[store_a.id], month=dt.date(2027, 6, 1))
    assert table.period_label == "2026年"
    assert len([c for c in table.columns if c.kind == "int" and c.key.startswith("m")]) == 12
    received = _rows(table)[("received",)]
    assert _months(received, 12) == [0] * 8 + [1, 1, 1, 1]  # Sept 30 23:59 is September's
    assert _months(_rows(both)[("received",)], 12)[10] == 2  # store B's November case
    assert _months(_rows(next_year)[("received",)], 12)[0] == 1  # Jan 1 00:00 is 2027's


def test_empty_quarter_has_zero_counts_and_empty_rates(store_a):
    table = build_report("complaints_quarterly", store_ids=[store_a.id], month=dt.date(2030, 1, 1))
    rows = _rows(table)
    assert rows[("received",)]["total"] == 0
    assert rows[("sla_met", "dispatch")]["share"] is None
    assert not [key for key in rows if key[0] in ("staff", "praised_staff")]


def test_export_report_command_writes_the_documented_columns(q4, store_a, tmp_path):
    out = tmp_path / "q.xlsx"
    with time_machine.travel(NOW, tick=False):
        call_command("export_report", "complaints_quarterly", "--month", "2026-12", "--store", "LA", "--out", str(out))
    ws = load_workbook(out).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "投诉季报（六安鑫宝丰田，2026年第4季度）"
    assert list(rows[1]) == ["统计项", "项目", "10月", "11月", "12月", "合计", "基数", "比例"]
    received = next(r for r in rows if r[1] == "受理投诉")
    assert list(received[2:6]) == [1, 1, 1, 3]
    dispatch = next(r for r in rows if r[1] == "30分钟内派发·达成")
    assert dispatch[7] == pytest.approx(1 / 3)
    assert ws.cell(row=rows.index(dispatch) + 1, column=8).number_format == "0.0%"


def test_page_filters_by_quarter_draws_charts_and_scopes_the_store(q4, client_for, cr_manager, store_b):
    url = reverse("reports:report", args=["complaints_quarterly"])
    with time_machine.travel(NOW, tick=False):
        client = client_for(cr_manager)  # logged in at NOW: the session is fresh then
        response = client.get(url, {"year": "2026", "quarter": "4"})
        assert response.status_code == 200
        body = response.content.decode()
        assert "2026年第4季度" in body
        assert 'data-testid="chart-sla"' in body and "report-charts-data" in body
        assert "周顾问" in body
        # another store's id: 404, never its figures
        assert client.get(url, {"year": "2026", "quarter": "4", "store": store_b.id}).status_code == 404
        # a bad year or quarter is a form error, not a crash
        assert client.get(url, {"year": "abc", "quarter": "9"}).status_code == 400
        download = client.get(
            reverse("reports:report_xlsx", args=["complaints_quarterly"]), {"year": "2026", "quarter": "4"}
        )
    assert download.status_code == 200
    assert "complaints_quarterly_2026-Q4.xlsx" in download["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    assert next(r for r in ws.iter_rows(values_only=True) if r[1] == "受理投诉")[5] == 3


def test_page_opens_on_the_quarter_of_last_month(client_for, cr_manager):
    with time_machine.travel(local(2027, 1, 5, 9, 0), tick=False):
        response = client_for(cr_manager).get(reverse("reports:report", args=["complaints_quarterly"]))
    assert response.status_code == 200
    assert "2026年第4季度" in response.content.decode()


def test_page_query_count_is_constant_in_rows(client_for, cr_manager, store_a, advisor, django_assert_max_num_queries):
    url = reverse("reports:report", args=["complaints_annual"])

    def add(n, start):
        for i in range(n):  # a staff member complained about each: more staff rows must not add queries
            _case(store_a, start + dt.timedelta(days=20 * i), complained_staff=StaffFactory(store=store_a))

    add(2, local(2026, 1, 10, 9, 0))
    with time_machine.travel(NOW, tick=False):
        client = client_for(cr_manager)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(18) as few:
        assert client.get(url, {"year": "2026"}).status_code == 200
    add(15, local(2026, 2, 10, 9, 0))
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url, {"year": "2026"}).status_code == 200
