"""Clients, tokens, scopes, throttling and the audit log of every call."""

import datetime as dt
import io
import re

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.choices import Scope
from api.models import ApiClient
from api.services import api_client_create, api_client_revoke, api_client_rotate_token
from crm.tokens import token_hash

pytestmark = pytest.mark.django_db
LOOKUP = "/api/v1/customers/lookup/?mobile=13955501234"


def test_the_token_is_kept_only_as_its_hash(issued_a):
    client = ApiClient.objects.get(pk=issued_a.client.pk)
    assert issued_a.token.startswith("dcr_") and len(issued_a.token) > 40
    assert client.token_hash == token_hash(issued_a.token)
    assert issued_a.token not in str(ApiClient.objects.filter(pk=client.pk).values().get())


def test_no_token_bad_token_and_other_schemes_are_401(call, issued_a):
    assert call().get(LOOKUP).status_code == 401
    assert call("dcr_not-a-token").get(LOOKUP).status_code == 401
    basic = call()
    basic.credentials(HTTP_AUTHORIZATION=f"Token {issued_a.token}")
    assert basic.get(LOOKUP).status_code == 401
    assert call(issued_a.token).get(LOOKUP).status_code == 200


def test_a_revoked_or_inactive_client_is_refused_at_once(api_a, issued_a):
    assert api_a.get(LOOKUP).status_code == 200
    assert api_client_revoke(client=issued_a.client) is True
    assert api_a.get(LOOKUP).status_code == 401
    assert api_client_revoke(client=issued_a.client) is False


def test_a_missing_scope_is_403(store_a, call):
    issued = api_client_create(name="reporting", stores=[store_a], scopes=[Scope.READ])
    api = call(issued.token)
    assert api.get(LOOKUP).status_code == 403
    assert api.post("/api/v1/dms/repair-orders/", {"items": [{}]}, format="json").status_code == 403
    assert api.get("/api/v1/reports/").status_code == 200


def test_unknown_scopes_are_refused(store_a):
    with pytest.raises(ValueError):
        api_client_create(name="x", stores=[store_a], scopes=["admin"])


def test_throttled_per_client(api_a, api_b, settings):
    settings.API_THROTTLE_RATE = "2/min"
    assert api_a.get(LOOKUP).status_code == 200
    assert api_a.get(LOOKUP).status_code == 200
    assert api_a.get(LOOKUP).status_code == 429
    # Another client has its own budget.
    assert api_b.get(LOOKUP).status_code == 200


def test_every_call_is_audit_logged(api_a, issued_a, call):
    before = LogEntry.objects.count()
    api_a.get(LOOKUP)
    call("dcr_wrong").get(LOOKUP)
    entries = list(LogEntry.objects.order_by("-id")[:2])
    assert LogEntry.objects.count() == before + 2
    refused, ok = entries
    assert ok.additional_data["client"] == "LA DMS"
    assert ok.additional_data["status"] == 200
    assert ok.additional_data["method"] == "GET"
    assert ok.additional_data["path"] == LOOKUP
    assert ok.additional_data["counts"] == {"results": 0}
    assert refused.additional_data["client"] is None
    assert refused.additional_data["status"] == 401


def test_last_used_is_recorded(api_a, issued_a):
    assert issued_a.client.last_used_at is None
    api_a.get(LOOKUP)
    issued_a.client.refresh_from_db()
    assert issued_a.client.last_used_at is not None


def test_create_and_revoke_commands(store_a, call):
    out = io.StringIO()
    call_command("create_api_client", "CTI", "--store", "la", "--scope", "lookup", stdout=out)
    token = next(line.split(": ", 1)[1] for line in out.getvalue().splitlines() if line.startswith("token: "))
    assert call(token).get(LOOKUP).status_code == 200
    call_command("revoke_api_client", "CTI", stdout=io.StringIO())
    assert call(token).get(LOOKUP).status_code == 401


def test_admin_shows_the_new_token_once(administrator, client, store_a):
    client.force_login(administrator)
    response = client.post(
        "/admin/api/apiclient/add/",
        {"name": "DMS", "stores": [store_a.pk], "scopes": ["dms:push"], "is_active": "on", "note": ""},
        follow=True,
    )
    assert response.status_code == 200
    created = ApiClient.objects.get(name="DMS")
    shown = [str(m) for m in response.context["messages"]]
    token = next(m.rsplit("：", 1)[1] for m in shown if "dcr_" in m)
    assert token_hash(token) == created.token_hash
    assert created.scopes == ["dms:push"]


