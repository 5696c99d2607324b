"""Hostile and mangled files in the DMS import (issue 12): zip bombs, entity bombs and huge cells
fail the file with one line and change nothing; values too long or too large for their column are
bad values, never a database error; a bad value in an optional column is dropped with a warning
(已忽略) and its row imported; headers are NFKC-normalised and a duplicated one fails the file;
legacy .xls and .ods workbooks import."""

import csv
import io
import random
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from crm.importing import readers, runner
from crm.importing.parsers import text
from crm.importing.runner import import_file
from crm.models import Customer, Delivery, RepairOrder, Staff, Vehicle
from crm.validators import is_valid_id_number
from tests.crm.dms_files import (
    DELIVERY_HEADERS_ZH,
    RO_HEADERS_ZH,
    delivery_row,
    ods_cell,
    ro_row,
    write_csv,
    write_ods,
    write_ods_xml,
    write_workbook,
)
from tests.factories import make_vin

pytestmark = pytest.mark.django_db
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
FIXTURES = Path(__file__).parent / "fixtures"


def _ros(n: int, **over) -> list[dict]:
    return [
        ro_row(工单号=f"WX{i:03d}", 车架号=make_vin(), 手机=f"139{i:08d}", 客户姓名=f"客户{i}", **over)
        for i in range(n)
    ]


