"""SMS backends: the HTTP backend against a real local HTTP server, and the setting that picks one."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crm.sms import services
from crm.sms.backends import SmsBackendError, get_backend
from crm.sms.backends.dev import DevBackend
from crm.sms.backends.http import HttpBackend
from crm.sms.choices import SmsStatus
from tests.factories import CustomerFactory


class Gateway:
    """A local SMS gateway: records what it receives, answers with a status and a body."""

    def __init__(self, status=200, body=b'{"id": "GW-42"}'):
        self.requests = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                gateway.requests.append({"headers": dict(self.headers), "body": json.loads(self.rfile.read(length))})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def queued(store_a):
    import datetime
    from zoneinfo import ZoneInfo

    customer = CustomerFactory(store=store_a, mobile="13955556666")
    at = datetime.datetime(2026, 3, 2, 23, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    return services.sms_send(
        store=store_a,
        customer=customer,
        mobile=customer.mobile,
        body="尊敬的客户，请回复1-10分",
        reason="x",
        related_key="1",
        now=at,
    )


def _morning():
    import datetime
    from zoneinfo import ZoneInfo

    return datetime.datetime(2026, 3, 3, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_http_backend_posts_json_with_token_and_keeps_gateway_id(queued, settings):
    with Gateway() as gw:
        settings.SMS_BACKEND = "crm.sms.backends.http.HttpBackend"
        settings.SMS_HTTP_URL = gw.url
        settings.SMS_HTTP_TOKEN = "s3cret"
        assert services.sms_flush_queue(now=_morning()) == 1
    queued.refresh_from_db()
    assert queued.status == SmsStatus.SENT and queued.provider_id == "GW-42"
    (req,) = gw.requests
    assert req["body"] == {"mobile": "13955556666", "content": "尊敬的客户，请回复1-10分", "client_ref": str(queued.pk)}
    assert req["headers"]["Authorization"] == "Bearer s3cret"
    assert req["headers"]["Content-Type"].startswith("application/json")


def test_http_backend_error_status_fails_the_message(queued, settings):
    with Gateway(status=503, body=b'{"error": "busy"}') as gw:
        settings.SMS_BACKEND = "crm.sms.backends.http.HttpBackend"
        settings.SMS_HTTP_URL = gw.url
        assert services.sms_flush_queue(now=_morning()) == 0
    queued.refresh_from_db()
    assert queued.status == SmsStatus.FAILED and "HTTP 503" in queued.error and "busy" in queued.error


def test_http_backend_unreachable_is_an_error():
    backend = HttpBackend(url="http://127.0.0.1:9/nothing-listens", token="")
    with pytest.raises(SmsBackendError, match="unreachable"):
        backend.send(type("M", (), {"mobile": "13900000000", "body": "x", "pk": 1})())


def test_http_backend_without_url_refuses(settings):
    settings.SMS_HTTP_URL = ""
    with pytest.raises(SmsBackendError):
        HttpBackend()


def test_default_backend_is_dev(settings):
    assert isinstance(get_backend(), DevBackend)


def test_misconfigured_http_backend_leaves_messages_queued(queued, settings):
    settings.SMS_BACKEND = "crm.sms.backends.http.HttpBackend"
    settings.SMS_HTTP_URL = ""
    assert services.sms_flush_queue(now=_morning()) == 0
    assert services.sms_deliver(message_id=queued.pk, now=_morning()) is False
    queued.refresh_from_db()
    assert queued.status == SmsStatus.QUEUED


def test_dev_backend_logs_bodies_only_at_debug(caplog, db):
    """`make run` prints INFO: a demo's dozens of message bodies are DEBUG detail, not console lines."""
    import logging

    from crm.sms.models import SmsMessage

    message = SmsMessage(pk=1, mobile="13900000000", body="尊敬的张先生，预约电话0564-3311888")
    with caplog.at_level(logging.INFO, logger="crm.sms"):
        DevBackend().send(message)
    assert not caplog.records
    with caplog.at_level(logging.DEBUG, logger="crm.sms"):
        DevBackend().send(message)
    assert "预约电话0564-3311888" in caplog.text


def test_celery_task_lines_are_quiet_by_default(settings):
    """The worker's per-task lines ("Task … succeeded: False", one per message at night) stay out of
    an INFO console; failures still reach it (they log at ERROR)."""
    import logging

    assert settings.LOGGING["loggers"]["celery.app.trace"]["level"] == "WARNING"
    assert settings.LOGGING["loggers"]["celery.worker.strategy"]["level"] == "WARNING"
    assert logging.getLogger("celery.app.trace").getEffectiveLevel() == logging.WARNING
