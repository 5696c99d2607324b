"""Issue 17: CPU time per request of the agent's three hot requests — the call-queue page, the call
page and recording a disposition (a failed call) — target under 40 ms each.

What is measured, per request through the Django test Client (whole middleware stack, no network):
- Django: `time.process_time()` of this process around the request — Python, templates and the
  database driver's client side, i.e. what a gunicorn worker spends on one core;
- PostgreSQL: the CPU time (user + system) of our connection's server process over the same
  request, read from /proc/<backend pid>/stat — available when the database runs on this machine
  (as in `make bench`), else not reported. It is the database's share of the same request; the
  kernel counts it in clock ticks (10 ms), so it is the mean over the runs, not the median.
Their sum is what a request costs the machine, and it is the figure compared with the target (the
note splits it); where PostgreSQL's share cannot be read, the figure is Django's share alone.
Medians over `runs`; the disposition runs inside a rolled-back transaction, one freshly claimed task
per run (the claim is not measured).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

TARGET_MS = 40.0


def _backend_cpu_ms() -> float | None:
    """CPU time so far of the PostgreSQL process serving our connection, if it is on this machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of stat(5); after the ")" the list starts at field 3.
    ticks = int(fields[11]) + int(fields[12])
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def request_cpu(request: Callable[[], object]) -> tuple[float, float | None]:
    """(Django CPU ms, PostgreSQL CPU ms or None) of one call of `request`."""
    db_before = _backend_cpu_ms()
    cpu_before = time.process_time()
    request()
    django_ms = (time.process_time() - cpu_before) * 1000
    db_after = _backend_cpu_ms()
    db_ms = None if db_before is None or db_after is None else db_after - db_before
    return django_ms, db_ms


def median_cpu(request: Callable[[], object], runs: int, prepare: Callable[[], object] | None = None):
    """Django CPU ms (median) and PostgreSQL CPU ms (mean: whole clock ticks) over `runs` calls
    after one warm-up; `prepare` runs before each call, unmeasured."""
    if prepare:
        prepare()
    request()
    samples = []
    for _ in range(runs):
        if prepare:
            prepare()
        samples.append(request_cpu(request))
    django = statistics.median(s[0] for s in samples)
    db = [s[1] for s in samples if s[1] is not None]
    return django, (statistics.fmean(db) if len(db) == len(samples) else None)


def bench_request_cpu(report, runs: int, *, username: str = "s01_agent1") -> None:
    from django.urls import reverse

    from bench.run import Figure, client_for, get_ok, rolled_back
    from callbacks.choices import Disposition
    from callbacks.services import callback_task_claim_next
    from config.gc_tuning import tune_gc
    from crm.models import User

    agent = User.objects.get(username=username)
    client = client_for(username)
    client.get(reverse("callbacks:queue"))  # load what the first request loads (templates, URLs)
    tune_gc()  # as config/wsgi.py does in a worker once the application is loaded

    def add(name: str, figures: tuple[float, float | None]) -> None:
        # The target is the request's whole cost to the machine: Django's CPU plus PostgreSQL's, when the
        # database runs here and its share can be read; else Django's alone, and the note says so.
        django_ms, db_ms = figures
        if db_ms is None:
            total, note = django_ms, "Django only: PostgreSQL's share not measurable here"
        else:
            total, note = django_ms + db_ms, f"= Django {django_ms:.1f} + PostgreSQL {db_ms:.1f} ms CPU"
        report.add(Figure(f"CPU per request: {name}", total, "ms", TARGET_MS, f"< {TARGET_MS:.0f} ms", note=note))

    add("call queue page", median_cpu(get_ok(client, reverse("callbacks:queue")), runs))

    with rolled_back():
        task = callback_task_claim_next(user=agent)
        if task is None:
            raise RuntimeError(f"{username} has no open callback task")
        add("call page", median_cpu(get_ok(client, reverse("callbacks:call", args=[task.pk])), runs))

        claimed: list = []

        def claim() -> None:
            claimed[:] = [callback_task_claim_next(user=agent)]

        def record() -> None:
            response = client.post(
                reverse("callbacks:call", args=[claimed[0].pk]), {"disposition": Disposition.NO_ANSWER}
            )
            if response.status_code != 302:
                raise RuntimeError(f"disposition: HTTP {response.status_code}")

        add("disposition (failed call)", median_cpu(record, runs, prepare=claim))
