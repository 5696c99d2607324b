"""The streaming .xlsx reader gives, cell for cell, what openpyxl's read-only mode gives."""

import datetime as dt
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from crm.importing.xlsx import XlsxWorkbook

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROWS = [
    ["工单号", "进厂时间", "行驶里程", "金额", "是否", "备注"],
    ["WX001", dt.datetime(2026, 10, 31, 23, 30), 4800, 460.5, True, "六安市金安区 <人民路> & 18号"],
    ["WX002", dt.date(2026, 10, 5), None, -1, False, None],
    [None, None, None, None, None, None],
    ["WX003", None, 0, 1.5e12, None, "=1+1"],
]


def _with_shared_strings(path):
    """Rewrite a workbook's inline strings into a shared-string table, as Excel saves them
    (openpyxl itself writes inline strings only)."""
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    strings: list[str] = []

    def shared(match: re.Match) -> str:
        strings.append(match.group(1))
        return f't="s"><v>{len(strings) - 1}</v>'

    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = re.sub(r't="inlineStr"><is><t>(.*?)</t></is>', shared, sheet).encode()
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdSST" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings"/></Relationships>',
    )
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    assert strings


def _openpyxl_rows(path):
    sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def _trimmed(row: tuple) -> tuple:
    """openpyxl pads every row to the sheet's width; the reader stops at a row's last cell."""
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return tuple(row)


@pytest.mark.parametrize("form", ["inline-strings", "write-only", "shared-strings"])
def test_values_match_openpyxl(tmp_path, form):
    path = tmp_path / "book.xlsx"
    workbook = Workbook(write_only=form == "write-only")
    sheet = workbook.create_sheet("工单") if form == "write-only" else workbook.active
    for row in ROWS:
        sheet.append(row)
    workbook.save(path)
    if form == "shared-strings":
        _with_shared_strings(path)

    reader = XlsxWorkbook(path)
    [xlsx_sheet] = reader.sheets
    got = list(reader.rows(xlsx_sheet))
    expected = [_trimmed(row) for row in _openpyxl_rows(path)]
    numbered = dict(got)
    assert [_trimmed(numbered.get(n, ())) for n in range(1, len(expected) + 1)] == expected
    assert numbered[2][1] == dt.datetime(2026, 10, 31, 23, 30)
    # A formula without a cached value reads as empty, as with data_only=True.
    assert numbered[5] == ("WX003", None, 0, 1.5e12)


def test_gaps_rich_text_and_row_numbers(tmp_path):
    path = tmp_path / "book.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "工单号"
    sheet["C1"] = "手机"
    sheet["A7"] = CellRichText("张", TextBlock(InlineFont(b=True), "伟"))
    sheet["C7"] = "13856781234"
    workbook.save(path)

    reader = XlsxWorkbook(path)
    rows = list(reader.rows(reader.sheets[0]))
    assert rows == [(1, ("工单号", None, "手机")), (7, ("张伟", None, "13856781234"))]


def test_estimated_rows_with_and_without_a_dimension(tmp_path):
    with_dimension = tmp_path / "normal.xlsx"
    workbook = Workbook()
    for n in range(300):
        workbook.active.append([f"WX{n:05d}", n])
    workbook.save(with_dimension)
    reader = XlsxWorkbook(with_dimension)
    assert reader.estimated_rows(reader.sheets[0]) == 300

    # openpyxl's write-only mode writes no <dimension>: the estimate comes from the part's size.
    without = tmp_path / "write_only.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("工单")
    for n in range(3000):
        sheet.append([f"WX{n:05d}", n])
    workbook.save(without)
    reader = XlsxWorkbook(without)
    assert 2700 <= reader.estimated_rows(reader.sheets[0]) <= 3300


def test_external_entities_are_not_resolved(tmp_path):
    """An upload is untrusted: a sheet that declares an external entity does not read the file."""

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    path = tmp_path / "book.xlsx"
    workbook = Workbook()
    workbook.active.append(["工单号"])
    workbook.active.append(["X"])
    workbook.save(path)
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    doctype = f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
    sheet = doctype + sheet.replace("<t>X</t>", "<t>&e;</t>", 1)
    assert "&e;" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    evil = tmp_path / "evil.xlsx"
    with zipfile.ZipFile(evil, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)

    reader = XlsxWorkbook(evil)
    values = [v for _n, row in reader.rows(reader.sheets[0]) for v in row]
    assert not any("TOP-SECRET" in str(v) for v in values)
