"""Faults of the things underneath, simulated in-process (issue 17): the broker refusing publishes."""

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from kombu.exceptions import OperationalError


@contextmanager
def broker_down() -> Iterator[list[str]]:
    """Redis is down: every publish raises what kombu raises then. Tasks are not eager meanwhile
    (as in production), so a publish is attempted. Yields the names of the refused tasks."""
    from kombu.messaging import Producer

    from config.celery import app

    refused: list[str] = []

    def publish(self, body, *args, **kwargs):
        refused.append((kwargs.get("headers") or {}).get("task", "?"))
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with mock.patch.object(Producer, "publish", publish):
            yield refused
    finally:
        app.conf.task_always_eager = saved
