"""Fixtures of the telephone system: extensions, a claimed callback task, the CTI as an API client
posting events, and a local HTTP server standing in for the CTI's recording store."""

import datetime as dt
import http.server
import json
import threading

import pytest
import time_machine

from api.choices import Scope
from api.services import api_client_create
from telephony.models import AgentExtension
from tests.callbacks.factories import SalesTaskFactory
from tests.conftest import SHANGHAI
from tests.factories import CustomerFactory, DeliveryFactory

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def extension(agent):
    return AgentExtension.objects.create(user=agent, extension="8001")


@pytest.fixture
def customer(store_a):
    return CustomerFactory(store=store_a, name="张伟", mobile="13955501234")


@pytest.fixture
def task(agent, customer, frozen):
    """An open sales callback task of store A, claimed by Alice."""
    delivery = DeliveryFactory(store=customer.store, customer=customer)
    task = SalesTaskFactory(delivery=delivery)
    task.claimed_by, task.claimed_at = agent, NOW
    task.save(update_fields=["claimed_by", "claimed_at"])
    return task


EVENTS_URL = "/api/v1/telephony/events/"


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def cti_auth(store_a, store_b):
    """The group's CTI: an API client of both stores with the scope cti:events (its request headers)."""
    return bearer(api_client_create(name="CTI", stores=[store_a, store_b], scopes=[Scope.CTI_EVENTS]).token)


@pytest.fixture
def post_event(client, cti_auth):
    """`post_event(**fields)` posts one JSON event as the CTI does; returns the response."""

    def _post(**fields):
        body = json.dumps(fields).encode()
        return client.post(EVENTS_URL, data=body, content_type="application/json", **cti_auth)

    return _post


class _AudioHandler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}
    posted: list = []

    def do_GET(self):
        status, content_type, body, declared = self.routes.get(self.path, (404, "text/plain", b"no", None))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if declared != "omit":  # "omit": no Content-Length, the body runs until the connection closes
            self.send_header("Content-Length", str(declared if declared is not None else len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.posted.append((self.rfile.read(length), dict(self.headers)))
        self.do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def audio_server():
    """A local server: `audio_server.route(path, status, content_type, body, declared_length=None)`,
    `audio_server.url(path)`."""
    routes: dict = {}
    posted: list = []
    handler = type("Handler", (_AudioHandler,), {"routes": routes, "posted": posted})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    class Server:
        def route(self, path, status=200, content_type="audio/mpeg", body=b"ID3audio", declared_length=None):
            routes[path] = (status, content_type, body, declared_length)

        posts = posted  # (body, headers) of each POST, in order

        def url(self, path):
            return f"http://127.0.0.1:{server.server_port}{path}"

    try:
        yield Server()
    finally:
        server.shutdown()
        server.server_close()
