"""IDOR (issue 16 item 5): every endpoint, called with store B's client's token, given store A's
ids, codes, numbers and rows, reaches nothing of store A and changes nothing there."""

import pytest
import time_machine

from callbacks.models import CallAttempt
from crm.models import RepairOrder
from tests.api.conftest import WORLD_NOW

pytestmark = pytest.mark.django_db


def test_lookup_with_store_as_numbers(api_b, world_a, world_b):
    for params in ({"mobile": world_a.customer.mobile}, {"plate": world_a.vehicle.plate}, {"vin": world_a.vehicle.vin}):
        ids = [r["id"] for r in api_b.get("/api/v1/customers/lookup/", params).json()["results"]]
        assert world_a.customer.pk not in ids


def test_timeline_with_store_as_customer_id(api_b, world_a, world_b):
    assert api_b.get(f"/api/v1/customers/{world_a.customer.pk}/timeline/").status_code == 404
    assert api_b.get(f"/api/v1/customers/{world_b.customer.pk}/timeline/").status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/callback-tasks/", "/api/v1/complaints/", "/api/v1/reminders/"])
def test_lists_with_store_as_code(api_b, world_a, world_b, url):
    assert api_b.get(url, {"store": "LA"}).status_code == 400
    ids = {r["id"] for r in api_b.get(url).json()["results"]}
    assert ids and ids.isdisjoint({world_a.task.pk, world_a.case.pk, world_a.reminder.pk})


def test_reports_with_store_as_code(api_b, world_a, world_b):
    assert api_b.get("/api/v1/reports/complaints/", {"month": "2026-10", "store": "LA"}).status_code == 400
    rows = api_b.get("/api/v1/reports/complaints/", {"month": "2026-10"}).json()["rows"]
    flat = {str(v) for row in rows for v in row}
    assert world_b.case.case_no in flat and world_a.case.case_no not in flat


@time_machine.travel(WORLD_NOW, tick=False)
def test_push_into_store_a(api_b, world_a, world_b):
    item = {
        "ro_no": world_a.task.repair_order.ro_no,
        "store": "LA",
        "opened_at": "2026-10-18 09:00",
        "vin": world_a.vehicle.vin,
        "customer_name": "冒名",
        "mobile": "13900000000",
        "service_advisor": "某人",
    }
    assert api_b.post("/api/v1/dms/repair-orders/", {"store": "LA", "items": [item]}, format="json").status_code == 400
    response = api_b.post("/api/v1/dms/repair-orders/", {"items": [item]}, format="json")
    assert response.json()["items"][0]["outcome"] == "error"
    assert RepairOrder.objects.get(pk=world_a.task.repair_order.pk).customer_id == world_a.customer.pk


@time_machine.travel(WORLD_NOW, tick=False)
def test_push_results_for_store_a_task(api_b, world_a, world_b):
    result = {
        "kind": "售后",
        "source_no": world_a.task.repair_order.ro_no,
        "called_at": "2026-10-21 09:00",
        "outcome": "成功",
    }
    response = api_b.post("/api/v1/dms/callback-results/", {"items": [result]}, format="json")
    assert response.json()["items"][0]["outcome"] == "error"
    assert not CallAttempt.objects.filter(task=world_a.task).exists()


def test_a_token_of_one_client_is_not_anothers(call, issued_a, issued_b, world_a, world_b):
    # Client A's token is A's, whatever else the request says.
    api = call(issued_a.token)
    assert api.get(f"/api/v1/customers/{world_b.customer.pk}/timeline/").status_code == 404
