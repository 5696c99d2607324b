"""IDOR (issue 16 item 5): every endpoint, called with one store's client's token and given the
other store's ids, codes, numbers and rows, reaches nothing of the other store and changes nothing
there. Each case runs both ways (store B's client at store A's records, store A's at B's), so
every endpoint is also called with another client's token than the records' store's.

`test_every_endpoint_has_an_idor_case` reads the operations from the OpenAPI schema and the
URLconf: an endpoint added without a case here fails it."""

import datetime as dt
import re
from dataclasses import dataclass

import pytest
import time_machine
from django.urls import URLPattern

from api import urls as api_urls
from api.views.reads import table_as_json
from callbacks.models import CallAttempt, CallbackTask
from complaints.models import Case
from crm.models import Customer, Delivery, RepairOrder, Vehicle
from reports.registry import all_reports, all_weekly_reports
from retention.models import Reminder
from telephony.models import CallRecord
from tests.api.conftest import WORLD_NOW, StoreWorld
from tests.crm.dms_files import delivery_row

pytestmark = pytest.mark.django_db


@dataclass
class Sides:
    api: object  # the caller: a client of `mine.store` only
    mine: StoreWorld
    theirs: StoreWorld  # the other store's records, which the caller must not reach


@pytest.fixture(params=["B at A", "A at B"])
def sides(request, issued_a, issued_b, world_a, world_b, call):
    if request.param == "B at A":
        return Sides(call(issued_b.token), world_b, world_a)
    return Sides(call(issued_a.token), world_a, world_b)


def store_state(store) -> dict:
    """Everything the other store holds that an API call could create or change."""
    return {
        model.__name__: sorted(map(repr, model.objects.filter(**{lookup: store}).values()))
        for model, lookup in (
            (Customer, "store"),
            (Vehicle, "store"),
            (Delivery, "store"),
            (RepairOrder, "store"),
            (CallbackTask, "store"),
            (CallAttempt, "task__store"),
            (Case, "store"),
            (Reminder, "store"),
            (CallRecord, "store"),
        )
    }


@pytest.fixture
def untouched(sides):
    """Asserts, after the test, that the other store's records are as they were."""
    before = store_state(sides.theirs.store)
    yield
    assert store_state(sides.theirs.store) == before


def their_ids(sides: Sides) -> set[int]:
    w = sides.theirs
    return {w.customer.pk, w.task.pk, w.case.pk, w.reminder.pk}


# --- the push --------------------------------------------------------------------------------


@time_machine.travel(WORLD_NOW, tick=False)
def test_push_deliveries_into_their_store(sides, untouched):
    theirs = sides.theirs
    zh = delivery_row(
        交车日期="2026-10-20", 门店=theirs.store.code, 车架号=theirs.vehicle.vin, 手机=theirs.customer.mobile
    )
    item = {"delivery_no": "XS-IDOR-1", **{k: v for k, v in zh.items() if k != "销售协议号"}}
    batch = sides.api.post("/api/v1/dms/deliveries/", {"store": theirs.store.code, "items": [item]}, format="json")
    assert batch.status_code == 400
    row = sides.api.post("/api/v1/dms/deliveries/", {"items": [item]}, format="json")
    assert row.json()["items"][0]["outcome"] == "error"
    assert not Delivery.objects.filter(delivery_no="XS-IDOR-1").exists()


@time_machine.travel(WORLD_NOW, tick=False)
def test_push_repair_orders_into_their_store(sides, untouched):
    theirs = sides.theirs
    item = {
        "ro_no": theirs.task.repair_order.ro_no,
        "store": theirs.store.code,
        "opened_at": "2026-10-18 09:00",
        "vin": theirs.vehicle.vin,
        "customer_name": "冒名",
        "mobile": "13900000000",
        "service_advisor": "某人",
    }
    batch = {"store": theirs.store.code, "items": [item]}
    assert sides.api.post("/api/v1/dms/repair-orders/", batch, format="json").status_code == 400
    response = sides.api.post("/api/v1/dms/repair-orders/", {"items": [item]}, format="json")
    assert response.json()["items"][0]["outcome"] == "error"