def _cell_xml(ref: str, value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    shown = value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else str(value)
    return f'<c r="{ref}" t="inlineStr"><is><t>{shown}</t></is></c>'


def sheet_xml(rows: list[dict], *, doctype: str = "", tail: str = "", between: str = "") -> str:
    """The 工单 sheet as XML: a header row and `rows`, then `tail` (raw row XML) at the end;
    `between` is put between rows (whitespace, say)."""
    lines = [RO_HEADERS_ZH, *([row[h] for h in RO_HEADERS_ZH] for row in rows)]
    body = between.join(
        f'<row r="{n}">'
        + "".join(_cell_xml(f"{chr(65 + i)}{n}", v) for i, v in enumerate(line) if v is not None)
        + "</row>"
        for n, line in enumerate(lines, start=1)
    )
    return f'<?xml version="1.0"?>{doctype}<worksheet xmlns="{MAIN_NS}"><sheetData>{body}{tail}</sheetData></worksheet>'


def hostile_xlsx(path: Path, sheet: str, *, parts: dict[str, bytes] | None = None) -> Path:
    """A workbook with one sheet 工单 whose XML is `sheet`, and other parts added or replaced."""
    workbook = Workbook()
    workbook.active.title = "工单"
    workbook.save(path)
    with zipfile.ZipFile(path) as src:
        members = {name: src.read(name) for name in src.namelist()}
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    members |= parts or {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return path


def run_command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_dms", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (RepairOrder, Delivery, Customer, Vehicle, Staff))


def assert_exit_2_one_line(path: Path, *fragments: str) -> None:
    before = _counts()
    with pytest.raises(CommandError) as info:
        call_command("import_dms", str(path))
    message = str(info.value)
    assert info.value.returncode == 2 and "\n" not in message and "Traceback" not in message
    for fragment in fragments:
        assert fragment in message, message
    assert _counts() == before  # nothing changed


# --- zip bombs: measured before any parser runs ------------------------------------------------


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/worksheets/sharedStrings.xml"])
def test_shared_strings_that_inflate_past_the_limit_fail_before_they_are_parsed(
    tmp_path, store_a, settings, monkeypatch, part
):
    """Wherever the shared strings live (beside the sheets, hoping for their larger limit), they
    are held to the limit of a part read whole."""
    # The attacker's shape: a tiny file whose shared-string table unpacks to far more than the limit.
    settings.DMS_IMPORT_MAX_PART_BYTES = 1024 * 1024
    settings.DMS_IMPORT_MAX_RATIO = 10**6  # the size limit alone must refuse it
    strings = f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>{"钱" * 1_000_000}</t></si></sst>'
    content_types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        f'<Override PartName="/{part}" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    parts = {part: strings.encode(), "[Content_Types].xml": content_types.encode()}
    path = hostile_xlsx(tmp_path / "bomb.xlsx", sheet_xml(_ros(2)), parts=parts)
    assert path.stat().st_size < 64 * 1024
    monkeypatch.setattr(
        "openpyxl.reader.excel.ExcelReader.read_strings", lambda self: pytest.fail("parsed before being measured")
    )

    assert_exit_2_one_line(path, part, "超过上限 1 MB")


def test_a_whitespace_sheet_fails_on_its_compression_ratio(tmp_path, store_a):
    # 400 MB of whitespace in the original; 8 MB here has the same ratio (about 1000:1).
    path = hostile_xlsx(tmp_path / "blank.xlsx", sheet_xml(_ros(2), between=" " * 8_000_000))

    assert_exit_2_one_line(path, "xl/worksheets/sheet1.xml", "压缩比")


def test_a_zip_that_understates_a_members_size_gets_no_more_past_the_check(tmp_path, store_a):
    """The checks trust the sizes in the zip directory: a member that says it is small is cut
    there by zipfile (and fails its CRC), so it cannot inflate past what it declared."""
    path = hostile_xlsx(tmp_path / "liar.xlsx", sheet_xml(_ros(200)))
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    # The local header (name at 30, size at 22) and the central directory's (name at 46, size at 24).
    for signature, name_at, size_at in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
        header = next(i for i in _all(data, signature) if data[i + name_at :].startswith(name))
        data[header + size_at : header + size_at + 4] = (1000).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 1000

    assert_exit_2_one_line(path, "不是有效的 Excel 工作簿")


def _all(data: bytearray, needle: bytes):
    start = data.find(needle)
    while start != -1:
        yield start
        start = data.find(needle, start + 1)


def test_a_legitimate_sheet_passes_the_ratio_check(tmp_path, store_a):
    path = write_workbook(tmp_path / "ok.xlsx", {"工单": _ros(300)})
    assert import_file(path).summary()["repair_orders"]["created"] == 300


# --- parser errors anywhere in a sheet: exit 2, one line, nothing imported ------------------------


BILLION_LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
    + "]>"
)


def test_a_billion_laughs_entity_in_the_last_row_fails_the_file_before_any_row_imports(tmp_path, store_a):
    tail = '<row r="9"><c r="A9" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    path = hostile_xlsx(tmp_path / "laughs.xlsx", sheet_xml(_ros(3), doctype=BILLION_LAUGHS, tail=tail))

    assert_exit_2_one_line(path, "不是有效的 Excel 工作簿", "DOCTYPE")


def test_xml_that_breaks_in_the_last_row_fails_the_file_before_any_row_imports(tmp_path, store_a):
    tail = '<row r="9"><c r="A9" t="inlineStr"><is><t>broken</is></c></row>'
    path = hostile_xlsx(tmp_path / "broken.xlsx", sheet_xml(_ros(3), tail=tail))

    assert_exit_2_one_line(path, "不是有效的 Excel 工作簿", "ExpatError")


def test_a_cell_past_the_xml_parsers_text_limit_fails_its_row_only(tmp_path, store_a, settings):
    settings.DMS_IMPORT_MAX_RATIO = 10**6  # the parser, not the zip check, gets this one
    rows = _ros(3)
    rows[2]["维修班组"] = "x" * 11_000_000  # libxml2 refuses text nodes over 10 MB unless told otherwise
    path = hostile_xlsx(tmp_path / "huge.xlsx", sheet_xml(rows))

    result = import_file(path)

    assert RepairOrder.objects.count() == 3
    [warning] = result.warnings
    assert warning.row == 4 and "内容过长（11000000 个字符" in warning.reason


def test_a_row_of_more_cells_than_excel_has_columns_fails_the_file(tmp_path, store_a):
    tail = '<row r="9">' + "<c><v>1</v></c>" * 16_385 + "</row>"
    path = hostile_xlsx(tmp_path / "wide.xlsx", sheet_xml(_ros(3), tail=tail))

    assert_exit_2_one_line(path, "16384")


def test_bad_cell_xml_is_a_bad_value_not_a_crash(tmp_path, store_a):
    # A number cell holding text and a shared string that does not exist: the row's value is bad.
    rows = _ros(2)
    rows[1]["行驶里程"] = None
    xml = sheet_xml(rows).replace(
        "</row></sheetData>", '<c r="J3"><v>12abc</v></c><c r="L3" t="s"><v>7</v></c></row></sheetData>'
    )
    result = import_file(hostile_xlsx(tmp_path / "cells.xlsx", xml))

    assert result.error_count == 0 and RepairOrder.objects.count() == 2
    assert {(p.row, p.column) for p in result.warnings} == {(3, "行驶里程")}
    assert RepairOrder.objects.get(ro_no="WX001").repair_team.name == "#REF!"


# --- values too long or too large: row errors (required) or warnings (optional) ------------------


def test_a_million_character_name_fails_its_row_and_the_batch_keeps_its_good_rows(tmp_path, store_a):
    rows = _ros(3)
    rng = random.Random(12)
    rows[1]["客户姓名"] = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(1_000_000))  # incompressible
    rows[2]["客户姓名"] = "李" * 51  # under the cell cap, over the column's 50
    path = hostile_xlsx(tmp_path / "long.xlsx", sheet_xml(rows))  # openpyxl would cut the name at 32,767

    code, out, err = run_command(str(path))

    assert code == 1 and "Traceback" not in err
    assert out.strip() == "repair_orders: created 1, updated 0, unchanged 0, errors 2"
    assert "error: 工单 row 3 [客户姓名]: 内容过长（1000000 个字符，上限 32767）" in err
    assert "error: 工单 row 4 [客户姓名]: 超过 50 个字符（51 个）" in err
    assert list(RepairOrder.objects.values_list("ro_no", flat=True)) == ["WX000"]


