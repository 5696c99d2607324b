"""crm.params: the one reader of hand-read request parameters, and the 500s of Issue 12 it ended."""

import datetime as dt

import pytest
from django.core.exceptions import BadRequest
from django.test import RequestFactory
from django.urls import reverse

from crm.params import date_param, id_list_param, id_param, month_param, safe_next_url, text_param
from tests.callbacks.factories import SalesTaskFactory

MALFORMED_IDS = ["²", "abc", "-1", "0", "9" * 30, "0x10", "1e9", "\x00", "１２", " 12", "12 "]


@pytest.mark.parametrize("value", MALFORMED_IDS)
def test_a_malformed_id_is_a_bad_request(value):
    with pytest.raises(BadRequest):
        id_param(value)


def test_ids_absent_empty_and_well_formed():
    assert id_param(None) is None and id_param("") is None
    assert id_param("42") == 42 and id_param(str(2**63 - 1)) == 2**63 - 1
    assert id_list_param(["3", "", "5"]) == [3, 5]
    with pytest.raises(BadRequest):
        id_list_param(["3", "²"])


@pytest.mark.parametrize("value", ["2026-13", "2026-00", "２０２６-１０", "2026-1x", "1e9", "\x00", "9999-12"])
def test_a_malformed_month_is_a_bad_request(value):
    with pytest.raises(BadRequest):
        month_param(value)


def test_months_and_days():
    assert month_param("2026-10") == dt.date(2026, 10, 1) and month_param("") is None
    assert date_param("2026-11-05") == dt.date(2026, 11, 5) and date_param(None) is None
    for bad in ("2026-02-30", "²", "２０２６-１１-０５", "abc"):
        with pytest.raises(BadRequest):
            date_param(bad)


def test_text_refuses_nul_and_overlong():
    assert text_param("好" * 3, max_length=3) == "好好好" and text_param(None) == ""
    for bad in ("a\x00b", "好" * 4):
        with pytest.raises(BadRequest):
            text_param(bad, max_length=3)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "-1",
        "abc",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "http://testserver/x",
        "javascript:alert(1)",
    ],
)
def test_next_stays_on_a_path_of_this_site(value):
    request = RequestFactory().get("/")
    assert safe_next_url(request, value, "/fallback/") == "/fallback/"


def test_next_keeps_a_local_path():
    assert safe_next_url(RequestFactory().get("/"), "/callbacks/?a=1", "/fallback/") == "/callbacks/?a=1"


# --- the 500s the issue reported, now answered without a server error ---------------------------


@pytest.mark.parametrize("field,value", [("task", "²"), ("assignee", "abc"), ("task", "9" * 30)])
def test_manager_queue_refuses_malformed_ids(client_for, cr_manager, store_a, field, value):
    task = SalesTaskFactory(delivery__store=store_a)
    data = {"task": [str(task.pk)], field: value}
    response = client_for(cr_manager).post(reverse("callbacks:manager_queue"), data)
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.assigned_to_id is None


def test_call_page_refuses_a_malformed_version(client_for, agent, store_a):
    task = SalesTaskFactory(delivery__store=store_a)
    response = client_for(agent).post(reverse("callbacks:call", args=[task.pk]), {"version": "²"})
    assert response.status_code == 400


def test_package_generate_refuses_a_malformed_store(client_for, cr_manager):
    response = client_for(cr_manager).post(reverse("reports:package_generate"), {"store": "abc", "month": "2026-10"})
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["-1", "abc", "https://evil.example/", "//evil.example/"])
def test_mark_all_read_goes_to_the_list_unless_next_is_a_local_path(client_for, cr_manager, value):
    client = client_for(cr_manager)
    url = reverse("complaints:notification_mark_all_read")
    assert client.post(url, {"next": value})["Location"] == reverse("complaints:notification_list")
    assert client.post(url, {"next": "/callbacks/"})["Location"] == "/callbacks/"


def test_daily_report_refuses_a_malformed_day(client_for, agent):
    client = client_for(agent)
    assert client.get(reverse("callbacks:daily_report"), {"day": "2026-13-01"}).status_code == 400
    assert client.get(reverse("callbacks:daily_report"), {"day": "2026-11-05"}).status_code == 200


def test_question_code_with_nul_is_a_bad_request(client_for, cr_manager):
    from surveys.models import Template

    template = Template.objects.order_by("id").first()
    response = client_for(cr_manager).get(f"/surveys/{template.pk}/questions/%00/")
    assert response.status_code == 400