@time_machine.travel(WORLD_NOW, tick=False)
def test_push_callback_results_for_their_task(sides, untouched):
    result = {
        "kind": "售后",
        "source_no": sides.theirs.task.repair_order.ro_no,
        "called_at": "2026-10-21 09:00",
        "outcome": "成功",
    }
    response = sides.api.post("/api/v1/dms/callback-results/", {"items": [result]}, format="json")
    assert response.json()["items"][0]["outcome"] == "error"
    result["store"] = sides.theirs.store.code
    response = sides.api.post("/api/v1/dms/callback-results/", {"items": [result]}, format="json")
    assert response.json()["items"][0]["outcome"] == "error"


# --- lookup and timeline ------------------------------------------------------------------------


def test_lookup_with_their_numbers(sides, untouched):
    theirs = sides.theirs
    for params in ({"mobile": theirs.customer.mobile}, {"plate": theirs.vehicle.plate}, {"vin": theirs.vehicle.vin}):
        ids = [r["id"] for r in sides.api.get("/api/v1/customers/lookup/", params).json()["results"]]
        assert theirs.customer.pk not in ids
    # The same mobile is a customer of both stores: the caller finds its own.
    ids = [
        r["id"]
        for r in sides.api.get("/api/v1/customers/lookup/", {"mobile": theirs.customer.mobile}).json()["results"]
    ]
    assert ids == [sides.mine.customer.pk]


def test_timeline_with_their_customer_id(sides, untouched):
    assert sides.api.get(f"/api/v1/customers/{sides.theirs.customer.pk}/timeline/").status_code == 404
    assert sides.api.get(f"/api/v1/customers/{sides.mine.customer.pk}/timeline/").status_code == 200


# --- lists and reports --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "attr"),
    [("/api/v1/callback-tasks/", "task"), ("/api/v1/complaints/", "case"), ("/api/v1/reminders/", "reminder")],
)
def test_lists_with_their_store_code(sides, untouched, url, attr):
    assert sides.api.get(url, {"store": sides.theirs.store.code}).status_code == 400
    ids = {r["id"] for r in sides.api.get(url, {"month": "2026-10"}).json()["results"]}
    assert ids == {getattr(sides.mine, attr).pk}


def test_report_list_is_names_only(sides, untouched, call, issued_a):
    listed = sides.api.get("/api/v1/reports/").json()
    assert listed == call(issued_a.token).get("/api/v1/reports/").json()  # the same for every client
    assert not {str(i) for i in their_ids(sides)} & {str(v) for r in listed for v in r.values()}


@time_machine.travel(WORLD_NOW, tick=False)
def test_every_report_with_their_store_code(sides, untouched):
    """Every report of the registry: another store's code is refused, and without one the table
    is the one its builder makes for the caller's store alone."""
    for spec in all_reports():
        url = f"/api/v1/reports/{spec.name}/"
        assert sides.api.get(url, {"month": "2026-10", "store": sides.theirs.store.code}).status_code == 400, url
        body = sides.api.get(url, {"month": "2026-10"}).json()
        mine = spec.build(store_ids=[sides.mine.store.pk], month=dt.date(2026, 10, 1), full_numbers=False)
        assert body == table_as_json(mine), url
    rows = sides.api.get("/api/v1/reports/complaints/", {"month": "2026-10"}).json()["rows"]
    assert [row[0] for row in rows] == [sides.mine.case.case_no]


@time_machine.travel(WORLD_NOW, tick=False)
def test_every_weekly_report_with_their_store_code(sides, untouched):
    for spec in all_weekly_reports():
        url = f"/api/v1/reports/weekly/{spec.name}/"
        for week in ("2026-10-14", "2026-10-21"):
            refused = sides.api.get(url, {"week": week, "store": sides.theirs.store.code})
            assert refused.status_code == 400, url
            body = sides.api.get(url, {"week": week}).json()
            mine = spec.build(store_ids=[sides.mine.store.pk], day=dt.date.fromisoformat(week), full_numbers=False)
            assert body["tables"] == [table_as_json(t) for t in mine], url
    cases = sides.api.get("/api/v1/reports/weekly/complaints_weekly/", {"week": "2026-10-21"}).json()
    assert [row[0] for row in cases["tables"][0]["rows"]] == [sides.mine.case.case_no]