def test_a_mileage_of_ten_to_the_twentieth_is_dropped_with_a_warning(tmp_path, store_a):
    rows = _ros(3)
    rows[1]["行驶里程"] = 10**20
    rows[2]["行驶里程"] = "100000000000000000000"
    rows[2]["结算金额"] = "99999999999.99"  # money's own limit is 1e10; the column holds 10 digits
    path = write_csv(tmp_path / "repair_orders-big.csv", rows)

    code, out, err = run_command(str(path))

    assert code == 0, err
    assert out.strip() == "repair_orders: created 3, updated 0, unchanged 0, errors 0"
    assert "warning: repair_orders-big.csv row 3 [行驶里程]: 超出范围（0 至 2147483647）" in err
    assert "(已忽略)" in err and "row 4 [结算金额]" in err
    ro = RepairOrder.objects.get(ro_no="WX001")
    assert ro.mileage_km is None and ro.vehicle.mileage_km is None
    assert RepairOrder.objects.get(ro_no="WX000").mileage_km == 4800


def test_a_database_error_falls_back_to_row_by_row(tmp_path, store_a, monkeypatch):
    """If a value still reaches the database and is refused, the batch runs again row by row: the
    good rows land (with the staff the rolled-back batch had created) and the bad one is reported."""
    monkeypatch.setattr(runner, "check_fits", lambda column, value: None)
    rows = _ros(4)
    rows[2]["行驶里程"] = 10**12
    path = write_workbook(tmp_path / "db.xlsx", {"工单": rows})

    result = import_file(path)

    assert result.summary()["repair_orders"]["created"] == 3 and result.error_count == 1
    [problem] = result.errors
    assert problem.row == 4 and "数据库拒绝了此行" in problem.reason
    assert set(RepairOrder.objects.values_list("ro_no", flat=True)) == {"WX000", "WX001", "WX003"}
    assert RepairOrder.objects.filter(service_advisor__name="梁诚").count() == 3


