"""The shared report format: .xlsx read back with openpyxl, the streamed download, export_report."""

import datetime as dt
import io
import subprocess
import sys
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from crm.reporting import ReportColumn, ReportTable, local_time, rate, write_xlsx, xlsx_response
from reports import registry

SHANGHAI = dt.timezone(dt.timedelta(hours=8))

COLUMNS = [
    ReportColumn("who", "销售顾问", "text", 14),
    ReportColumn("n", "交车数", "int", 8),
    ReportColumn("ok_rate", "回访成功率", "rate", 10),
    ReportColumn("at", "回访时间", "datetime", 18),
]


def sample_table(rows=None, title="销售顾问满意率统计表"):
    return ReportTable(
        name="sample",
        title=title,
        store_label="六安鑫宝丰田",
        period_label="2026年10月",
        columns=COLUMNS,
        rows=rows
        if rows is not None
        else [
            {"who": "张三", "n": 4, "ok_rate": rate(3, 4), "at": dt.datetime(2026, 10, 31, 15, 30, tzinfo=dt.UTC)},
            {"who": "李四", "n": 0, "ok_rate": rate(0, 0), "at": None},
        ],
        total_row={"n": 4, "ok_rate": rate(3, 4)},
    )


def test_rate_is_empty_on_zero_denominator():
    assert rate(0, 0) is None
    assert rate(3, None) is None
    assert rate(0, 5) == 0
    assert rate(1, 4) == 0.25


def test_xlsx_title_headers_total_and_formats(tmp_path):
    path = tmp_path / "t.xlsx"
    assert write_xlsx(sample_table(), str(path)) == 2
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.title == "销售顾问满意率统计表"
    assert ws["A1"].value == "销售顾问满意率统计表（六安鑫宝丰田，2026年10月）"
    assert ws["A1"].font.bold
    assert [c.value for c in ws[2]] == ["销售顾问", "交车数", "回访成功率", "回访时间"]
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["A"].width == 14
    assert ws.column_dimensions["D"].width == 18
    # rows: a rate as a number with a percent format, a local (Shanghai) wall time, an empty rate
    assert [c.value for c in ws[3]] == ["张三", 4, 0.75, dt.datetime(2026, 10, 31, 23, 30)]
    assert ws["C3"].number_format == "0.0%"
    assert ws["D3"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["C4"].value is None
    # the total row comes last, labelled 合计, in bold
    assert [c.value for c in ws[5]] == ["合计", 4, 0.75, None]
    assert ws["A5"].font.bold
    assert ws["C5"].number_format == "0.0%"
    assert ws.max_row == 5


def test_xlsx_cell_values_by_type_and_kind(tmp_path):
    """What crm.xlsx_sheet writes for each kind of value, read back with openpyxl."""
    columns = [
        ReportColumn("text", "文本"),
        ReportColumn("amount", "金额", "number"),
        ReportColumn("share", "占比", "rate"),
        ReportColumn("at", "时间", "datetime"),
        ReportColumn("on", "日期", "date"),
    ]
    rows = [
        {"text": "  A&B <c> ", "amount": Decimal("12.50"), "share": Decimal("0.25"), "on": dt.date(2026, 10, 1)},
        {
            "text": "一\n二\x07三\ufffe",
            "amount": True,
            "at": dt.date(2026, 5, 5),
            "on": dt.datetime(2026, 5, 31, 20, tzinfo=dt.UTC),
        },
        {"text": 42, "amount": float("nan"), "at": dt.datetime(1900, 2, 28, 12, 0), "on": dt.date(1900, 1, 15)},
        {"text": Decimal("7.1"), "amount": "待定", "share": "—", "at": dt.datetime(2026, 1, 1, 8, 5, 30)},
        {"text": "x" * 40_000, "amount": gettext_lazy("合计"), "share": mark_safe("全部")},
    ]
    table = ReportTable("t", "类型", "门店", "2026年10月", columns, rows=rows, total_row={"share": 0.5})
    path = tmp_path / "types.xlsx"
    assert write_xlsx(table, path) == 5
    ws = load_workbook(path).active
    assert [c.value for c in ws[3]] == ["  A&B <c> ", 12.5, 0.25, None, dt.datetime(2026, 10, 1)]
    assert ws["C3"].number_format == "0.0%" and ws["E3"].number_format == "yyyy-mm-dd"
    # a control character XML cannot carry is dropped; a date in a datetime column keeps that
    # column's format; an aware datetime in a date column is its local (Shanghai) date and time
    assert [c.value for c in ws[4]] == ["一\n二三", True, None, dt.datetime(2026, 5, 5), dt.datetime(2026, 6, 1, 4)]
    assert ws["D4"].number_format == "yyyy-mm-dd hh:mm" and ws["E4"].number_format == "yyyy-mm-dd"
    # numbers stay numbers in a text column; NaN is an empty cell; dates before March 1900 survive
    # Excel's phantom 29 February 1900
    assert [c.value for c in ws[5]] == [42, None, None, dt.datetime(1900, 2, 28, 12), dt.datetime(1900, 1, 15)]
    # a Decimal in a text column is text; a label in a numeric column is text without a number format
    assert [c.value for c in ws[6]] == ["7.1", "待定", "—", dt.datetime(2026, 1, 1, 8, 5, 30), None]
    assert ws["C6"].data_type == "s" and ws["C6"].number_format == "General"
    # Excel's limit; a lazy translation and a SafeString are text too
    assert [c.value for c in ws[7]] == ["x" * 32_767, "合计", "全部", None, None]
    # the 合计 row is bold across the table, its empty cells included
    assert [c.value for c in ws[8]] == ["合计", None, 0.5, None, None]
    assert all(c.font.bold for c in ws[8])
    assert ws["C8"].number_format == "0.0%"


def test_a_figure_column_writes_each_figure_as_a_number_in_its_own_format(tmp_path):
    """Table 15's results: a mean and a share in one column, each a number with its format; a label
    stays text; the page shows the figure's text; a frozen package keeps the figure."""
    from crm.reporting import Figure, format_cell
    from reports.packages.snapshot import table_freeze, table_thaw

    mean, share = Figure(8.5, '0.00"分"', "8.50分"), Figure(0.853, "0.0%", "85.3%")
    table = ReportTable(
        name="t",
        title="T",
        store_label="S",
        period_label="P",
        columns=[ReportColumn("who", "项目"), ReportColumn("r", "结果", "figure")],
        rows=[{"who": "a", "r": mean}, {"who": "b", "r": share}, {"who": "c", "r": None}],
        total_row={"r": "共 2 项"},
    )
    for written in (table, table_thaw(table_freeze(table))):
        out = tmp_path / "f.xlsx"
        write_xlsx(written, str(out))
        cells = [r[1] for r in load_workbook(out).active.iter_rows(min_row=3)]
        assert [c.value for c in cells] == [8.5, 0.853, None, "共 2 项"]
        assert [c.number_format for c in cells[:2]] == ['0.00"分"', "0.0%"]
    assert format_cell(mean, "figure") == "8.50分" and format_cell(share, "figure") == "85.3%"


@pytest.mark.django_db
def test_local_time_fetches_wall_time_that_the_writer_keeps(tmp_path):
    from crm.models import RepairOrder
    from tests.factories import RepairOrderFactory

    RepairOrderFactory(opened_at=dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.UTC))
    rows = RepairOrder.objects.values_list("ro_no", local_time("opened_at"))
    assert [at for _, at in rows] == [dt.datetime(2026, 11, 1, 0, 30)]  # Asia/Shanghai, naive
    columns = [ReportColumn("ro", "工单号"), ReportColumn("at", "进厂时间", "datetime")]
    path = tmp_path / "ro.xlsx"
    write_xlsx(ReportTable("ro", "工单", "门店", "2026年10月", columns, rows=rows.iterator()), path)
    assert load_workbook(path).active["B3"].value == dt.datetime(2026, 11, 1, 0, 30)


