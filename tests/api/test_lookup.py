"""CTI screen pop: lookup by mobile, plate, VIN; the customer's timeline."""

import pytest
import time_machine

from tests.api.conftest import WORLD_NOW
from tests.factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/lookup/"


@time_machine.travel(WORLD_NOW, tick=False)
def test_lookup_by_mobile_pops_the_customer_page_and_open_tasks(api_a, world_a, world_b):
    response = api_a.get(URL, {"mobile": "13955501234"})
    assert response.status_code == 200
    results = response.json()["results"]
    # Store B's customer with the same mobile is not store A's client's to see.
    assert [r["id"] for r in results] == [world_a.customer.pk]
    found = results[0]
    assert found["url"] == f"http://testserver/customers/{world_a.customer.pk}/"
    assert found["mobile"] == "139****1234"
    assert found["store"] == "LA"
    assert found["vehicles"][0]["plate"] == "皖N12345"
    assert [(t["type"], t["id"]) for t in found["open_tasks"]] == [("callback", world_a.task.pk)]
    assert found["open_tasks"][0]["url"].endswith(f"/callbacks/tasks/{world_a.task.pk}/")


def test_lookup_by_plate_and_vin(api_a, world_a, world_b):
    by_plate = api_a.get(URL, {"plate": "皖n12345"}).json()["results"]
    assert [r["id"] for r in by_plate] == [world_a.customer.pk]
    by_vin = api_a.get(URL, {"vin": world_a.vehicle.vin.lower()}).json()["results"]
    assert [r["id"] for r in by_vin] == [world_a.customer.pk]
    # Another store's plate and VIN find nothing.
    assert api_a.get(URL, {"plate": "皖A54321"}).json()["results"] == []
    assert api_a.get(URL, {"vin": world_b.vehicle.vin}).json()["results"] == []


def test_lookup_needs_a_key(api_a):
    assert api_a.get(URL).status_code == 400


def test_lookup_query_count_is_constant(api_a, store_a, world_a, django_assert_max_num_queries):
    for _ in range(5):
        customer = CustomerFactory(store=store_a, mobile="13955501234")
        VehicleFactory(store=store_a, owner=customer)
    # auth, touch, store ids, customer ids, customers, vehicles, two task prefetches, audit entry
    with django_assert_max_num_queries(12):
        response = api_a.get(URL, {"mobile": "13955501234"})
    assert len(response.json()["results"]) == 6


def test_timeline(api_a, world_a):
    response = api_a.get(f"/api/v1/customers/{world_a.customer.pk}/timeline/")
    assert response.status_code == 200
    body = response.json()
    assert body["customer_id"] == world_a.customer.pk
    kinds = {e["kind"] for e in body["entries"]}
    assert "repair_order" in kinds and "complaint" in kinds


def test_timeline_of_another_stores_customer_is_404(api_a, world_b):
    assert api_a.get(f"/api/v1/customers/{world_b.customer.pk}/timeline/").status_code == 404
    assert api_a.get("/api/v1/customers/999999999/timeline/").status_code == 404


def test_lookup_by_landline(api_a, store_a, world_a):
    customer = CustomerFactory(store=store_a, landline="0564-3312345")
    found = api_a.get(URL, {"mobile": "0564-3312345"}).json()["results"]
    assert [r["id"] for r in found] == [customer.pk]