def test_a_million_character_csv_field_is_a_row_error_and_a_runaway_quote_a_file_error(tmp_path, store_a, monkeypatch):
    rows = _ros(3)
    rows[1]["客户姓名"] = "王" * 1_000_000  # over csv's default 131,072 field limit
    rows[2]["维修班组"] = "组" * 1_000_000  # optional: dropped, the row imported
    path = write_csv(tmp_path / "repair_orders-long.csv", rows)

    result = import_file(path)

    assert [(p.row, p.column, p.ignored) for p in result.problems] == [(3, "客户姓名", False), (4, "维修班组", True)]
    assert set(RepairOrder.objects.values_list("ro_no", flat=True)) == {"WX000", "WX002"}
    assert RepairOrder.objects.get(ro_no="WX002").repair_team is None

    # A quote never closed swallows the rest of the file into one field past the reader's limit.
    monkeypatch.setattr(readers, "CSV_FIELD_LIMIT", 5_000)
    broken = tmp_path / "repair_orders-broken.csv"
    good = path.read_text(encoding="utf-8-sig").splitlines()[:2]
    broken.write_text("\n".join([*good, 'WX9,"LA' + "x" * 10_000, *good[1:]]) + "\n", encoding="utf-8")
    assert_exit_2_one_line(broken, "第 3 行附近不是有效的 CSV", "field larger than field limit")
    csv.field_size_limit(readers.CSV_FIELD_LIMIT)


# --- headers ----------------------------------------------------------------------------------


def test_headers_are_nfkc_normalised(tmp_path, store_a):
    renamed = {"工单号": "工单号\u3000", "手机": "ｍｏｂｉｌｅ", "车架号": "ＶＩＮ", "客户姓名": "客户 姓名"}
    rows = [{renamed.get(k, k): v for k, v in row.items()} for row in _ros(2)]
    result = import_file(write_workbook(tmp_path / "wide.xlsx", {"工单": rows}))

    assert result.summary()["repair_orders"]["created"] == 2 and not result.problems


def test_a_duplicated_known_header_fails_the_file(tmp_path, store_a):
    headers = [*RO_HEADERS_ZH, "mobile"]
    rows = [ro_row() | {"mobile": "13900000000"}]
    path = write_workbook(tmp_path / "dup.xlsx", {"工单": rows}, headers={"工单": headers})

    assert_exit_2_one_line(path, "“手机”出现了两次", "I 列和 Q 列")


# --- values a spreadsheet program mangled: optional ones are dropped, the delivery imported -------


ID_NUMBER = "341502198506150010"


def test_an_id_number_turned_into_a_float_is_dropped_and_the_delivery_imported(tmp_path, store_a):
    mangled = float(ID_NUMBER)
    assert not is_valid_id_number(text(mangled))  # its last digits are lost
    rows = [delivery_row(身份证号=mangled), delivery_row(销售协议号="XS2", 车架号=make_vin(), 客户姓名="李娜")]
    path = write_workbook(tmp_path / "calc.xlsx", {"交车": rows}, headers={"交车": DELIVERY_HEADERS_ZH})
    report = tmp_path / "report.xlsx"

    code, out, _err = run_command(str(path), "--errors-out", str(report))

    assert code == 0 and out.strip() == "deliveries: created 2, updated 0, unchanged 0, errors 0"
    assert Delivery.objects.count() == 2 and Customer.objects.get(name="张伟").id_number == ""
    lines = list(load_workbook(report).active.values)
    assert lines[0][4] == "处理 action"
    assert lines[1][:3] == ("交车", 2, "身份证号") and "身份证号无效" in lines[1][3] and lines[1][4] == "已忽略"