def test_the_schema_is_served(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/dms/repair-orders/" in paths and "/api/v1/customers/lookup/" in paths


# Any address a page would load: src= / href= attributes, CSS url(...) and @import.
LOADED = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?|@import\s+["'])([^"'\s)>]+)""", re.IGNORECASE)


@pytest.mark.parametrize(("url", "marker"), [("/api/v1/docs/", "swagger-ui"), ("/api/v1/redoc/", "redoc")])
def test_docs_pages_load_nothing_from_another_host(client, url, marker):
    """Swagger UI and Redoc load their scripts, styles, icons and fonts from this site only (no CDN):
    drf-spectacular's Redoc template linked Google Fonts."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert marker in html
    loaded = LOADED.findall(html)
    assert any("drf_spectacular_sidecar" in address for address in loaded)
    external = [a for a in loaded if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", a, re.IGNORECASE)]
    assert external == []
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
    if marker == "swagger-ui":
        # Swagger UI's validator badge is an image from validator.swagger.io unless switched off.
        assert '"validatorUrl": null' in html


def test_unknown_paths_are_a_json_404_for_a_client_and_401_for_anyone_else(api_a, call):
    response = api_a.get("/api/v1/nothing/here/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert call().get("/api/v1/nothing/here/").status_code == 401


def _trail(client: ApiClient) -> list[LogEntry]:
    """The client's audit trail: its changes, not its calls (action 'access')."""
    return list(
        LogEntry.objects.get_for_object(client).exclude(action=LogEntry.Action.ACCESS).order_by("timestamp", "id")
    )


def _leaks(entries: list[LogEntry], *secrets: str) -> list[str]:
    """The secrets found anywhere in the entries' stored columns."""
    stored = " ".join(str(v) for e in entries for v in LogEntry.objects.filter(pk=e.pk).values().get().values())
    return [s for s in secrets if s in stored]


def test_create_revoke_and_new_token_are_audited_without_the_token_hash(store_a, store_b):
    issued = api_client_create(name="CTI", stores=[store_a], scopes=[Scope.LOOKUP])
    client = issued.client
    first_hash = client.token_hash
    created = _trail(client)
    assert created[0].action == LogEntry.Action.CREATE
    assert created[0].changes_dict["name"] == ["None", "CTI"]
    assert "token_prefix" in created[0].changes_dict and "token_hash" not in created[0].changes_dict
    assert any(e.changes_dict.get("stores", {}).get("objects") == [str(store_a)] for e in created)

    token = api_client_rotate_token(client=client)
    rotated = _trail(client)[-1]
    assert rotated.action == LogEntry.Action.UPDATE
    assert rotated.changes_dict["token_prefix"] == [issued.token[:12], token[:12]]
    assert "token_hash" not in rotated.changes_dict

    assert api_client_revoke(client=client) is True
    revoked = _trail(client)[-1]
    assert revoked.action == LogEntry.Action.UPDATE
    assert revoked.changes_dict["is_active"] == ["True", "False"]
    assert revoked.changes_dict["revoked_at"][0] == "None"
    count = len(_trail(client))
    assert api_client_revoke(client=client) is False
    assert len(_trail(client)) == count  # revoking a revoked client changes nothing

    client.refresh_from_db()
    assert _leaks(_trail(client), first_hash, client.token_hash, issued.token, token) == []


def test_admin_changes_to_a_client_are_audited_with_the_administrator(administrator, client, store_a):
    client.force_login(administrator)
    client.post(
        "/admin/api/apiclient/add/",
        {"name": "DMS", "stores": [store_a.pk], "scopes": ["dms:push"], "is_active": "on", "note": ""},
    )
    created = ApiClient.objects.get(name="DMS")
    client.post(
        "/admin/api/apiclient/",
        {"action": "rotate_token", "_selected_action": [created.pk]},
    )
    client.post("/admin/api/apiclient/", {"action": "revoke", "_selected_action": [created.pk]})
    trail = _trail(created)
    assert [e.action for e in trail if "stores" not in e.changes_dict] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.UPDATE,
    ]
    assert {e.actor_id for e in trail} == {administrator.pk}
    created.refresh_from_db()
    assert _leaks(trail, created.token_hash) == []


def test_failed_authentication_is_throttled_per_address(call, issued_a, settings):
    """Past the failures an address may make, its calls are 429 before the token is looked up —
    a valid token's too — and write no audit row but the first refusal's; another address and
    the clients' own budgets are untouched."""
    settings.API_AUTH_FAILURE_RATE = "3/min"
    stranger, neighbour = call("dcr_guess"), call("dcr_guess")
    stranger.defaults["REMOTE_ADDR"] = "203.0.113.7"
    neighbour.defaults["REMOTE_ADDR"] = "198.51.100.2"
    before = LogEntry.objects.count()
    assert [stranger.get(LOOKUP).status_code for _ in range(3)] == [401, 401, 401]
    assert LogEntry.objects.count() == before + 3

    with CaptureQueriesContext(connection) as queries:
        refused = [stranger.get(LOOKUP) for _ in range(20)]
    assert {r.status_code for r in refused} == {429}
    assert int(refused[0]["Retry-After"]) > 0
    assert LogEntry.objects.count() == before + 4  # the first refusal only
    first = LogEntry.objects.latest("id")
    assert first.additional_data["status"] == 429 and first.additional_data["client"] is None
    assert len(queries) == 1  # that entry's insert: no token lookup, no other row

    # The address is refused whatever it sends, a valid token and no token included.
    stranger.credentials(HTTP_AUTHORIZATION=f"Bearer {issued_a.token}")
    assert stranger.get(LOOKUP).status_code == 429
    stranger.credentials()
    assert stranger.get(LOOKUP).status_code == 429
    assert neighbour.get(LOOKUP).status_code == 401
    assert call(issued_a.token).get(LOOKUP).status_code == 200


def test_calls_without_a_token_count_as_failures_and_the_window_passes(call, settings, time_machine):
    settings.API_AUTH_FAILURE_RATE = "2/min"
    time_machine.move_to(dt.datetime(2026, 10, 21, 10, 0, tzinfo=dt.UTC), tick=False)
    anonymous = call()
    assert anonymous.get(LOOKUP).status_code == 401
    assert anonymous.get("/api/v1/nothing/").status_code == 401
    assert anonymous.get(LOOKUP).status_code == 429
    time_machine.shift(61)
    assert anonymous.get(LOOKUP).status_code == 401


def test_a_forwarded_for_header_does_not_change_the_address(call, settings):
    """Without proxies configured (API_NUM_PROXIES 0) the address is REMOTE_ADDR: a caller cannot
    start afresh by writing another X-Forwarded-For."""
    settings.API_AUTH_FAILURE_RATE = "2/min"
    caller = call("dcr_guess")
    for i in range(2):
        assert caller.get(LOOKUP, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code == 401
    assert caller.get(LOOKUP, HTTP_X_FORWARDED_FOR="10.0.0.9").status_code == 429
