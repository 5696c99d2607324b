"""Builders of DMS export files for import tests: workbooks and CSVs with chosen headers."""

import csv
import datetime as dt
from pathlib import Path

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
