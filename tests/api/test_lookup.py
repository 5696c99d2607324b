"""CTI screen pop: lookup by mobile, plate, VIN; the customer's timeline."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
    # a key that is only a prefix or separators names nobody: a bad request, not "no customer"
    for params in ({"mobile": "+86"}, {"plate": "·"}, {"vin": "  "}):
        assert api_a.get(URL, params).status_code == 400, params


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


# --- the keys as a CTI sends them ------------------------------------------------------------------
# world_a: mobile 13955501234, plate 皖N12345 (store B's customer has the same mobile, another plate).


# As a CTI or an agent types them: prefixes, spaces, full-width digits; the plate's ·, lower case.
MOBILE_FORMS = [
    "+8613955501234",
    "+86 139 5550 1234",
    "0086 13955501234",
    "008613955501234",
    "139 5550 1234",
    "１３９５５５０１２３４",
]
PLATE_FORMS = ["皖N·12345", "皖n12345", "皖N 12345", " 皖 n · 1 2 3 4 5 ", "皖Ｎ１２３４５", "皖N-12345"]


@pytest.mark.parametrize("mobile", MOBILE_FORMS)
def test_lookup_normalises_the_mobile_as_the_importer_does(api_a, world_a, world_b, mobile):
    found = api_a.get(URL, {"mobile": mobile}).json()["results"]
    assert [r["id"] for r in found] == [world_a.customer.pk]


@pytest.mark.parametrize("plate", PLATE_FORMS)
def test_lookup_normalises_the_plate_as_the_importer_does(api_a, world_a, world_b, plate):
    found = api_a.get(URL, {"plate": plate}).json()["results"]
    assert [r["id"] for r in found] == [world_a.customer.pk]


def test_lookup_normalises_the_vin_as_the_importer_does(api_a, world_a, world_b):
    vin = world_a.vehicle.vin
    for sent in (vin.lower(), f"{vin[:8]} {vin[8:]}", f" {vin.lower()} "):
        found = api_a.get(URL, {"vin": sent}).json()["results"]
        assert [r["id"] for r in found] == [world_a.customer.pk]


@pytest.mark.parametrize("name", ["mobile", "plate", "vin"])
def test_a_key_postgresql_cannot_compare_is_a_400(api_a, world_a, name):
    """A NUL byte was a 500 (PostgreSQL refuses it in a text parameter)."""
    response = api_a.get(URL, {name: "皖N1\x002345"})
    assert response.status_code == 400
    assert name in response.json()["detail"]


@pytest.mark.parametrize(
    ("key", "value", "equality"),
    [
        ("mobile", "+86 139 5550 1234", """"crm_customer"."mobile" = '13955501234'"""),
        ("plate", "皖n·12345", """"crm_vehicle"."plate" = '皖N12345'"""),
        ("vin", "lfv2a11k5a3000001 ", """"crm_vehicle"."vin" = 'LFV2A11K5A3000001'"""),
    ],
)
def test_the_lookup_stays_an_indexed_equality(api_a, world_a, key, value, equality):
    """The keys are normalised in Python: the database compares the stored column with one value
    (no upper(), replace() or LIKE on the column), which its index answers (the bench's < 20 ms at
    300,000 customers)."""
    with CaptureQueriesContext(connection) as queries:
        api_a.get(URL, {key: value})
    sqls = [q["sql"] for q in queries.captured_queries]
    [lookup] = [sql for sql in sqls if sql.startswith('SELECT DISTINCT "crm_customer"."id"')]
    assert equality in lookup
    assert not any(f in lookup.lower() for f in ("upper(", "replace(", " like "))
    with connection.cursor() as cursor:
        # The test tables are tiny, where a sequential scan is cheapest: ask whether an index can do.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {lookup}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan
