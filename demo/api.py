"""seed_demo step: an API client for the demo stores (every scope), with a fixed demo token
printed like the demo logins, so that `make run` shows the API working at once:

    curl -H "Authorization: Bearer dcr_demo_token_not_for_production" \\
         "http://127.0.0.1:8000/api/v1/customers/lookup/?mobile=…"

A real client's token is random and shown once (README "REST API"); the demo's is fixed, as the demo
passwords are. Idempotent: the client is created once, its stores and scopes kept in step."""

from api.choices import Scope
from api.models import ApiClient
from crm.models import Store
from crm.tokens import token_hash
from demo.context import DemoContext

DEMO_CLIENT = "演示DMS与呼叫中心"
DEMO_TOKEN = "dcr_demo_token_not_for_production"


def seed_api_demo(ctx: DemoContext) -> None:
    client, _created = ApiClient.objects.get_or_create(
        name=DEMO_CLIENT,
        defaults={"token_hash": token_hash(DEMO_TOKEN), "token_prefix": DEMO_TOKEN[:12], "scopes": list(Scope.values)},
    )
    client.stores.set(Store.objects.filter(is_active=True))
    if client.token_hash == token_hash(DEMO_TOKEN) and client.usable:
        ctx.stdout.write(f"API demo token ({DEMO_CLIENT}, docs at /api/v1/docs/): {DEMO_TOKEN}")
