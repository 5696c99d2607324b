"""DMS push: JSON rows go through the DMS importer (same rules, messages, idempotency)."""

import datetime as dt

import pytest
import time_machine

from callbacks.models import CallbackTask
from crm.importing.runner import import_file
from crm.models import RepairOrder
from tests.crm.dms_files import RO_HEADERS_EN, RO_HEADERS_ZH, VIN_1, delivery_row, ro_row, write_workbook
from tests.factories import make_vin

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 21, 10, 0, tzinfo=dt.UTC)
RO_URL = "/api/v1/dms/repair-orders/"


def ro_item(**over) -> dict:
    """An RO row as a DMS sends it: English keys, JSON values (datetimes as text)."""
    zh = ro_row()
    item = {en: zh[cn] for en, cn in zip(RO_HEADERS_EN, RO_HEADERS_ZH, strict=True)}
    for key, value in item.items():
        if isinstance(value, dt.date):
            item[key] = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    item.update(over)
    return item


@time_machine.travel(NOW, tick=False)
def test_push_creates_then_unchanged_then_updated(api_a, store_a):
    first = api_a.post(RO_URL, {"items": [ro_item()]}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["items"] == [{"index": 0, "outcome": "created", "errors": [], "warnings": []}]
    assert first.json()["summary"]["created"] == 1
    ro = RepairOrder.objects.get(ro_no="WX2026100001")
    assert ro.store == store_a
    # The post-import steps ran: the RO has its callback task, as after import_dms.
    assert CallbackTask.objects.filter(repair_order_links__repair_order=ro).exists()

    again = api_a.post(RO_URL, {"items": [ro_item()]}, format="json")
    assert again.json()["items"][0]["outcome"] == "unchanged"

    changed = api_a.post(RO_URL, {"items": [ro_item(mileage_km=5200)]}, format="json")
    assert changed.json()["items"][0]["outcome"] == "updated"
    ro.refresh_from_db()
    assert ro.mileage_km == 5200


@time_machine.travel(NOW, tick=False)
def test_bad_rows_get_the_file_importers_messages(api_a, store_a, tmp_path, agent):
    bad_vin = "LVGBE40K8GP00000X"
    items = [ro_item(ro_no="A1", vin=bad_vin), ro_item(ro_no="A2", mobile="12345"), ro_item(ro_no="A3")]
    response = api_a.post(RO_URL, {"items": items}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert [i["outcome"] for i in body["items"]] == ["error", "error", "created"]
    assert body["summary"] == {"created": 1, "updated": 0, "unchanged": 0, "errors": 2, "warnings": 0}

    # The same rows in a workbook, through import_dms's entry point: the same messages.
    rows = [ro_row(工单号="B1", 车架号=bad_vin), ro_row(工单号="B2", 手机="12345")]
    result = import_file(write_workbook(tmp_path / "ro.xlsx", {"工单": rows}), store=store_a)
    file_messages = [(p.column, p.reason) for p in result.errors]
    api_messages = [(e["column"], e["reason"]) for i in body["items"][:2] for e in i["errors"]]
    assert api_messages == file_messages
    assert all(reason for _column, reason in api_messages)


@time_machine.travel(NOW, tick=False)
def test_chinese_keys_and_json_numbers_are_accepted(api_a):
    item = {**ro_row(工单号="ZH1"), "进厂时间": "2026-10-20 09:00", "交车时间": "2026/10/20 17:30"}
    item.pop("预计交车时间")
    item["行驶里程"] = 4800
    response = api_a.post(RO_URL, {"items": [item]}, format="json")
    assert response.json()["items"][0]["outcome"] == "created", response.json()
    assert RepairOrder.objects.get(ro_no="ZH1").mileage_km == 4800


@time_machine.travel(NOW, tick=False)
def test_a_missing_required_key_is_that_items_error(api_a):
    item = ro_item(ro_no="M1")
    del item["vin"]
    response = api_a.post(RO_URL, {"items": [item, ro_item(ro_no="M2")]}, format="json")
    items = response.json()["items"]
    assert items[0]["outcome"] == "error"
    assert items[0]["errors"][0]["column"] == "车架号"
    assert items[1]["outcome"] == "created"


@time_machine.travel(NOW, tick=False)
def test_a_row_naming_another_store_is_refused(api_a, store_b):
    response = api_a.post(RO_URL, {"items": [ro_item(store="HF")]}, format="json")
    item = response.json()["items"][0]
    assert item["outcome"] == "error"
    assert "HF" in item["errors"][0]["reason"]
    assert not RepairOrder.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_store_param_of_another_store_is_unknown(api_a, store_b):
    response = api_a.post(RO_URL, {"store": "HF", "items": [ro_item(store="")]}, format="json")
    assert response.status_code == 400
    assert not RepairOrder.objects.exists()


def test_batches_over_500_are_refused(api_a):
    response = api_a.post(RO_URL, {"items": [ro_item(ro_no=f"N{i}") for i in range(501)]}, format="json")
    assert response.status_code == 400
    assert not RepairOrder.objects.exists()


def test_an_item_that_is_not_an_object_is_refused(api_a):
    assert api_a.post(RO_URL, {"items": ["x"]}, format="json").status_code == 400
    assert api_a.post(RO_URL, [ro_item()], format="json").status_code == 400
    assert api_a.post(RO_URL, {"items": []}, format="json").status_code == 400


@time_machine.travel(NOW, tick=False)
def test_an_empty_item_is_reported(api_a):
    response = api_a.post(RO_URL, {"items": [{}, ro_item()]}, format="json")
    items = response.json()["items"]
    assert items[0]["outcome"] == "error" and items[0]["errors"]
    assert items[1]["outcome"] == "created"


@time_machine.travel(NOW, tick=False)
def test_deliveries_and_callback_results(api_a):
    zh = delivery_row(交车日期="2026-10-05")
    delivery = {"delivery_no": zh["销售协议号"], **{k: v for k, v in zh.items() if k != "销售协议号"}}
    response = api_a.post("/api/v1/dms/deliveries/", {"items": [delivery]}, format="json")
    assert response.json()["items"][0]["outcome"] == "created", response.json()
    task = CallbackTask.objects.get(delivery__delivery_no="XS2026100001")

    result = {"kind": "销售", "source_no": "XS2026100001", "called_at": "2026-10-13 10:00", "outcome": "无人接听"}
    pushed = api_a.post("/api/v1/dms/callback-results/", {"items": [result]}, format="json")
    assert pushed.json()["items"][0]["outcome"] == "created", pushed.json()
    assert task.attempts.count() == 1
    again = api_a.post("/api/v1/dms/callback-results/", {"items": [result]}, format="json")
    assert again.json()["items"][0]["outcome"] == "unchanged"


@time_machine.travel(NOW, tick=False)
def test_callback_results_never_reach_another_stores_task(api_a, api_b, store_b):
    zh = delivery_row(交车日期="2026-10-05", 门店="HF", 车架号=make_vin())
    delivery = {"delivery_no": "XS-B-1", **{k: v for k, v in zh.items() if k != "销售协议号"}}
    assert api_b.post("/api/v1/dms/deliveries/", {"items": [delivery]}, format="json").status_code == 200
    result = {"kind": "销售", "source_no": "XS-B-1", "called_at": "2026-10-13 10:00", "outcome": "无人接听"}
    response = api_a.post("/api/v1/dms/callback-results/", {"items": [result]}, format="json")
    assert response.json()["items"][0]["outcome"] == "error"
    assert not CallbackTask.objects.get(delivery__delivery_no="XS-B-1").attempts.exists()


def test_vin_fixture_is_valid():
    assert len(VIN_1) == 17
