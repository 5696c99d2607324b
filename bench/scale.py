"""The SPEC §12 scale data set, bulk-loaded into its own PostgreSQL database in minutes.

    python -m bench.scale [--rebuild] [--database-url URL]

1 dealer group, 10 stores with departments, staff and logins; 300,000 customers (realistic names,
mobiles, id numbers), 330,000 vehicles with valid VINs, 100,000 deliveries, 1,000,000 repair
orders, 1,100,000 callback tasks (200,000 open, spread over stores and agents) with their attempts,
30,000 open complaint cases in every SLA state (plus 20,000 closed ones). Survey responses
(600,000) are generated once the surveys app has its models (`build_surveys`).

Small, varied tables are written by COPY from Python (psycopg 3 `cursor.copy`); the big derived
ones (repair orders, tasks, attempts) by `INSERT … SELECT` over `generate_series`, so that the
whole set loads in a few minutes. A marker table records the generator version and the anchor
time every date is relative to: a later run with the same version reuses the data, and `bench.run`
travels to the anchor (time-machine) so that "now" means the same thing whenever it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench.scale_activity import build_attempts, build_callback_tasks, build_cases, build_surveys, surveys_available
from bench.scale_constants import (
    DEFAULT_DATABASE_URL,
    GENERATOR_VERSION,
    MARKER_TABLE,
    N_CUSTOMERS,
    N_ROS,
    N_STORES,
    SEED,
    log,
)
from bench.scale_people import (
    build_customers,
    build_deliveries,
    build_organisation,
    build_repair_orders,
    build_vehicles,
)
from bench.scale_sql import reset_sequence

# --- Django and the database ---------------------------------------------------------------------


def setup_django(database_url: str | None = None) -> str:
    """Point Django at the bench database (created if missing) with the bench settings."""
    url = database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    _ensure_database(url)
    import django

    django.setup()
    return url


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def marker() -> dict | None:
    """The marker row of a complete data set: version, anchor (aware datetime) and counts."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT version, anchor, built_at, seconds, info FROM {MARKER_TABLE} ORDER BY built_at DESC")
        row = cursor.fetchone()
    if row is None:
        return None
    version, anchor, built_at, seconds, info = row
    info = info if isinstance(info, dict) else json.loads(info or "{}")
    return {"version": version, "anchor": anchor, "built_at": built_at, "seconds": seconds, "info": info}


def ensure_scale_data(*, rebuild: bool = False) -> dict:
    """Migrate, then build the data set unless a complete one of this version is there."""
    migrate()
    found = marker()
    if found and found["version"] == GENERATOR_VERSION and not rebuild:
        log(f"reusing scale data of {found['built_at']:%Y-%m-%d %H:%M} (version {GENERATOR_VERSION})")
        return found
    if found and not rebuild:
        log(f"scale data is version {found['version']}, generator is {GENERATOR_VERSION}: rebuilding")
    build()
    return marker()


