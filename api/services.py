"""API writes: clients (create, revoke) and the DMS push, which goes through crm's import path."""

import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.choices import Scope
from api.models import ApiClient
from crm.importing.records import records_source
from crm.importing.runner import import_sources
from crm.models import Store
from crm.tokens import token_hash

TOKEN_PREFIX = "dcr_"
# The outcome of one pushed item, as the response says it.
OUTCOME_NAMES = {"created": "created", "updated": "updated", "unchanged": "unchanged", "errors": "error"}


def new_token() -> str:
    """A new random token: 256 bits, prefixed so that a leaked one is recognisable in a scan."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class IssuedClient:
    client: ApiClient
    token: str  # shown once; only its hash is kept


def api_client_create(*, name: str, stores: Iterable[Store], scopes: Sequence[str], note: str = "") -> IssuedClient:
    """A new client with a new random token (返回一次，库中只存摘要)."""
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise ValueError(_("未知的权限范围：%(v)s") % {"v": "、".join(sorted(unknown))})
    token = new_token()
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name, token_hash=token_hash(token), token_prefix=token[:12], scopes=list(scopes), note=note
        )
        client.stores.set(stores)
    return IssuedClient(client, token)


def api_client_rotate_token(*, client: ApiClient) -> str:
    """A new token for the client; the old one stops working at once."""
    token = new_token()
    client.token_hash = token_hash(token)
    client.token_prefix = token[:12]
    client.save(update_fields=["token_hash", "token_prefix"])
    return token


def api_client_revoke(*, client: ApiClient) -> bool:
    """Revoke the client (its token is refused from now on). False when it already was.

    Saved, not a queryset update(): the save is what leaves the audit-log entry (api.audit). The
    row lock makes two revocations at once one revocation."""
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        revoked = locked.revoked_at is None
        if revoked:
            locked.revoked_at, locked.is_active = timezone.now(), False
            locked.save(update_fields=["revoked_at", "is_active"])
    client.refresh_from_db()
    return revoked


@dataclass
class PushResult:
    sheet: str
    summary: dict[str, int]
    items: list[dict[str, Any]]

    def counts(self) -> dict[str, int]:
        return {"items": len(self.items), **self.summary}


def dms_push(
    *, client: ApiClient, sheet_key: str, records: Sequence[Mapping[str, Any]], store: Store | None
) -> PushResult:
    """Import pushed rows as the sheet `sheet_key` through the DMS import (crm.importing): the same
    parsing, rules, messages, idempotency and post-import steps as `import_dms`. Each item gets its
    outcome (created / updated / unchanged / error) with the importer's messages."""
    source = records_source(sheet_key, records)
    result = import_sources([source], store=store, user=client, per_row=True)
    problems: dict[int, dict[str, list]] = defaultdict(lambda: {"errors": [], "warnings": []})
    for problem in result.problems:
        kind = "warnings" if problem.ignored else "errors"
        problems[problem.row][kind].append({"column": problem.column, "reason": problem.reason})
    outcomes = result.row_outcomes or {}
    items = []
    for number in range(1, len(records) + 1):
        outcome = outcomes.get((sheet_key, number))
        found = problems.get(number, {"errors": [], "warnings": []})
        if outcome is None:
            # The reader skips a row with every cell empty, as in a spreadsheet.
            outcome, found = "errors", {"errors": [{"column": "", "reason": _("空行，未导入")}], "warnings": []}
        items.append({"index": number - 1, "outcome": OUTCOME_NAMES[outcome], **found})
    summary = {"created": 0, "updated": 0, "unchanged": 0, "errors": 0, "warnings": 0}
    for item in items:
        summary[item["outcome"] if item["outcome"] != "error" else "errors"] += 1
        summary["warnings"] += len(item["warnings"])
    return PushResult(sheet_key, summary, items)
