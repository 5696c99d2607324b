"""Builders of DMS export files for import tests: workbooks and CSVs with chosen headers."""

import csv
import datetime as dt
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook

from tests.factories import make_vin

DELIVERY_HEADERS_ZH = [
    "销售协议号", "门店", "交车日期", "客户姓名", "性别", "手机", "固定电话", "身份证号", "区县", "地址",
    "车架号", "车牌号", "车系", "车型", "销售顾问", "购买类型",
]  # fmt: skip
RO_HEADERS_ZH = [
    "工单号", "门店", "进厂时间", "交车时间", "预计交车时间", "车架号", "车牌号", "客户姓名", "手机", "行驶里程",
    "服务顾问", "维修班组", "维修类型", "预估金额", "结算金额", "是否返修",
]  # fmt: skip
RO_HEADERS_EN = [
    "ro_no", "store", "opened_at", "delivered_at", "promised_at", "vin", "plate", "customer_name", "mobile",
    "mileage_km", "service_advisor", "repair_team", "work_type", "estimate_amount", "amount", "is_rework",
]  # fmt: skip

VIN_1 = make_vin()
VIN_2 = make_vin()


def delivery_row(**over) -> dict:
    row = {
        "销售协议号": "XS2026100001",
        "门店": "LA",
        "交车日期": dt.date(2026, 10, 5),
        "客户姓名": "张伟",
        "性别": "男",
        "手机": "13856781234",
        "固定电话": "0564-3312345",
        "身份证号": "341502198506150010",
        "区县": "金安区",
        "地址": "六安市金安区人民路18号",
        "车架号": VIN_1,
        "车牌号": "皖N8K123",
        "车系": "RAV4",
        "车型": "RAV4荣放 2.0L CVT 两驱风尚版",
        "销售顾问": "梁默",
        "购买类型": "首购",
    }
    row.update(over)
    return row


def ro_row(**over) -> dict:
    row = {
        "工单号": "WX2026100001",
        "门店": "LA",
        "进厂时间": dt.datetime(2026, 10, 20, 9, 0),
        "交车时间": dt.datetime(2026, 10, 20, 17, 30),
        "预计交车时间": dt.datetime(2026, 10, 20, 18, 0),
        "车架号": VIN_1,
        "车牌号": "皖N8K123",
        "客户姓名": "张伟",
        "手机": "13856781234",
        "行驶里程": 4800,
        "服务顾问": "梁诚",
        "维修班组": "维修一组",
        "维修类型": "首保",
        "预估金额": 480,
        "结算金额": "460.50",
        "是否返修": "否",
    }
    row.update(over)
    return row


def write_workbook(path: Path, sheets: dict[str, list[dict]], headers: dict[str, list[str]] | None = None) -> Path:
    """One sheet per entry; headers default to the first row's keys (order as given)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        columns = (headers or {}).get(name) or list(rows[0].keys())
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) for c in columns])
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[dict], *, encoding: str = "utf-8-sig", headers: list[str] | None = None) -> Path:
    columns = headers or list(rows[0].keys())
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return path


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def ods_cell(value, *, repeat: int = 1) -> str:
    """One OpenDocument table cell: text, a number, a date or a date-time, or empty (None)."""
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if value is None:
        return f"<table:table-cell{rep}/>"
    if isinstance(value, bool) or not isinstance(value, int | float | dt.date):
        kind, shown = 'office:value-type="string"', escape(str(value))
    elif isinstance(value, dt.date):
        kind, shown = f'office:value-type="date" office:date-value="{value.isoformat()}"', value.isoformat()
    else:
        kind, shown = f'office:value-type="float" office:value="{value!r}"', value
    return f"<table:table-cell {kind}{rep}><text:p>{shown}</text:p></table:table-cell>"


def write_ods_xml(path: Path, tables: dict[str, str]) -> Path:
    """An .ods (as LibreOffice Calc saves it) whose tables hold the given row XML."""
    body = "".join(f'<table:table table:name="{escape(name)}">{rows}</table:table>' for name, rows in tables.items())
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
        f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as ods:
        ods.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        ods.writestr("content.xml", content)
        ods.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
    return path


def write_ods(path: Path, sheets: dict[str, list[dict]]) -> Path:
    tables = {}
    for name, rows in sheets.items():
        columns = list(rows[0].keys())
        lines = [columns, *([row.get(c) for c in columns] for row in rows)]
        tables[name] = "".join(
            "<table:table-row>" + "".join(ods_cell(v) for v in line) + "</table:table-row>" for line in lines
        )
    return write_ods_xml(path, tables)
