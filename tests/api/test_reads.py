"""Reads for reporting tools: tasks, complaints, reminders, report tables — scoped to the client."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.registry import build_report
from tests.api.conftest import WORLD_NOW, _world
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

LISTS = [
    ("/api/v1/callback-tasks/", "task"),
    ("/api/v1/complaints/", "case"),
    ("/api/v1/reminders/", "reminder"),
]


@pytest.mark.parametrize(("url", "attr"), LISTS)
def test_lists_show_only_the_clients_stores(api_a, world_a, world_b, url, attr):
    response = api_a.get(url)
    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body["results"]] == [getattr(world_a, attr).pk]
    assert body["count"] == 1
    assert body["results"][0]["store"] == "LA"


@pytest.mark.parametrize(("url", "attr"), LISTS)
def test_lists_filter_by_month_and_store(api_a, world_a, url, attr):
    assert [r["id"] for r in api_a.get(url, {"month": "2026-10"}).json()["results"]] == [getattr(world_a, attr).pk]
    assert api_a.get(url, {"month": "2026-09"}).json()["results"] == []
    assert api_a.get(url, {"store": "LA"}).json()["count"] == 1
    assert api_a.get(url, {"month": "2026-13"}).status_code == 400
    assert api_a.get(url, {"month": "oct"}).status_code == 400


@pytest.mark.parametrize(("url", "attr"), LISTS)
def test_another_stores_code_is_an_unknown_store(api_a, world_a, world_b, url, attr):
    response = api_a.get(url, {"store": "HF"})
    assert response.status_code == 400
    unknown = api_a.get(url, {"store": "ZZ"})
    assert response.json()["detail"] == unknown.json()["detail"].replace("ZZ", "HF")


@pytest.mark.parametrize(("url", "attr"), LISTS)
def test_list_query_count_is_constant_in_rows(api_a, store_a, url, attr):
    """A page of 12 rows costs the queries a page of 2 does (auth, count, rows with their store,
    customer and vehicle joined, the audit entry): nothing is fetched per row."""
    with time_machine.travel(WORLD_NOW, tick=False):
        for i in range(12):
            _world(store_a, f"1395550{i:04d}", f"皖N2{i:04d}")
    counted = {}
    with time_machine.travel(WORLD_NOW + dt.timedelta(hours=1), tick=False):
        api_a.get(url)  # the client's first call of the minute also records its use (ApiClient.touch)
        for size in (2, 12):
            with CaptureQueriesContext(connection) as queries:
                response = api_a.get(url, {"page_size": size})
            assert response.json()["count"] == 12 and len(response.json()["results"]) == size
            counted[size] = len(queries)
    assert counted[2] == counted[12]
    assert counted[12] <= 8


@pytest.mark.parametrize(("url", "attr"), LISTS)
def test_a_store_code_postgresql_cannot_compare_is_an_unknown_store(api_a, world_a, url, attr):
    """A NUL byte in the code was a 500 (PostgreSQL refuses it in a text parameter)."""
    response = api_a.get(url, {"store": "L\x00A"})
    assert response.status_code == 400
    assert response.json()["detail"] == api_a.get(url, {"store": "ZZ"}).json()["detail"].replace("ZZ", "L\x00A")


def test_a_client_of_two_stores_sees_both(call, world_a, world_b, store_a, store_b):
    from api.services import api_client_create

    issued = api_client_create(name="group BI", stores=[store_a, store_b], scopes=["read"])
    body = call(issued.token).get("/api/v1/complaints/").json()
    assert {r["store"] for r in body["results"]} == {"LA", "HF"}
    assert call(issued.token).get("/api/v1/complaints/", {"store": "HF"}).json()["count"] == 1


def test_report_tables_as_json_equal_the_builders(api_a, world_a, world_b, store_a):
    names = [r["name"] for r in api_a.get("/api/v1/reports/").json()]
    assert "sa_satisfaction" in names and "complaints" in names
    response = api_a.get("/api/v1/reports/complaints/", {"month": "2026-10"})
    assert response.status_code == 200
    body = response.json()
    table = build_report("complaints", store_ids=[store_a.pk], month=dt.date(2026, 10, 1), full_numbers=False)
    table.materialize()
    assert [c["header"] for c in body["columns"]] == table.headers
    assert len(body["rows"]) == len(table.rows) == 1
    assert body["rows"][0][0] == table.values(table.rows[0])[0]
    satisfaction = api_a.get("/api/v1/reports/sa_satisfaction/", {"month": "2026-10"}).json()
    assert satisfaction["total"] is not None


def test_report_needs_a_month_and_a_known_name(api_a, world_a):
    assert api_a.get("/api/v1/reports/complaints/").status_code == 400
    assert api_a.get("/api/v1/reports/nope/", {"month": "2026-10"}).status_code == 404
    assert api_a.get("/api/v1/reports/complaints/", {"month": "2026-10", "store": "HF"}).status_code == 400


def test_inactive_store_is_not_the_clients(call, store_a):
    from api.services import api_client_create

    closed = StoreFactory(code="XX", is_active=False)
    issued = api_client_create(name="old", stores=[closed], scopes=["read"])
    assert call(issued.token).get("/api/v1/complaints/").json()["count"] == 0


# --- weekly, quarterly and annual reports -----------------------------------------------------

COMPLAINT_WEEK = "2026-10-21"  # world cases are received on Monday 19 October (local time)
CALLBACK_WEEK = "2026-10-14"  # world ROs are delivered on Sunday 18 October


def _tables_json(tables):
    from api.views.reads import table_as_json

    return [table_as_json(t) for t in tables]


@pytest.mark.parametrize(
    ("name", "week", "monday", "builder"),
    [
        ("complaints_weekly", COMPLAINT_WEEK, "2026-10-19", "reports.tables.complaints.build_complaints_weekly"),
        ("callbacks_weekly", CALLBACK_WEEK, "2026-10-12", "reports.tables.callback_weekly.build_callbacks_weekly"),
    ],
)
def test_weekly_reports_as_json_equal_the_pages_builders(api_a, world_a, world_b, store_a, name, week, monday, builder):
    """The tables of the week, for the client's stores, as the page's builder makes them with numbers
    and customers' words masked (full_numbers=False where the builder takes it)."""
    from django.utils.module_loading import import_string

    with time_machine.travel(WORLD_NOW, tick=False):
        response = api_a.get(f"/api/v1/reports/weekly/{name}/", {"week": week})
        build = import_string(builder)
        options = {"full_numbers": False} if name == "callbacks_weekly" else {}
        expected = _tables_json(build(store_ids=[store_a.pk], day=dt.date.fromisoformat(week), **options))
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["week"]) == (name, monday)
    assert body["tables"] == expected
    assert body["tables"][0]["rows"]  # the world's case / the world's advisor is in it
    assert body["tables"][0]["store_label"] == store_a.name