@contextmanager
def step(label: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    log(f"{label}: {time.perf_counter() - started:.1f} s")


# --- the build -----------------------------------------------------------------------------------


def build() -> None:
    """Wipe the domain tables and load the whole data set (one transaction per table group)."""
    from django.db import connection, transaction
    from django.utils import timezone

    started = time.perf_counter()
    anchor = timezone.now().replace(second=0, microsecond=0)
    rng = random.Random(SEED)
    log(f"building the scale data set (anchor {anchor.isoformat()})")
    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET work_mem = '128MB'")
    with step("wipe"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER_TABLE}")
        _wipe(cursor)
        indexes = _drop_secondary_indexes(cursor)
        # The data is consistent by construction: no deferred foreign-key trigger per row (a
        # superuser setting; without it the load is only slower).
        try:
            with transaction.atomic():
                cursor.execute("SET session_replication_role = replica")
        except Exception:  # not a superuser
            log("session_replication_role not settable: foreign keys are checked row by row")
    if surveys_available():
        # TRUNCATE … CASCADE of the users empties the questionnaire templates too (a version names
        # its author): put the built-in ones back, as the surveys app does after a flush.
        from surveys.apps import builtin_ensure

        builtin_ensure()
    with step("organisation"), transaction.atomic():
        org = build_organisation(rng, anchor)
    with raw.cursor() as cur:
        with step("customers (300,000)"), transaction.atomic():
            build_customers(cur, rng, anchor, org)
        with step("vehicles (330,000)"), transaction.atomic():
            build_vehicles(cur, rng, anchor, org)
        with step("deliveries (100,000)"), transaction.atomic():
            build_deliveries(cur, rng, anchor, org)
        with step("repair orders (1,000,000)"), transaction.atomic():
            build_repair_orders(cur, anchor)
        with step("customer cards from history"), transaction.atomic():
            cur.execute(
                "UPDATE crm_customer c SET card_type = 'C', first_service_at = h.first_at, last_visit_at = h.last_at "
                "FROM (SELECT customer_id, min(opened_at) AS first_at, max(opened_at) AS last_at "
                "      FROM crm_repairorder GROUP BY customer_id) h WHERE h.customer_id = c.id"
            )
        with step("callback tasks (1,100,000) and their repair-order links"), transaction.atomic():
            build_callback_tasks(cur, anchor)
        with step("call attempts"), transaction.atomic():
            attempts = build_attempts(cur, anchor)
        with step("complaint cases (30,000 open, 20,000 closed)"), transaction.atomic():
            build_cases(cur, rng, anchor, org)
        with step("survey responses"), transaction.atomic():
            surveys = build_surveys(cur, rng, anchor, org)
        for table in LOADED_TABLES:
            reset_sequence(cur, table)
    with step(f"recreate {len(indexes)} secondary indexes"), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
        for sql_text in indexes:
            cursor.execute(sql_text)
    # After the indexes: it reads each task's latest attempt through the attempts' (task, at) index.
    with step("tasks' stored outcome (last disposition, bucket)"), transaction.atomic():
        from callbacks.models import CallbackTask
        from callbacks.services import callback_task_outcome_refresh

        callback_task_outcome_refresh(task_ids=CallbackTask.objects.values("pk"))
    with step("VACUUM ANALYZE"):
        _vacuum_analyze()
    seconds = time.perf_counter() - started
    info = {"stores": N_STORES, "customers": N_CUSTOMERS, "repair_orders": N_ROS, "attempts": attempts, **surveys}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {MARKER_TABLE} (version text NOT NULL, anchor timestamptz NOT NULL, "
            "built_at timestamptz NOT NULL, seconds double precision NOT NULL, info jsonb NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, now(), %s, %s)",
            [GENERATOR_VERSION, anchor, seconds, json.dumps(info)],
        )
    log(f"scale data set built in {seconds:.0f} s")


def _vacuum_analyze() -> None:
    from django.db import connection

    # VACUUM cannot run in a transaction block; Django's connection is in autocommit here.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


LOADED_TABLES = [
    "crm_customer",
    "crm_vehicle",
    "crm_vehicleownership",
    "crm_delivery",
    "crm_repairorder",
    "callbacks_callbacktask",
    "callbacks_callbacktaskrepairorder",
    "callbacks_callattempt",
    "complaints_case",
    "complaints_caseevent",
    "surveys_response",
    "surveys_answer",
]


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop the indexes of the big tables that back no constraint (they are rebuilt once after
    the load, much faster than maintained row by row); return their CREATE statements."""
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
        "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        [LOADED_TABLES],
    )
    rows = cursor.fetchall()
    for name, _definition in rows:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in rows]


def _wipe(cursor) -> None:
    """Empty every table the generator fills (and what hangs off them), keeping groups and
    permissions from the migrations."""
    tables = [
        "crm_store",
        "crm_user",
        "crm_importjob",
        "auditlog_logentry",
        "axes_accessattempt",
        "axes_accesslog",
        "django_session",
    ]
    cursor.execute("SELECT to_regclass('surveys_template')")
    if cursor.fetchone()[0] is not None:
        # The built-in questionnaires are re-created after the wipe (build → builtin_ensure): a
        # TRUNCATE of the users empties their versions, and a template without one is never refilled.
        tables.append("surveys_template")
    cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="regenerate even if the data set is there")
    parser.add_argument("--database-url", help=f"default $BENCH_DATABASE_URL or {DEFAULT_DATABASE_URL}")
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    found = ensure_scale_data(rebuild=args.rebuild)
    print(json.dumps({k: str(v) if not isinstance(v, dict) else v for k, v in found.items()}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
