"""bench/cpu.py on a small data set: the CPU-per-request figures are produced, and they measure
something (issue 17's benchmark; `python -m bench.run --only cpu` runs it at SPEC §12 scale)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bench.cpu import TARGET_MS, bench_request_cpu, request_cpu
from bench.run import Report
from callbacks.models import CallAttempt, CallbackTask
from tests.callbacks.factories import SalesTaskFactory

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
def test_cpu_per_request_figures_for_queue_call_page_and_disposition(store_a, agent):
    SalesTaskFactory.create_batch(8, delivery__store=store_a)
    report = Report()
    bench_request_cpu(report, runs=3, username=agent.username)
    figures = {f.name: f for f in report.figures}
    assert list(figures) == [
        "CPU per request: call queue page",
        "CPU per request: call page",
        "CPU per request: disposition (failed call)",
    ]
    for figure in figures.values():
        assert figure.value > 0 and figure.unit == "ms" and figure.target == TARGET_MS
        assert "PostgreSQL" in figure.note
    # The dispositions ran in a transaction that was rolled back.
    assert not CallAttempt.objects.exists()
    assert not CallbackTask.objects.filter(claimed_by=agent).exists()


@pytest.mark.django_db
def test_request_cpu_counts_this_process_cpu_and_the_database_server_cpu():
    from django.db import connection

    def busy():
        sum(i * i for i in range(300_000))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM generate_series(1, 2000000)")

    django_ms, db_ms = request_cpu(busy)
    assert django_ms > 5
    assert db_ms is None or db_ms > 20  # None only when PostgreSQL runs on another machine