def test_weekly_complaint_report_lists_only_the_clients_cases(api_a, api_b, world_a, world_b):
    with time_machine.travel(WORLD_NOW, tick=False):
        rows_a = api_a.get("/api/v1/reports/weekly/complaints_weekly/", {"week": COMPLAINT_WEEK}).json()
        rows_b = api_b.get("/api/v1/reports/weekly/complaints_weekly/", {"week": COMPLAINT_WEEK}).json()
    assert [r[0] for r in rows_a["tables"][0]["rows"]] == [world_a.case.case_no]
    assert [r[0] for r in rows_b["tables"][0]["rows"]] == [world_b.case.case_no]


def test_weekly_callback_report_is_built_masked(api_a, world_a, monkeypatch):
    """The weekly callback report's builder takes full_numbers: the API always passes False."""
    import dataclasses

    from reports import registry

    seen = []
    spec = registry.get_weekly_report("callbacks_weekly")

    def spy(**kwargs):
        seen.append(kwargs)
        return spec.builder(**kwargs)

    monkeypatch.setitem(registry._WEEKLY_REPORTS, "callbacks_weekly", dataclasses.replace(spec, builder=spy))
    assert api_a.get("/api/v1/reports/weekly/callbacks_weekly/", {"week": CALLBACK_WEEK}).status_code == 200
    assert seen and seen[0]["full_numbers"] is False


