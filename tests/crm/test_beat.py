"""The demo on SQLite survives three processes, and beat's schedule is written before they start and checked."""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from crm.beat import BeatProblem, beat_schedule_check, beat_schedule_problems, beat_schedule_sync
from tests.fresh_process import run_python

ROOT = Path(__file__).resolve().parents[2]


def _run_with_demo_settings(code: str, **env: str) -> str:
    """Run `code` after django.setup() under the settings `make run` uses (no DATABASE_URL)."""
    result = run_python(
        f"import django; django.setup()\n{code}",
        settings="config.settings.dev",
        drop=("DATABASE_URL",),
        DEBUG="true",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_sqlite_demo_database_waits_for_the_lock_in_wal_mode():
    code = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']))"
    database = json.loads(_run_with_demo_settings(code))
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    options = database["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]


WRITER = """
import sys, time
from django.db import connection, transaction
print("ready", flush=True)
started = time.monotonic()
with transaction.atomic():  # IMMEDIATE: BEGIN takes the write lock, so the busy timeout applies
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        cursor.execute("INSERT INTO t VALUES (2)")
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print(cursor.fetchone()[0], round(time.monotonic() - started, 2), flush=True)
"""


def test_a_writer_waits_for_another_process_lock_instead_of_failing(tmp_path):
    """What beat met at startup: another process holds the write lock; with the options it waits."""
    path = tmp_path / "demo.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE t (x integer)")
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DEBUG="true", DATABASE_URL=f"sqlite:///{path}")
    writer = subprocess.Popen(
        [sys.executable, "-c", f"import django; django.setup()\n{WRITER}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO t VALUES (1)")
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(1.5)  # the writer is now waiting for the lock
        holder.execute("COMMIT")
        out, err = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
        holder.close()
    assert writer.returncode == 0, err
    journal, waited = out.split()
    assert journal == "wal"
    assert float(waited) > 1.0  # it waited for the holder rather than failing with "database is locked"
    assert sqlite3.connect(path).execute("SELECT count(*) FROM t").fetchone()[0] == 2


@pytest.mark.django_db
def test_sync_writes_every_entry_with_its_timing_and_expiry():
    assert {p.problem for p in beat_schedule_problems()} == {"missing"}
    names = beat_schedule_sync()
    assert set(names) == set(settings.CELERY_BEAT_SCHEDULE) and "callbacks-expire" in names
    assert beat_schedule_problems() == []
    expire = PeriodicTask.objects.get(name="callbacks-expire")
    assert expire.task == "callbacks.tasks.callback_tasks_expire"
    assert (expire.crontab.hour, expire.crontab.minute) == ("0", "5")
    assert expire.expire_seconds == settings.CELERY_BEAT_SCHEDULE["callbacks-expire"]["options"]["expires"]


@pytest.mark.django_db
def test_sync_is_idempotent():
    beat_schedule_sync()
    tasks, crontabs = PeriodicTask.objects.count(), CrontabSchedule.objects.count()
    beat_schedule_sync()
    assert (PeriodicTask.objects.count(), CrontabSchedule.objects.count()) == (tasks, crontabs)
    assert tasks >= len(settings.CELERY_BEAT_SCHEDULE)


@pytest.mark.django_db
def test_problems_name_a_missing_disabled_or_changed_entry_and_sync_repairs_them():
    beat_schedule_sync()
    PeriodicTask.objects.filter(name="callbacks-expire").delete()
    PeriodicTask.objects.filter(name="complaints-sla-sweep").update(enabled=False)
    changed = {**settings.CELERY_BEAT_SCHEDULE}
    changed["crm-sms-flush"] = {**changed["crm-sms-flush"], "schedule": crontab(minute="7")}
    assert set(beat_schedule_problems(schedule=changed)) == {
        BeatProblem("callbacks-expire", "missing"),
        BeatProblem("complaints-sla-sweep", "disabled"),
        BeatProblem("crm-sms-flush", "schedule"),
    }
    warnings = beat_schedule_check(databases=["default"])
    assert [w.id for w in warnings] == ["crm.W001", "crm.W001"]
    assert beat_schedule_check(databases=None) == []  # plain `check` does not touch the database
    beat_schedule_sync()
    assert beat_schedule_problems() == []


@pytest.mark.django_db
def test_command_writes_then_check_passes_and_check_fails_on_a_missing_entry(capsys):
    with pytest.raises(SystemExit):
        call_command("beat_schedule", "--check")
    assert "callbacks-expire: missing" in capsys.readouterr().err
    call_command("beat_schedule")
    call_command("beat_schedule", "--check")
    assert "complete" in capsys.readouterr().out
