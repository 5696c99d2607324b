"""PostgreSQL restart (issue 17 item 4): a request that fails gets our styled 500 page, which needs
no database, user or context processor; and a kept connection the database dropped is noticed
before the next request uses it (CONN_HEALTH_CHECKS)."""

from http.cookies import SimpleCookie
from io import BytesIO
from unittest import mock

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from crm.choices import Role
from tests.factories import UserFactory


def test_500_page_renders_without_database_user_or_context():
    # No django_db mark: any query here would fail the test.
    response = server_error(RequestFactory().get("/customers/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务暂时不可用，请稍后重试" in html and "The service is temporarily unavailable" in html
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html and 'data-testid="server-error"' in html


@pytest.mark.django_db
def test_a_view_whose_database_fails_answers_the_styled_500(cr_manager):
    client = Client(raise_request_exception=False)
    client.force_login(cr_manager)
    with mock.patch("crm.views.import_jobs_recent", side_effect=OperationalError("terminating connection")):
        response = client.get(reverse("crm:import_upload"))
    assert response.status_code == 500
    assert "请稍后重试" in response.content.decode() and "Server Error (500)" not in response.content.decode()


def _wsgi_get(handler: WSGIHandler, path: str, cookie: str) -> str:
    """A request the way gunicorn hands it over: request_started / request_finished fire, so
    Django's per-request connection housekeeping runs (the test Client skips it)."""
    statuses = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "HTTP_HOST": "localhost",
        "HTTP_COOKIE": cookie,
        "wsgi.input": BytesIO(),
        "wsgi.url_scheme": "http",
        "wsgi.errors": BytesIO(),
    }
    body = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    body.close()  # fires request_finished
    return statuses[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("health_checks, second", [(True, "302 Found"), (False, "500 Internal Server Error")])
def test_request_after_the_database_dropped_the_kept_connection(client, health_checks, second):
    """Between two requests PostgreSQL ends our session (as a restart does). With health checks on
    (our setting) the next request reconnects; without them it fails on the dead socket."""
    agent = UserFactory(username="a1", roles=[Role.CALLBACK_AGENT])
    client.force_login(agent)
    cookie = SimpleCookie({k: v.value for k, v in client.cookies.items()}).output(header="", sep=";").strip()
    saved = {key: connection.settings_dict[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.settings_dict.update(CONN_MAX_AGE=600, CONN_HEALTH_CHECKS=health_checks)
    handler = WSGIHandler()
    try:
        connection.close()
        assert _wsgi_get(handler, "/", cookie) == "302 Found"  # the session and user are read
        pid = connection.connection.info.backend_pid  # kept open (CONN_MAX_AGE)
        killer = connection.copy()
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        killer.close()
        with mock.patch("django.core.handlers.exception.log_response"):  # the expected error, unlogged
            assert _wsgi_get(handler, "/", cookie) == second
    finally:
        connection.settings_dict.update(saved)
        connection.close()
