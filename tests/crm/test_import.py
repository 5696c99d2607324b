"""The DMS import (SPEC §5): headers in either language, any column order, CSV in UTF-8 or GBK,
idempotence, bad rows reported with their row number, unusable files changing nothing."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from callbacks.models import CallbackTask
from crm.choices import CardType, StaffRole, WorkType
from crm.importing.runner import ImportFileError, import_file
from crm.models import Customer, Delivery, RepairOrder, RepairTeam, Staff, Vehicle, VehicleOwnership
from tests.crm.dms_files import (
    DELIVERY_HEADERS_ZH,
    RO_HEADERS_EN,
    RO_HEADERS_ZH,
    VIN_1,
    VIN_2,
    delivery_row,
    ro_row,
    write_csv,
    write_workbook,
)
from tests.factories import make_vin

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def counts(result, key):
    return {k: v for k, v in result.summary()[key].items() if k not in ("name", "warnings")}


@pytest.fixture
def both_sheets(tmp_path, store_a):
    return write_workbook(tmp_path / "dms.xlsx", {"交车": [delivery_row()], "工单": [ro_row()]})


def test_chinese_headers_create_the_customer_file(both_sheets, store_a):
    result = import_file(both_sheets)

    assert counts(result, "deliveries") == {"created": 1, "updated": 0, "unchanged": 0, "errors": 0}
    assert counts(result, "repair_orders") == {"created": 1, "updated": 0, "unchanged": 0, "errors": 0}
    customer = Customer.objects.get()
    assert (customer.store, customer.name, customer.mobile, customer.gender) == (store_a, "张伟", "13856781234", "M")
    assert (customer.landline, customer.id_number) == ("0564-3312345", "341502198506150010")
    assert customer.district == "金安区"
    assert customer.card_type == CardType.C  # the repair order made the A card a C card
    assert customer.first_service_at == dt.datetime(2026, 10, 20, 9, 0, tzinfo=SHANGHAI)
    vehicle = Vehicle.objects.get()
    assert (vehicle.vin, vehicle.plate, vehicle.series, vehicle.owner) == (VIN_1, "皖N8K123", "RAV4", customer)
    assert vehicle.purchase_date == dt.date(2026, 10, 5) and vehicle.warranty_end == dt.date(2028, 10, 5)
    assert vehicle.mileage_km == 4800
    assert VehicleOwnership.objects.get().customer == customer
    delivery = Delivery.objects.get()
    assert delivery.sales_consultant.name == "梁默" and delivery.sales_consultant.role == StaffRole.SALES_CONSULTANT
    assert delivery.purchase_type == "first"
    ro = RepairOrder.objects.get()
    assert ro.service_advisor.role == StaffRole.SERVICE_ADVISOR
    assert ro.service_advisor.department.kind == "service"
    assert ro.repair_team == RepairTeam.objects.get(store=store_a, name="维修一组")
    assert (ro.work_type, ro.estimate_amount, str(ro.amount)) == (WorkType.FIRST_MAINTENANCE, 480, "460.50")
    assert ro.is_rework is False
    # The post-import step of the callbacks app made both callback tasks.
    assert set(CallbackTask.objects.values_list("kind", flat=True)) == {"sales", "service"}


def test_reimport_changes_nothing_and_a_changed_row_updates(both_sheets, tmp_path, store_a):
    import_file(both_sheets)
    stamp = RepairOrder.objects.get().updated_at

    again = import_file(both_sheets)
    assert counts(again, "deliveries") == {"created": 0, "updated": 0, "unchanged": 1, "errors": 0}
    assert counts(again, "repair_orders") == {"created": 0, "updated": 0, "unchanged": 1, "errors": 0}
    assert RepairOrder.objects.get().updated_at == stamp
    assert (Customer.objects.count(), Vehicle.objects.count(), CallbackTask.objects.count()) == (1, 1, 2)

    changed = write_workbook(tmp_path / "changed.xlsx", {"工单": [ro_row(结算金额=520, 行驶里程=5100)]})
    result = import_file(changed)
    assert counts(result, "repair_orders") == {"created": 0, "updated": 1, "unchanged": 0, "errors": 0}
    ro = RepairOrder.objects.get()
    assert (ro.amount, ro.mileage_km) == (520, 5100)
    assert Vehicle.objects.get().mileage_km == 5100


def test_english_headers_shuffled_columns_and_extra_columns(tmp_path, store_a):
    headers = [*reversed(RO_HEADERS_EN), "dms_internal_id", "备注"]
    zh_to_en = dict(zip(RO_HEADERS_ZH, RO_HEADERS_EN, strict=True))
    row = {zh_to_en[k]: v for k, v in ro_row().items()} | {"dms_internal_id": 99, "备注": "x"}
    path = write_workbook(tmp_path / "en.xlsx", {"repair_orders": [row]}, headers={"repair_orders": headers})

    result = import_file(path)

    assert counts(result, "repair_orders")["created"] == 1
    assert RepairOrder.objects.get().ro_no == "WX2026100001"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_in_utf8_or_gbk_with_text_dates(tmp_path, store_a, encoding):
    rows = [
        ro_row(进厂时间="2026/10/5 8:30", 交车时间="2026-10-05 14:30", 预计交车时间="2026/10/05 15:00"),
        ro_row(工单号="WX2026100002", 进厂时间="2026-10-06", 交车时间="", 预计交车时间=None),
    ]
    path = write_csv(tmp_path / "repair_orders-2026-10.csv", rows, encoding=encoding, headers=RO_HEADERS_ZH)

    result = import_file(path)

    assert counts(result, "repair_orders") == {"created": 2, "updated": 0, "unchanged": 0, "errors": 0}
    first = RepairOrder.objects.get(ro_no="WX2026100001")
    assert first.opened_at == dt.datetime(2026, 10, 5, 8, 30, tzinfo=SHANGHAI)
    assert first.delivered_at == dt.datetime(2026, 10, 5, 14, 30, tzinfo=SHANGHAI)
    second = RepairOrder.objects.get(ro_no="WX2026100002")
    assert second.opened_at == dt.datetime(2026, 10, 6, tzinfo=SHANGHAI)
    assert second.delivered_at is None  # no 交车时间: no service callback yet
    assert CallbackTask.objects.filter(kind="service").count() == 1


def test_an_ro_at_2330_on_31_october_belongs_to_october(tmp_path, store_a):
    path = write_workbook(tmp_path / "ro.xlsx", {"工单": [ro_row(交车时间="2026-10-31 23:30")]})
    import_file(path)

    ro = RepairOrder.objects.get()
    assert ro.delivered_at == dt.datetime(2026, 10, 31, 15, 30, tzinfo=dt.UTC)
    assert RepairOrder.objects.filter(delivered_at__year=2026, delivered_at__month=10).count() == 1
    assert RepairOrder.objects.filter(delivered_at__month=11).count() == 0


BAD_ROWS = [  # a bad value in a required column, or a rule of SPEC §5: the row is not imported
    ("工单号", {"工单号": None}, "必填"),
    ("进厂时间", {"进厂时间": "2026-13-45"}, "无法识别的时间"),
    ("车架号", {"车架号": "LFMAP86C0H0000000"}, "车架号无效"),
    ("车架号", {"车架号": "LFMAP86CIH0123456"}, "车架号无效"),
    ("手机", {"手机": "12345678901"}, "手机号无效"),
    ("门店", {"门店": "XX"}, "未知的门店代码"),
]
BAD_OPTIONAL_VALUES = [  # a bad value in an optional column: dropped, the row imported, a warning
    ("交车时间", {"交车时间": "yesterday"}, "无法识别的时间"),
    ("车牌号", {"车牌号": "ABC123"}, "车牌号无效"),
    ("行驶里程", {"行驶里程": "四千"}, "整数"),
    ("维修类型", {"维修类型": "洗车"}, "首保"),
    ("结算金额", {"结算金额": "abc"}, "金额"),
    ("是否返修", {"是否返修": "也许"}, "是 或 否"),
]


def test_every_bad_row_kind_is_reported_with_its_row_number_and_good_rows_import(tmp_path, store_a):
    rows = [ro_row(工单号="GOOD-1")]
    for i, (_column, change, _reason) in enumerate(BAD_ROWS):
        rows.append(ro_row(工单号=f"BAD-{i}", **change) if "工单号" not in change else ro_row(**change))
    for i, (_column, change, _reason) in enumerate(BAD_OPTIONAL_VALUES):
        rows.append(ro_row(工单号=f"WARN-{i}", **change))
    rows.append(ro_row(工单号="GOOD-2", 车架号=VIN_2))
    path = write_workbook(tmp_path / "bad.xlsx", {"工单": rows}, headers={"工单": RO_HEADERS_ZH})

    result = import_file(path)

    created = 2 + len(BAD_OPTIONAL_VALUES)
    assert counts(result, "repair_orders") == {
        "created": created,
        "updated": 0,
        "unchanged": 0,
        "errors": len(BAD_ROWS),
    }
    assert result.summary()["repair_orders"]["warnings"] == len(BAD_OPTIONAL_VALUES)
    warned = {f"WARN-{i}" for i in range(len(BAD_OPTIONAL_VALUES))}
    assert set(RepairOrder.objects.values_list("ro_no", flat=True)) == {"GOOD-1", "GOOD-2"} | warned
    by_row = {p.row: p for p in result.problems}
    for i, (column, _change, reason) in enumerate(BAD_ROWS):
        problem = by_row[i + 3]  # header is row 1, GOOD-1 row 2
        assert problem.sheet == "工单" and problem.column == column and not problem.ignored, problem
        assert reason in problem.reason, problem
    for i, (column, _change, reason) in enumerate(BAD_OPTIONAL_VALUES):
        problem = by_row[i + 3 + len(BAD_ROWS)]
        assert problem.column == column and problem.ignored and problem.action == "已忽略", problem
        assert reason in problem.reason, problem
    # The dropped value is left empty; the rest of its row is there.
    assert RepairOrder.objects.get(ro_no="WARN-2").mileage_km is None
    assert RepairOrder.objects.get(ro_no="WARN-4").estimate_amount == 480


def test_delivery_bad_id_number_and_gender(tmp_path, store_a):
    rows = [delivery_row(身份证号="34150219850615001X"), delivery_row(销售协议号="XS2", 性别="未知")]
    path = write_workbook(tmp_path / "d.xlsx", {"交车": rows}, headers={"交车": DELIVERY_HEADERS_ZH})

    result = import_file(path)

    assert [(p.row, p.column, p.ignored) for p in result.problems] == [(2, "身份证号", True), (3, "性别", True)]
    assert result.error_count == 0 and Delivery.objects.count() == 2  # optional columns: values dropped
    customer = Customer.objects.get()  # row 2's 性别 and row 3's 身份证号 are kept, the bad ones erase nothing
    assert (customer.gender, customer.id_number) == ("M", "341502198506150010")


def test_rows_without_a_store_column_use_the_default_store(tmp_path, store_a, store_b):
    row = {k: v for k, v in ro_row().items() if k != "门店"}
    path = write_workbook(tmp_path / "ro.xlsx", {"工单": [row]})

    assert import_file(path).problems  # two stores and no --store: the row cannot be placed
    result = import_file(path, store=store_b)
    assert counts(result, "repair_orders")["created"] == 1
    assert RepairOrder.objects.get().store == store_b


def test_a_vehicle_sold_on_changes_owner_and_keeps_its_history(tmp_path, store_a):
    import_file(write_workbook(tmp_path / "1.xlsx", {"交车": [delivery_row()]}))
    later = ro_row(客户姓名="李娜", 手机="13912345678", 进厂时间=dt.datetime(2026, 11, 2, 9, 0))
    import_file(write_workbook(tmp_path / "2.xlsx", {"工单": [later]}))

    vehicle = Vehicle.objects.get()
    assert vehicle.owner.name == "李娜"
    ownerships = VehicleOwnership.objects.order_by("started_on")
    history = list(ownerships.values_list("customer__name", "started_on", "ended_on"))
    assert history == [
        ("张伟", dt.date(2026, 10, 5), dt.date(2026, 11, 2)),
        ("李娜", dt.date(2026, 11, 2), None),
    ]
    # An older visit of the first owner, imported afterwards, does not take the car back.
    older = ro_row(工单号="OLD", 进厂时间=dt.datetime(2026, 10, 9, 9))
    import_file(write_workbook(tmp_path / "3.xlsx", {"工单": [older]}))
    assert Vehicle.objects.get().owner.name == "李娜"


def test_empty_cells_do_not_erase_what_the_file_knows(tmp_path, store_a):
    import_file(write_workbook(tmp_path / "1.xlsx", {"交车": [delivery_row()]}))
    import_file(write_workbook(tmp_path / "2.xlsx", {"交车": [delivery_row(地址=None, 固定电话="")]}))
    customer = Customer.objects.get()
    assert (customer.address, customer.landline) == ("六安市金安区人民路18号", "0564-3312345")


def test_staff_are_created_once_per_store(tmp_path, store_a):
    rows = [ro_row(工单号=f"R{i}", 车架号=make_vin()) for i in range(5)]
    import_file(write_workbook(tmp_path / "r.xlsx", {"工单": rows}))
    assert Staff.objects.filter(name="梁诚").count() == 1


# --- unusable files ---------------------------------------------------------------------------


def test_a_corrupt_file_fails_with_one_line_and_changes_nothing(tmp_path, store_a):
    path = tmp_path / "dms.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(ImportFileError, match="不是有效的 Excel 工作簿"):
        import_file(path)

    text = tmp_path / "notes.docx"
    text.write_bytes(b"\x00\x01binary")
    with pytest.raises(ImportFileError, match="只接受"):
        import_file(text)


def test_a_workbook_with_no_known_sheet_fails_and_changes_nothing(tmp_path, store_a):
    path = write_workbook(tmp_path / "x.xlsx", {"Sheet1": [{"a": 1}], "客户": [{"b": 2}]})
    with pytest.raises(ImportFileError) as info:
        import_file(path)
    assert "Sheet1" in str(info.value) and "工单/repair_orders" in str(info.value)
    assert Customer.objects.count() == 0


def test_a_known_sheet_missing_a_required_column_fails_before_any_sheet_imports(tmp_path, store_a):
    ro = {k: v for k, v in ro_row().items() if k != "服务顾问"}
    path = write_workbook(tmp_path / "x.xlsx", {"交车": [delivery_row()], "工单": [ro]})
    with pytest.raises(ImportFileError, match="服务顾问"):
        import_file(path)
    assert Delivery.objects.count() == 0


def test_a_csv_named_after_no_sheet_fails(tmp_path, store_a):
    path = write_csv(tmp_path / "export.csv", [ro_row()])
    with pytest.raises(ImportFileError, match="repair_orders"):
        import_file(path)


# --- the command ------------------------------------------------------------------------------


def run_command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_dms", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_command_prints_one_line_per_sheet_and_exits_0(both_sheets):
    code, out, _err = run_command(str(both_sheets))
    assert code == 0
    assert out.splitlines() == [
        "deliveries: created 1, updated 0, unchanged 0, errors 0",
        "repair_orders: created 1, updated 0, unchanged 0, errors 0",
    ]


def test_command_exits_1_on_bad_rows_and_writes_the_error_report(tmp_path, store_a):
    path = write_workbook(tmp_path / "r.xlsx", {"工单": [ro_row(), ro_row(工单号="B", 手机="123")]})
    report = tmp_path / "errors.xlsx"

    code, out, _err = run_command(str(path), "--errors-out", str(report))

    assert code == 1
    assert out.strip() == "repair_orders: created 1, updated 0, unchanged 0, errors 1"
    rows = list(load_workbook(report).active.iter_rows(values_only=True))
    assert rows[0] == ("工作表 sheet", "行号 row", "列 column", "原因 reason", "处理 action")
    assert rows[1][:3] == ("工单", 3, "手机") and "手机号无效" in rows[1][3] and rows[1][4] == "未导入"


def test_command_exits_2_with_one_line_for_an_unusable_file(tmp_path, store_a):
    from django.core.management.base import CommandError

    path = tmp_path / "x.xlsx"
    path.write_text("garbage")
    with pytest.raises(CommandError) as info:
        call_command("import_dms", str(path))
    assert info.value.returncode == 2 and "\n" not in str(info.value)
    with pytest.raises(CommandError) as info:
        call_command("import_dms", str(path), "--store", "NOPE")
    assert info.value.returncode == 2


# --- cell parsers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-10-05", dt.date(2026, 10, 5)),
        ("2026/10/5", dt.date(2026, 10, 5)),
        ("2026.10.05", dt.date(2026, 10, 5)),
        ("20261005", dt.date(2026, 10, 5)),
        ("2026年10月5日", dt.date(2026, 10, 5)),
        ("２０２６－１０－０５", dt.date(2026, 10, 5)),
        ("2026-10-05 00:00:00", dt.date(2026, 10, 5)),
        (dt.datetime(2026, 10, 5, 0, 0), dt.date(2026, 10, 5)),
        (46300, dt.date(2026, 10, 5)),  # an Excel serial number in an unformatted cell
        ("", None),
    ],
)
def test_date_parser(raw, expected):
    from crm.importing import parsers

    assert parsers.date(raw) == expected


@pytest.mark.parametrize("raw", ["2026-02-30", "next week", "10/05/2026", -3])
def test_date_parser_rejects(raw):
    from crm.importing import parsers
    from crm.importing.registry import CellError

    with pytest.raises(CellError):
        parsers.date(raw)


def test_datetime_and_number_parsers():
    from decimal import Decimal

    from crm.importing import parsers

    assert parsers.datetime("2026-10-05 14:30") == dt.datetime(2026, 10, 5, 14, 30, tzinfo=SHANGHAI)
    assert parsers.datetime("2026/10/5 8:05:09") == dt.datetime(2026, 10, 5, 8, 5, 9, tzinfo=SHANGHAI)
    assert parsers.datetime(dt.datetime(2026, 10, 5, 14, 30, tzinfo=dt.UTC)).hour == 14  # aware stays as is
    assert parsers.mobile(13856781234.0) == "13856781234"  # a number cell
    assert parsers.mobile("+86 138 5678 1234") == "13856781234"
    assert parsers.money("¥1,280.5") == Decimal("1280.50")
    assert parsers.integer("12,000") == 12000
    assert parsers.vin(VIN_1.lower()) == VIN_1
