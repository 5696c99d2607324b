"""Contract tests (issue 16 item 5): schemathesis generates requests for every operation of the
OpenAPI schema and calls the WSGI app in-process, authenticated as store A's client holding every
scope; no response may be a 500, and every response must match the schema (status code, content
type, body)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_schema(db):
    # As Django's test client does: the WSGI handler must not close the test's connection (it is
    # inside the test's transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_every_operation_conforms(api_schema, issued_a, world_a, settings):
    """Each operation in turn (schemathesis' pytest plugin does not run on this pytest)."""
    settings.API_THROTTLE_RATE = "100000/min"
    headers = {"Authorization": f"Bearer {issued_a.token}"}
    checked = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def conforms(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        conforms()
        checked.append(operation.label)
    assert len(checked) == 12


def test_the_schema_names_every_endpoint(api_schema):
    operations = {f"{op.ok().method.upper()} {op.ok().path}" for op in api_schema.get_all_operations()}
    assert operations == {
        "POST /api/v1/dms/deliveries/",
        "POST /api/v1/dms/repair-orders/",
        "POST /api/v1/dms/callback-results/",
        "GET /api/v1/customers/lookup/",
        "GET /api/v1/customers/{id}/timeline/",
        "GET /api/v1/callback-tasks/",
        "GET /api/v1/complaints/",
        "GET /api/v1/reminders/",
        "GET /api/v1/reports/",
        "GET /api/v1/reports/{name}/",
        "GET /api/v1/reports/weekly/{name}/",
        "POST /api/v1/telephony/events/",
    }
