"""Click-to-call: the dev backend records the request, the HTTP backend posts it, and every failure
is a message for the agent (never an error page)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from retention.choices import OutreachKind
from retention.models import OutreachTask
from telephony.backends import CtiBackendError
from telephony.backends.http import HttpBackend
from telephony.choices import DialStatus
from telephony.models import AgentExtension, CallRecord, DialRequest
from tests.telephony.conftest import NOW

pytestmark = pytest.mark.django_db


def _dial(client, subject, pk, which="mobile"):
    return client.post(reverse("telephony:dial"), {"subject": subject, "id": pk, "which": which})


def test_dial_from_the_call_page_records_the_request(agent, extension, task, client_for):
    response = _dial(client_for(agent), "callback", task.pk)
    assert response.status_code == 200 and 'data-testid="dial-ok"' in response.content.decode()
    request = DialRequest.objects.get()
    assert (request.extension, request.number) == ("8001", task.customer.mobile)
    assert request.callback_task == task and request.status == DialStatus.SENT
    assert request.call_id == f"dev-{request.pk}"


def test_dial_from_the_customer_page_rings_the_landline_when_asked(agent, extension, customer, client_for):
    customer.landline = "0564-3334444"
    customer.save(update_fields=["landline"])
    _dial(client_for(agent), "customer", customer.pk, which="landline")
    assert DialRequest.objects.get().number == "0564-3334444"


def test_no_extension_is_a_message(agent, task, client_for):
    response = _dial(client_for(agent), "callback", task.pk)
    assert response.status_code == 200 and "分机号" in response.content.decode()
    assert not DialRequest.objects.exists()


def test_another_stores_task_is_404(agent_b, task, client_for):
    AgentExtension.objects.create(user=agent_b, extension="9001")
    outreach = OutreachTask.objects.create(
        store=task.store,
        kind=OutreachKind.WINBACK,
        customer=task.customer,
        window_opens_at=NOW,
        window_closes_at=NOW.replace(day=20),
    )
    assert _dial(client_for(agent_b), "callback", task.pk).status_code == 404
    assert _dial(client_for(agent_b), "customer", task.customer_id).status_code == 404
    assert _dial(client_for(agent_b), "outreach", outreach.pk).status_code == 404
    assert _dial(client_for(agent_b), "nonsense", task.pk).status_code == 404
    assert not DialRequest.objects.exists()


def test_own_stores_outreach_task_is_dialled(agent, extension, customer, client_for, frozen):
    """The control of the 404 above: the same outreach id, dialled by an agent of its store."""
    outreach = OutreachTask.objects.create(
        store=customer.store,
        kind=OutreachKind.WINBACK,
        customer=customer,
        window_opens_at=NOW,
        window_closes_at=NOW.replace(day=20),
    )
    assert 'data-testid="dial-ok"' in _dial(client_for(agent), "outreach", outreach.pk).content.decode()
    assert DialRequest.objects.get().outreach_task == outreach


def test_general_manager_may_not_dial(general_manager, task, client_for):
    assert _dial(client_for(general_manager), "callback", task.pk).status_code == 403


def test_http_backend_posts_the_request(agent, extension, task, client_for, settings, audio_server):
    settings.CTI_BACKEND = "telephony.backends.http.HttpBackend"
    settings.CTI_HTTP_URL = audio_server.url("/dial")
    settings.CTI_HTTP_TOKEN = "tok"
    audio_server.route(
        "/dial", status=200, content_type="application/json", body=json.dumps({"call_id": "X9"}).encode()
    )
    response = _dial(client_for(agent), "callback", task.pk)
    assert 'data-testid="dial-ok"' in response.content.decode()
    assert DialRequest.objects.get().call_id == "X9"
    body, headers = audio_server.posts[0]
    assert json.loads(body) == {
        "extension": "8001",
        "number": task.customer.mobile,
        "client_ref": str(DialRequest.objects.get().pk),
    }
    assert headers["Authorization"] == "Bearer tok"


def test_cti_down_is_a_message_and_a_failed_request(agent, extension, task, client_for, settings):
    settings.CTI_BACKEND = "telephony.backends.http.HttpBackend"
    settings.CTI_HTTP_URL = "http://127.0.0.1:9/dial"  # discard port: nothing listens
    response = _dial(client_for(agent), "callback", task.pk)
    assert response.status_code == 200 and 'data-testid="dial-error"' in response.content.decode()
    request = DialRequest.objects.get()
    assert request.status == DialStatus.FAILED and "unreachable" in request.error


def test_http_backend_without_url_refuses():
    with pytest.raises(CtiBackendError):
        HttpBackend(url="")


def test_call_page_shows_the_dial_button_and_its_calls_in_constant_queries(agent, extension, task, client_for):
    client = client_for(agent)
    url = reverse("callbacks:call", args=[task.pk])

    def add_calls(n):
        for i in range(n):
            CallRecord.objects.create(
                call_id=f"q{CallRecord.objects.count()}-{i}", direction="out", store=task.store, agent=agent,
                customer=task.customer, callback_task=task, started_at=task.window_opens_at,
                answered_at=task.window_opens_at, duration_seconds=30,
            )  # fmt: skip

    add_calls(1)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert 'data-testid="dial-mobile"' in page and page.count('data-testid="call-row"') == 1
    assert 'id="call-pop"' in page  # the screen-pop poll of every page
    add_calls(6)
    with CaptureQueriesContext(connection) as seven:
        page = client.get(url).content.decode()
    assert page.count('data-testid="call-row"') == 7
    assert len(seven.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize(
    ("answered", "ended", "seconds", "text"),
    [(True, True, 125, "通话 0:02:05"), (False, True, 0, "未接通"), (False, False, 0, "进行中")],
)
def test_a_call_says_the_same_on_the_call_page_and_the_customer_timeline(
    agent, task, client_for, answered, ended, seconds, text
):
    at = task.window_opens_at
    CallRecord.objects.create(
        call_id="status-1", direction="out", store=task.store, agent=agent, customer=task.customer,
        callback_task=task, started_at=at, answered_at=at if answered else None,
        ended_at=at if ended else None, duration_seconds=seconds,
    )  # fmt: skip
    client = client_for(agent)
    call_page = client.get(reverse("callbacks:call", args=[task.pk])).content.decode()
    row = call_page[call_page.index('data-testid="call-row"') :]
    row = row[: row.index("</li>")]
    timeline = client.get(reverse("crm:customer_detail", args=[task.customer_id])).content.decode()
    assert text in row and text in timeline