@pytest.fixture
def their_call(sides, issued_a, issued_b):
    """A call the other store's CTI reported, attached to their task."""
    w = sides.theirs
    reporter = next(i.client for i in (issued_a, issued_b) if i.client.stores.filter(pk=w.store.pk).exists())
    return CallRecord.objects.create(
        call_id=f"their-{w.store.code}", reported_by=reporter, started_at=WORLD_NOW, store=w.store,
        customer=w.customer, callback_task=w.task,
    )  # fmt: skip


@time_machine.travel(WORLD_NOW, tick=False)
def test_call_events_on_their_calls_and_numbers(sides, their_call, untouched):
    """An event with their call's id is the caller's own call (call ids are per client), theirs
    untouched; an event with their customer's number (a customer of both stores) or their task's id
    as the dial reference attaches to the caller's own customer, never to anything of theirs."""
    url = "/api/v1/telephony/events/"
    ended = {"call_id": their_call.call_id, "event": "ended", "duration": 60}
    answer = sides.api.post(url, ended, format="json")
    assert answer.status_code == 200 and answer.json()["call"] != their_call.pk
    assert CallRecord.objects.get(pk=answer.json()["call"]).reported_by != their_call.reported_by
    ringing = {"call_id": "mine-1", "event": "ringing", "direction": "in", "number": sides.theirs.customer.mobile}
    answer = sides.api.post(url, {**ringing, "client_ref": str(sides.theirs.task.pk)}, format="json")
    assert answer.status_code == 200 and answer.json()["customer"] == sides.mine.customer.pk
    record = CallRecord.objects.get(call_id="mine-1")
    assert (record.store, record.customer, record.callback_task) == (sides.mine.store, sides.mine.customer, None)


def test_unknown_paths_with_their_ids(sides, untouched):
    response = sides.api.get(f"/api/v1/customers/{sides.theirs.customer.pk}/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


# --- every endpoint has its case ----------------------------------------------------------------

IDOR_CASES = {
    "POST /api/v1/dms/deliveries/": test_push_deliveries_into_their_store,
    "POST /api/v1/dms/repair-orders/": test_push_repair_orders_into_their_store,
    "POST /api/v1/dms/callback-results/": test_push_callback_results_for_their_task,
    "GET /api/v1/customers/lookup/": test_lookup_with_their_numbers,
    "GET /api/v1/customers/{}/timeline/": test_timeline_with_their_customer_id,
    "GET /api/v1/callback-tasks/": test_lists_with_their_store_code,
    "GET /api/v1/complaints/": test_lists_with_their_store_code,
    "GET /api/v1/reminders/": test_lists_with_their_store_code,
    "GET /api/v1/reports/": test_report_list_is_names_only,
    "GET /api/v1/reports/{}/": test_every_report_with_their_store_code,
    "GET /api/v1/reports/weekly/{}/": test_every_weekly_report_with_their_store_code,
    "POST /api/v1/telephony/events/": test_call_events_on_their_calls_and_numbers,
}
# Not store data: the schema and its two documentation pages; the JSON 404 of any other path.
NOT_STORE_DATA = {"schema", "docs", "redoc", "not_found"}


def _shape(path: str) -> str:
    """'/api/v1/customers/{id}/timeline/' and 'customers/<int:pk>/timeline/' alike."""
    return re.sub(r"\{[^}]*\}|<[^>]*>", "{}", path)


def test_every_endpoint_has_an_idor_case(client):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    in_schema = {f"{method.upper()} {_shape(path)}" for path, operations in paths.items() for method in operations}
    assert in_schema == set(IDOR_CASES)
    # An endpoint left out of the schema (extend_schema(exclude=True)) has no case either.
    routes = {
        _shape(f"/api/v1/{pattern.pattern}")
        for pattern in api_urls.urlpatterns
        if isinstance(pattern, URLPattern) and pattern.name not in NOT_STORE_DATA
    }
    assert routes == {key.split(" ", 1)[1] for key in IDOR_CASES}
