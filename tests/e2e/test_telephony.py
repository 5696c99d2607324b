"""Browser flows of the telephone system (issue 16 items 2–3): click-to-call from the call page with
the dev backend, the CTI's events making the call and its recording, the recording played on the
call page and the customer timeline, and an inbound call popping the customer for the agent."""

import json
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from api.choices import Scope
from api.services import api_client_create
from telephony.choices import RecordingState
from telephony.models import AgentExtension, CallRecord, DialRequest
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import CustomerFactory, DeliveryFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAV = (  # an empty 8 kHz mono PCM WAV
    b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00"
    b"\x80>\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"
)


@pytest.fixture
def cti_token(store_a):
    """The store's CTI, an API client with the scope cti:events."""
    return api_client_create(name="CTI", stores=[store_a], scopes=[Scope.CTI_EVENTS]).token


def _post_event(live_server, token: str, body: bytes, content_type: str) -> dict:
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/telephony/events/",
        data=body,
        method="POST",
        headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def call_task(store_a, agent):
    AgentExtension.objects.create(user=agent, extension="8001")
    customer = CustomerFactory(store=store_a, name="孙磊", mobile="13955507777", landline="0564-3334444")
    return SalesTaskFactory(delivery=DeliveryFactory(store=store_a, customer=customer))


def test_click_to_call_then_the_cti_reports_the_call_and_its_recording(
    page, live_server, login, agent, call_task, media, screenshot, cti_token
):
    login(agent)
    page.goto(f"{live_server.url}/callbacks/tasks/{call_task.pk}/")
    page.click("[data-testid=dial-mobile]")
    page.wait_for_selector("[data-testid=dial-ok]")
    assert "8001" in page.locator("[data-testid=dial-ok]").inner_text()
    dial = DialRequest.objects.get()
    assert dial.callback_task_id == call_task.pk and dial.number == "13955507777"
    screenshot("telephony_call_dialled")

    # The CTI: answered, then ended with talk time and the recording as a file.
    answered = json.dumps({"call_id": dial.call_id, "event": "answered", "client_ref": str(dial.pk)}).encode()
    _post_event(live_server, cti_token, answered, "application/json")
    fields = {"call_id": dial.call_id, "event": "ended", "client_ref": str(dial.pk), "duration": "95"}
    body = encode_multipart(BOUNDARY, {**fields, "recording": _wav_file()})
    result = _post_event(live_server, cti_token, body, MULTIPART_CONTENT)
    assert result["recording"] == RecordingState.STORED
    record = CallRecord.objects.get()
    assert record.callback_task_id == call_task.pk and record.duration_seconds == 95

    page.reload()
    row = page.locator("[data-testid=call-row]")
    assert "0:01:35" in row.inner_text()  # 95 seconds of talk time
    player = page.locator("[data-testid=telephony-panel] audio")
    assert player.count() == 1
    status = page.evaluate("async (src) => (await fetch(src)).status", player.get_attribute("src"))
    assert status == 200
    screenshot("telephony_call_with_recording")

    page.goto(f"{live_server.url}/customers/{call_task.customer_id}/")
    assert page.locator("[data-testid=timeline] audio").count() == 1
    screenshot("telephony_customer_timeline")


def _wav_file():
    return SimpleUploadedFile("call.wav", WAV, content_type="audio/wav")


def test_cti_down_shows_the_agent_a_message(page, live_server, login, agent, call_task, settings):
    settings.CTI_BACKEND = "telephony.backends.http.HttpBackend"
    settings.CTI_HTTP_URL = "http://127.0.0.1:9/dial"
    login(agent)
    page.goto(f"{live_server.url}/callbacks/tasks/{call_task.pk}/")
    page.click("[data-testid=dial-mobile]")
    page.wait_for_selector("[data-testid=dial-error]")
    assert "呼叫失败" in page.locator("[data-testid=dial-error]").inner_text()


def test_inbound_call_pops_the_customer_for_the_agent(
    page, live_server, login, agent, call_task, screenshot, cti_token
):
    login(agent)
    page.goto(f"{live_server.url}/callbacks/")
    event = {"call_id": "in-1", "event": "answered", "direction": "in", "extension": "8001", "number": "13955507777"}
    _post_event(live_server, cti_token, json.dumps(event).encode(), "application/json")
    page.wait_for_selector("[data-testid=call-pop]", timeout=12_000)
    assert "孙磊" in page.locator("[data-testid=call-pop]").inner_text()
    screenshot("telephony_pop")
    page.click("[data-testid=call-pop-open]")
    page.wait_for_url(f"**/customers/{call_task.customer_id}/")
    assert page.locator("[data-testid=customer-name]").inner_text() == "孙磊"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [1400, 390])
def test_telephony_pages_screenshots(page, live_server, login, agent, call_task, media, screenshot, language, width):
    CallRecord.objects.create(
        call_id="shot-1", direction="out", store=call_task.store, agent=agent, customer=call_task.customer,
        callback_task=call_task, started_at=call_task.window_opens_at, answered_at=call_task.window_opens_at,
        duration_seconds=125,
    )  # fmt: skip
    CallRecord.objects.create(
        call_id="shot-2", direction="in", store=call_task.store, agent=agent, customer=call_task.customer,
        callback_task=call_task, started_at=call_task.window_opens_at, recording_state=RecordingState.FAILED,
        recording_error="HTTP 404", ended_at=call_task.window_opens_at,
    )  # fmt: skip
    login(agent)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/callbacks/tasks/{call_task.pk}/")
    page.click("[data-testid=dial-landline]")
    page.wait_for_selector("[data-testid=dial-ok]")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    screenshot(f"telephony_call_{language}_{width}")
    page.goto(f"{live_server.url}/customers/{call_task.customer_id}/")
    screenshot(f"telephony_customer_{language}_{width}")
