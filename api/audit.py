"""Every API call leaves an audit-log entry (django-auditlog, action 'access', as report exports
do, reports.services.report_export_log): which client, method, path, status and item counts.

The clients themselves keep an audit trail too (created, revoked, a new token, stores changed).
The token's hash never goes into it: with it, anyone reading the log could test a guessed or a
leaked token offline. The prefix, which the admin list shows anyway, tells a new token from the
old; a call's last_used_at is not a change."""

from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType

from api.models import ApiClient

auditlog.register(ApiClient, exclude_fields=["token_hash", "last_used_at"], m2m_fields={"stores"})


def api_call_log(
    *, client: ApiClient | None, method: str, path: str, status: int, counts: dict[str, Any] | None = None
) -> LogEntry:
    """One entry per call, refused calls included (no client: a bad or missing token)."""
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(ApiClient),
        object_pk=str(client.pk) if client is not None else "",
        object_id=client.pk if client is not None else None,
        object_repr=f"API {method} {path[:150]} {status}",
        action=LogEntry.Action.ACCESS,
        actor=None,
        changes_text="",
        additional_data={
            "event": "api_call",
            "client": client.name if client is not None else None,
            "method": method,
            "path": path,
            "status": status,
            "counts": counts or {},
        },
    )