def test_a_dropped_value_leaves_the_stored_one_alone(tmp_path, store_a):
    import_file(write_workbook(tmp_path / "a.xlsx", {"工单": [ro_row()]}))
    result = import_file(write_workbook(tmp_path / "b.xlsx", {"工单": [ro_row(结算金额="abc", 行驶里程=10**20)]}))

    assert len(result.warnings) == 2
    ro = RepairOrder.objects.get()
    assert (ro.amount, ro.mileage_km) == (Decimal("460.50"), 4800)


# --- .xls and .ods --------------------------------------------------------------------------------


def test_a_legacy_xls_workbook_imports(store_a):
    result = import_file(FIXTURES / "dms-2003.xls")

    assert result.summary()["deliveries"]["created"] == 2 and result.error_count == 0
    [warning] = result.warnings  # row 3 went through a spreadsheet program: its id number is a float
    assert (warning.row, warning.column) == (3, "身份证号")
    first, second = Delivery.objects.order_by("delivery_no")
    assert (first.delivered_on.isoformat(), first.customer.id_number) == ("2026-10-05", ID_NUMBER)
    assert (second.customer.mobile, second.customer.id_number) == ("13956781235", "")
    assert Vehicle.objects.get(vin="HRVW2GLY8EY1L926Z").plate == "皖N8K123"


def test_an_ods_workbook_imports(tmp_path, store_a):
    rows = _ros(2)
    rows[1]["行驶里程"] = 52000.0
    result = import_file(write_ods(tmp_path / "calc.ods", {"工单": rows, "说明": [{"a": "b"}]}))

    assert result.summary()["repair_orders"]["created"] == 2 and not result.problems
    ro = RepairOrder.objects.get(ro_no="WX001")
    assert ro.mileage_km == 52000 and ro.opened_at.hour == 1  # 09:00 Shanghai
    assert ro.amount == Decimal("460.50")


def test_an_ods_whose_repeated_cells_expand_past_the_memory_cap_fails_the_file(tmp_path, store_a, settings):
    settings.DMS_IMPORT_READER_MEMORY_BYTES = 400 * 1024 * 1024
    header = "<table:table-row>" + "".join(ods_cell(h) for h in RO_HEADERS_ZH) + "</table:table-row>"
    bomb = '<table:table-row table:number-rows-repeated="20000">' + ods_cell("x" * 1000, repeat=1000)
    path = write_ods_xml(tmp_path / "bomb.ods", {"工单": header + bomb + "</table:table-row>"})
    assert path.stat().st_size < 4096

    assert_exit_2_one_line(path, "MemoryError")


def test_a_damaged_xls_fails_with_one_line(tmp_path, store_a):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)

    assert_exit_2_one_line(path, "不是有效的 Excel 工作簿")


def test_the_problems_held_in_memory_are_bounded(tmp_path, store_a, monkeypatch):
    """A file of a million bad rows lists the first MAX_PROBLEMS_KEPT and counts the rest, and a
    reason quotes no more than REASON_CHARS of the value it names."""
    monkeypatch.setattr(runner, "MAX_PROBLEMS_KEPT", 2)
    rows = _ros(5)
    for row in rows[1:]:
        row["车架号"] = "Z" * 30_000  # a bad VIN the reason would quote whole
    report = tmp_path / "report.xlsx"

    code, out, _err = run_command(
        str(write_workbook(tmp_path / "many.xlsx", {"工单": rows})), "--errors-out", str(report)
    )

    assert code == 1 and out.strip() == "repair_orders: created 1, updated 0, unchanged 0, errors 4"
    lines = list(load_workbook(report).active.values)
    assert len(lines) == 1 + 2 + 1 and lines[-1][3] == "另有 2 条未列出"
    assert all(len(line[3]) <= runner.REASON_CHARS for line in lines[1:3]) and lines[1][3].endswith("…")