def test_several_tables_give_several_sheets_with_unique_names():
    out = io.BytesIO()
    write_xlsx([sample_table(), sample_table(title="销售顾问满意率统计表"), sample_table(title="A/B:C")], out)
    wb = load_workbook(io.BytesIO(out.getvalue()))
    assert wb.sheetnames == ["销售顾问满意率统计表", "销售顾问满意率统计表2", "A_B_C"]


def test_generator_rows_and_sequence_rows(tmp_path):
    rows = (["王五", i, None, None] for i in range(3))
    path = tmp_path / "g.xlsx"
    assert write_xlsx(sample_table(rows=rows), path) == 3
    ws = load_workbook(path).active
    assert [ws.cell(row=r, column=2).value for r in range(3, 6)] == [0, 1, 2]


def test_xlsx_response_streams_the_same_workbook():
    response = xlsx_response(sample_table(), "报表.xlsx")
    assert response.streaming
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(body)).active
    assert ws["A2"].value == "销售顾问"


@pytest.fixture
def dummy_report():
    def builder(*, store_ids, month):
        table = sample_table()
        table.period_label = f"{month:%Y-%m}"
        table.store_label = str(store_ids)
        return table

    registry.register_report("dummy_test", "测试报表", builder)
    yield
    registry._REPORTS.pop("dummy_test", None)


def test_export_report_writes_the_file_and_an_audit_entry(dummy_report, store_a, tmp_path):
    out = tmp_path / "x.xlsx"
    call_command("export_report", "dummy_test", "--month", "2026-10", "--store", "LA", "--out", str(out))
    ws = load_workbook(out).active
    assert ws["A1"].value == f"销售顾问满意率统计表（[{store_a.id}]，2026-10）"
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)  # (creating store_a is logged too)
    assert entry.action == LogEntry.Action.ACCESS
    assert entry.additional_data == {
        "event": "report_export",
        "report": "dummy_test",
        "month": "2026-10",
        "store_ids": [store_a.id],
        "rows": 2,
        "via": "command",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no_such_report", "--month", "2026-10"], "未知报表"),
        (["dummy_test", "--month", "2026-13"], "月份格式"),
        (["dummy_test", "--month", "oct"], "月份格式"),
        (["dummy_test", "--month", "2026-10", "--store", "NOPE"], "未知门店"),
    ],
)
def test_export_report_bad_input_is_one_clear_error_with_exit_2(dummy_report, db, tmp_path, args, message):
    with pytest.raises(CommandError) as exc:
        call_command("export_report", *args, "--out", str(tmp_path / "x.xlsx"))
    assert exc.value.returncode == 2
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)
    assert not (tmp_path / "x.xlsx").exists()
    assert not LogEntry.objects.exists()


def test_export_report_cli_exit_code(tmp_path):
    proc = subprocess.run(
        [sys.executable, "manage.py", "export_report", "nope", "--month", "2026-10", "--out", str(tmp_path / "x.xlsx")],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "未知报表" in proc.stderr