def test_weekly_report_week_defaults_and_refusals(api_a, world_a):
    with time_machine.travel(WORLD_NOW, tick=False):
        # Without a week: the week the page opens on (the callback report's: the week before last).
        assert api_a.get("/api/v1/reports/weekly/complaints_weekly/").json()["week"] == "2026-10-19"
        assert api_a.get("/api/v1/reports/weekly/callbacks_weekly/").json()["week"] == "2026-10-05"
    for bad in ("2026-10", "21/10/2026", "9999-12-31", "0001-01-01", "２０２６-10-21"):
        assert api_a.get("/api/v1/reports/weekly/complaints_weekly/", {"week": bad}).status_code == 400, bad
    assert api_a.get("/api/v1/reports/weekly/nope/").status_code == 404
    assert api_a.get("/api/v1/reports/weekly/complaints_weekly/", {"store": "HF"}).status_code == 400


def test_the_report_list_names_every_period_and_where_to_read_it(api_a):
    listed = {r["name"]: r for r in api_a.get("/api/v1/reports/").json()}
    assert listed["complaints"]["period"] == "month"
    assert listed["complaints"]["path"] == "/api/v1/reports/complaints/"
    assert listed["complaints_quarterly"]["period"] == "quarter"
    assert listed["complaints_annual"]["period"] == "year"
    assert listed["complaints_weekly"] == {
        "name": "complaints_weekly",
        "title": "投诉周报",
        "group": "",
        "period": "week",
        "path": "/api/v1/reports/weekly/complaints_weekly/",
    }
    assert listed["callbacks_weekly"]["path"] == "/api/v1/reports/weekly/callbacks_weekly/"


@pytest.mark.parametrize("name", ["complaints_quarterly", "complaints_annual"])
def test_quarterly_and_annual_complaint_reports_equal_the_builders(api_a, world_a, world_b, store_a, name):
    """A month in the period names it: October 2026 is the fourth quarter and the year 2026."""
    from api.views.reads import table_as_json

    with time_machine.travel(WORLD_NOW, tick=False):
        response = api_a.get(f"/api/v1/reports/{name}/", {"month": "2026-10"})
        expected = table_as_json(
            build_report(name, store_ids=[store_a.pk], month=dt.date(2026, 11, 1), full_numbers=False)
        )
    assert response.status_code == 200
    assert response.json() == expected
    assert response.json()["period_label"] in {"2026年第4季度", "2026年"}


def test_table_15_results_are_numbers_with_their_page_text(api_a, store_a):
    """A "figure" cell (table 15's monthly results) is {value, text}: the number stays a number for
    a BI tool, the page's text (unit, 进行中) beside it; a month not begun is null."""
    from callbacks.choices import CallbackKind
    from tests.improvement.factories import action, answered, local, meeting

    with time_machine.travel(local(2026, 11, 12, 10), tick=False):
        for month, score in ((8, 6), (9, 6), (10, 7), (11, 9)):
            answered(store=store_a, kind=CallbackKind.SERVICE, source=local(2026, month, 3, 10), code="Q9", value=score)
        action(meeting=meeting(store=store_a, held_on=dt.date(2026, 9, 10)), kind="service", code="Q9")
        body = api_a.get("/api/v1/reports/eqc_actions/", {"month": "2026-09"}).json()
    kinds = [c["kind"] for c in body["columns"]]
    [row] = body["rows"]
    results = [cell for cell, kind in zip(row, kinds, strict=True) if kind == "figure"]
    assert results[0] == {"value": 6.0, "text": "6.00分"}
    assert results[1]["value"] == pytest.approx((6 + 6 + 7) / 3) and results[1]["text"] == "6.33分"
    assert results[2]["value"] == pytest.approx((6 + 7 + 9) / 3) and results[2]["text"] == "7.33分 进行中"
    assert results[3] is None
