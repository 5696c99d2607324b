"""Queueing Celery tasks from a request without letting a broker outage turn a saved action into an
error page (issue 17 item 2).

Every task we queue from a request is *also* findable from the state of the rows it works on, and a
beat sweep queues what that state says is still to do:

- DMS upload import: `ImportJob` pending, or running with a stale heartbeat (beat
  `crm-import-jobs-requeue`);
- SMS delivery: `SmsMessage` queued and due (`crm-sms-flush`);
- SMS survey after the last failed call: `CallbackTask` open, failures at the maximum, no survey
  sent (`callbacks-sms-fallback`);
- complaint notification e-mail: `Notification.email_pending` (`complaints-notifications-email`).

So a publish that fails is logged and dropped: the row is saved, the user sees the normal page, and
the sweep queues the work once the broker is back. We chose row state over a transactional outbox
table because the rows already carry it (the SMS outbox worked this way first) and because a sweep
over domain state also recovers work lost *after* a successful publish — a Redis restart without
persistence, a message dropped by a killed worker — which an outbox of publishes would not see.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, current_app
from celery.exceptions import NotRegistered
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# A publish that cannot reach the broker gives up at once: the request must not wait for Redis,
# and the sweep queues the work later. (Celery's default retries for ~1 s.)
NO_RETRY = {"retry": False}


def task_named(name: str) -> Task:
    """The registered task called `name`. Celery imports the apps' task modules only when a worker
    starts; in a web process or a command the registry may not hold them yet, so import them then
    (Celery's own autodiscovery, once) and look again. An unknown name raises NotRegistered."""
    try:
        return current_app.tasks[name]
    except NotRegistered:
        current_app.loader.import_default_modules()
        return current_app.tasks[name]


def enqueue(task: Task | str, *args: Any, **kwargs: Any) -> bool:
    """Queue `task(*args, **kwargs)` now; True if it was handed to the broker (or run, when eager).

    `task` may be the task's registered name: a service queues its own app's task by name, so that
    services never import the tasks module that imports them (tasks → services, one direction).

    A broker failure is logged and swallowed: the caller's rows say what is still to do and a beat
    sweep queues it. An exception of the task itself (eager mode, tests) still propagates."""
    if isinstance(task, str):
        task = task_named(task)
    try:
        task.apply_async(args=args, kwargs=kwargs, **NO_RETRY)
    except (OperationalError, ConnectionError, TimeoutError) as exc:
        logger.warning("broker unavailable, %s%r left for its beat sweep: %s", task.name, args, exc)
        return False
    return True


def enqueue_on_commit(task: Task | str, *args: Any, **kwargs: Any) -> None:
    """`enqueue` once the current transaction commits (at once outside one); never raises for the
    broker, so the response after a saved action is never an error page."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
