"""Heartbeats of Celery beat and workers, written cheaply (one UPSERT per process per 30 s).

- beat: its every-minute entry `crm-beat-heartbeat` is recorded *when beat publishes it*
  (`before_task_publish`, in the beat process), so beat's heartbeat does not depend on a worker
  running the task or on the broker accepting it — those are checked on their own;
- workers: Celery's `heartbeat_sent` signal (every 2 s in each worker's main process, the heartbeat
  Celery's own monitoring uses), throttled to one write per 30 s.
"""

from __future__ import annotations

import datetime
import logging
import time

from celery.signals import before_task_publish, heartbeat_sent
from django.db import connection
from django.utils import timezone

from crm.models import ServiceHeartbeat

logger = logging.getLogger(__name__)

BEAT = "beat"
WORKER_PREFIX = "worker:"
BEAT_TASK = "crm.tasks.beat_heartbeat"
WRITE_EVERY = 30.0  # seconds between two writes of one process
PRUNE_AFTER = datetime.timedelta(days=7)  # rows of workers gone this long are removed

_last_write: dict[str, float] = {}


def heartbeat_record(name: str, *, now: datetime.datetime | None = None, force: bool = False) -> bool:
    """Write `name`'s heartbeat, at most every WRITE_EVERY seconds per process (unless `force`).
    Never raises: a heartbeat that cannot be written is what /healthz reports. True if written."""

    clock = time.monotonic()
    if not force and clock - _last_write.get(name, -WRITE_EVERY) < WRITE_EVERY:
        return False
    try:
        ServiceHeartbeat.objects.bulk_create(
            [ServiceHeartbeat(name=name[:200], seen_at=now or timezone.now())],
            update_conflicts=True,
            unique_fields=["name"],
            update_fields=["seen_at"],
        )
    except Exception:
        logger.warning("heartbeat %s not recorded", name, exc_info=True)
        if not connection.in_atomic_block:
            connection.close()  # a long-lived process: the next beat reconnects after a database restart
        return False
    _last_write[name] = clock
    return True


def heartbeats_prune(*, now: datetime.datetime | None = None) -> int:

    now = now or timezone.now()
    return ServiceHeartbeat.objects.filter(seen_at__lt=now - PRUNE_AFTER).delete()[0]


@before_task_publish.connect(dispatch_uid="crm.operations.beat_heartbeat")
def _beat_published(sender=None, **_kwargs) -> None:
    if sender == BEAT_TASK:
        heartbeat_record(BEAT, force=True)


@heartbeat_sent.connect(dispatch_uid="crm.operations.worker_heartbeat")
def _worker_heartbeat(sender=None, **_kwargs) -> None:
    hostname = getattr(getattr(sender, "eventer", None), "hostname", None) or "unknown"
    heartbeat_record(f"{WORKER_PREFIX}{hostname}")
