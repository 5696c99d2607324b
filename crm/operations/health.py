"""What /healthz and the operations page check: the database, the broker, beat's and the workers'
last heartbeat. Each check is timed and bounded (sub-second timeouts), so the endpoint answers in
milliseconds even when something is down."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from crm.models import ServiceHeartbeat
from crm.operations.heartbeats import BEAT, WORKER_PREFIX

# Beat publishes its heartbeat every minute; workers write theirs every 30 s.
BEAT_STALE_AFTER = datetime.timedelta(minutes=3)
WORKER_STALE_AFTER = datetime.timedelta(minutes=2)
BROKER_TIMEOUT = 0.5  # seconds


@dataclass
class Check:
    ok: bool
    ms: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        """What an unauthenticated caller may read: state, timings and ages; no hosts or errors."""
        return {"ok": self.ok, "ms": round(self.ms, 1), **self.detail}


def _timed(fn) -> tuple[Any, float, BaseException | None]:
    start = time.perf_counter()
    try:
        result, error = fn(), None
    except Exception as exc:  # a health check reports failures, it does not raise them
        result, error = None, exc
    return result, (time.perf_counter() - start) * 1000, error


def check_database() -> Check:
    def ping():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()

    _result, ms, error = _timed(ping)
    if error is not None:
        connection.close()  # never hand a broken connection to the next request
    return Check(ok=error is None, ms=ms)


@cache
def _redis_client(url: str):

    return redis.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT)


def check_broker() -> Check:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        _result, ms, error = _timed(lambda: _redis_client(url).ping())
        return Check(ok=error is None, ms=ms)
    # kombu's filesystem transport (the demo): the broker is a folder.
    folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", "")
    exists, ms, error = _timed(lambda: Path(folder).is_dir())
    return Check(ok=bool(exists) and error is None, ms=ms)


def _age_seconds(seen_at: datetime.datetime | None, now: datetime.datetime) -> int | None:
    return None if seen_at is None else int((now - seen_at).total_seconds())


def heartbeats(now: datetime.datetime | None = None) -> dict[str, Any]:
    """beat's and the workers' heartbeat checks, and the rows (one query)."""

    now = now or timezone.now()
    rows, ms, error = _timed(lambda: list(ServiceHeartbeat.objects.order_by("name")))
    if error is not None:
        return _unknown_heartbeats(ms)
    beat = next((r.seen_at for r in rows if r.name == BEAT), None)
    workers = [r for r in rows if r.name.startswith(WORKER_PREFIX)]
    alive = [r for r in workers if r.seen_at >= now - WORKER_STALE_AFTER]
    latest = max((r.seen_at for r in workers), default=None)
    return {
        "beat": Check(
            ok=beat is not None and beat >= now - BEAT_STALE_AFTER, ms=ms, detail={"age_s": _age_seconds(beat, now)}
        ),
        "workers": Check(ok=bool(alive), ms=ms, detail={"alive": len(alive), "age_s": _age_seconds(latest, now)}),
        "rows": rows,
    }


def _unknown_heartbeats(ms: float) -> dict[str, Any]:
    """The heartbeats could not be read (database down)."""
    return {
        "beat": Check(ok=False, ms=ms, detail={"age_s": None}),
        "workers": Check(ok=False, ms=ms, detail={"alive": 0, "age_s": None}),
        "rows": [],
    }


def health_report(now: datetime.datetime | None = None) -> dict[str, Any]:
    """Every check, in the order the page shows them; `ok` is true when all are."""
    database = check_database()
    checks = {"database": database, "broker": check_broker()}
    beats = heartbeats(now) if database.ok else _unknown_heartbeats(0.0)
    checks.update(beat=beats["beat"], workers=beats["workers"])
    return {"ok": all(c.ok for c in checks.values()), "checks": checks, "heartbeats": beats["rows"]}
