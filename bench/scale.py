"""The SPEC §12 scale data set, bulk-loaded into its own PostgreSQL database in minutes.

    python -m bench.scale [--rebuild] [--database-url URL]

1 dealer group, 10 stores with departments, staff and logins; 300,000 customers (realistic names,
mobiles, id numbers), 330,000 vehicles with valid VINs, 100,000 deliveries, 1,000,000 repair
orders, 1,100,000 callback tasks (200,000 open, spread over stores and agents) with their attempts,
30,000 open complaint cases in every SLA state (plus 20,000 closed ones). Survey responses
(600,000) are generated once the surveys app has its models (`_build_surveys`).

Small, varied tables are written by COPY from Python (psycopg 3 `cursor.copy`); the big derived
ones (repair orders, tasks, attempts) by `INSERT … SELECT` over `generate_series`, so that the
whole set loads in a few minutes. A marker table records the generator version and the anchor
time every date is relative to: a later run with the same version reuses the data, and `bench.run`
travels to the anchor (time-machine) so that "now" means the same thing whenever it runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dcr_bench_scale"
# Bump when the data set changes shape: a run finding another version rebuilds.
GENERATOR_VERSION = "2026-11-26.2"
MARKER_TABLE = "bench_scale_marker"
SEED = 20261124

N_STORES = 10
N_CUSTOMERS = 300_000
N_SECOND_VEHICLES = 30_000  # every 10th customer owns a second car
N_DELIVERIES = 100_000
N_RECENT_DELIVERIES = 3_000  # delivered in the last 12 days: their sales callbacks are open
N_ROS = 1_000_000
N_OPEN_SERVICE = 197_000  # the latest repair orders: their service callbacks are open
N_OPEN_CASES = 30_000
N_CLOSED_CASES = 20_000
N_SURVEY_RESPONSES = 600_000
AGENTS_PER_STORE = 6
SA_PER_STORE = 6
SC_PER_STORE = 8
TEAMS_PER_STORE = 4

# (code, name, plate prefix, city, districts) — ten Anhui FAW Toyota stores of one group.
STORES = [
    ("HF1", "合肥鑫宝丰田", "皖A", "合肥市", ["蜀山区", "包河区", "庐阳区", "瑶海区"]),
    ("HF2", "合肥鑫宝丰田滨湖店", "皖A", "合肥市", ["包河区", "肥西县", "肥东县"]),
    ("WH", "芜湖鑫宝丰田", "皖B", "芜湖市", ["镜湖区", "鸠江区", "弋江区"]),
    ("BB", "蚌埠鑫宝丰田", "皖C", "蚌埠市", ["蚌山区", "龙子湖区", "禹会区"]),
    ("HN", "淮南鑫宝丰田", "皖D", "淮南市", ["田家庵区", "大通区", "谢家集区"]),
    ("MAS", "马鞍山鑫宝丰田", "皖E", "马鞍山市", ["雨山区", "花山区", "博望区"]),
    ("AQ", "安庆鑫宝丰田", "皖H", "安庆市", ["迎江区", "大观区", "宜秀区"]),
    ("FY", "阜阳鑫宝丰田", "皖K", "阜阳市", ["颍州区", "颍东区", "颍泉区"]),
    ("LA", "六安鑫宝丰田", "皖N", "六安市", ["金安区", "裕安区", "叶集区"]),
    ("XC", "宣城鑫宝丰田", "皖P", "宣城市", ["宣州区", "郎溪县", "广德市"]),
]
REGION_CODES = ["340104", "340111", "340202", "340302", "340402", "340503", "340802", "341202", "341502", "341802"]
STREETS = ["长江路", "黄山路", "望江路", "金寨路", "繁华大道", "人民路", "解放路", "梅山路", "皖西路", "淠河路"]


def log(message: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {message}", flush=True)


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


# --- COPY and INSERT … SELECT helpers ------------------------------------------------------------


def _plain(value):
    from psycopg.types.json import Jsonb

    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict | list):
        return Jsonb(value)
    return value


def _fixed_defaults(model, supplied: Iterable[str], anchor: dt.datetime) -> dict[str, object]:
    """Values for every NOT NULL column not supplied: the field default, or the anchor for
    auto_now / auto_now_add. (Django keeps defaults in Python, not in the database.)"""
    supplied = set(supplied)
    fixed = {}
    for field in model._meta.concrete_fields:
        if field.column in supplied or field.primary_key or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            fixed[field.column] = anchor
        elif field.has_default():
            fixed[field.column] = _plain(field.get_default())
        elif field.get_internal_type() in ("CharField", "TextField", "EmailField"):
            fixed[field.column] = ""
        else:
            raise ValueError(f"{model.__name__}.{field.name}: no value and no default")
    return fixed


def copy_rows(cursor, model, columns: list[str], rows: Iterable[tuple], anchor: dt.datetime) -> int:
    """COPY `rows` (tuples in `columns` order) into the model's table, defaults filled in."""
    fixed = _fixed_defaults(model, columns, anchor)
    names = ", ".join(f'"{c}"' for c in [*columns, *fixed])
    tail = tuple(fixed.values())
    count = 0
    with cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *tail))
            count += 1
    return count


def insert_select(cursor, model, exprs: dict[str, str], from_sql: str, anchor: dt.datetime) -> int:
    """`INSERT INTO table (cols) SELECT exprs FROM …`, defaults filled in as literals."""
    from psycopg import sql

    fixed = _fixed_defaults(model, exprs, anchor)
    names = ", ".join(f'"{c}"' for c in [*exprs, *fixed])
    literals = [sql.Literal(v).as_string(cursor.connection) for v in fixed.values()]
    select = ", ".join([*exprs.values(), *literals])
    cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) SELECT {select} {from_sql}")
    return cursor.rowcount


def _reset_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
    )


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
        org = _build_organisation(rng, anchor)
    with raw.cursor() as cur:
        with step("customers (300,000)"), transaction.atomic():
            _build_customers(cur, rng, anchor, org)
        with step("vehicles (330,000)"), transaction.atomic():
            _build_vehicles(cur, rng, anchor, org)
        with step("deliveries (100,000)"), transaction.atomic():
            _build_deliveries(cur, rng, anchor, org)
        with step("repair orders (1,000,000)"), transaction.atomic():
            _build_repair_orders(cur, anchor)
        with step("customer cards from history"), transaction.atomic():
            cur.execute(
                "UPDATE crm_customer c SET card_type = 'C', first_service_at = h.first_at, last_visit_at = h.last_at "
                "FROM (SELECT customer_id, min(opened_at) AS first_at, max(opened_at) AS last_at "
                "      FROM crm_repairorder GROUP BY customer_id) h WHERE h.customer_id = c.id"
            )
        with step("callback tasks (1,100,000) and their repair-order links"), transaction.atomic():
            _build_callback_tasks(cur, anchor)
        with step("call attempts"), transaction.atomic():
            attempts = _build_attempts(cur, anchor)
        with step("complaint cases (30,000 open, 20,000 closed)"), transaction.atomic():
            _build_cases(cur, rng, anchor, org)
        with step("survey responses"), transaction.atomic():
            surveys = _build_surveys(cur, rng, anchor, org)
        for table in LOADED_TABLES:
            _reset_sequence(cur, table)
    with step(f"recreate {len(indexes)} secondary indexes"), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = DEFAULT")
        for sql_text in indexes:
            cursor.execute(sql_text)
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


# --- organisation: stores, departments, staff, users ---------------------------------------------


class Org:
    """Ids of what the big tables refer to, per store (all lists in store order)."""

    def __init__(self) -> None:
        self.store_ids: list[int] = []
        self.store_codes: list[str] = []
        self.sc: dict[int, list[int]] = {}
        self.departments: dict[int, dict[str, tuple[int, int]]] = {}  # store → kind → (dept id, manager id)
        self.agents: dict[int, list[int]] = {}
        self.cr_manager: dict[int, int] = {}


def _build_organisation(rng: random.Random, anchor: dt.datetime) -> Org:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from crm.choices import DepartmentKind, Role, StaffRole
    from crm.demo_data import make_name
    from crm.models import Department, RepairTeam, Staff, User
    from crm.services import store_add

    org = Org()
    password = make_password("bench12345")
    groups = {g.name: g for g in Group.objects.all()}
    used_names: set[str] = set()

    def person(male: bool | None = None) -> str:
        while True:
            name = make_name(rng, rng.random() < 0.6 if male is None else male)
            if name not in used_names:
                used_names.add(name)
                return name

    def user(username: str, role: str, *, stores=(), group_level: bool = False) -> User:
        u = User.objects.create(
            username=username,
            password=password,
            display_name=person(),
            email=f"{username}@bench.example.cn",
            is_group_level=group_level,
        )
        u.groups.add(groups[role])
        if stores:
            u.stores.set(stores)
        return u

    for n, (code, name, _prefix, _city, _districts) in enumerate(STORES):
        store, _ = store_add(code=code, name=name)
        org.store_ids.append(store.pk)
        org.store_codes.append(code)
        sid = store.pk
        prefix = f"s{n + 1:02d}"
        managers = {
            DepartmentKind.SALES: user(f"{prefix}_dm_sales", Role.DEPARTMENT_MANAGER, stores=[store]),
            DepartmentKind.SERVICE: user(f"{prefix}_dm_service", Role.DEPARTMENT_MANAGER, stores=[store]),
            DepartmentKind.PARTS: user(f"{prefix}_dm_parts", Role.DEPARTMENT_MANAGER, stores=[store]),
            DepartmentKind.FINANCE: user(f"{prefix}_dm_finance", Role.DEPARTMENT_MANAGER, stores=[store]),
            DepartmentKind.CUSTOMER_RELATIONS: user(f"{prefix}_crm", Role.CR_MANAGER, stores=[store]),
            DepartmentKind.GM_OFFICE: user(f"{prefix}_gm", Role.GENERAL_MANAGER, stores=[store]),
        }
        org.cr_manager[sid] = managers[DepartmentKind.CUSTOMER_RELATIONS].pk
        org.departments[sid] = {}
        for dept in Department.objects.filter(store=store):
            manager = managers[dept.kind]
            dept.manager = manager
            dept.save(update_fields=["manager"])
            org.departments[sid][dept.kind] = (dept.pk, manager.pk)
        org.agents[sid] = [user(f"{prefix}_agent{i + 1}", Role.CALLBACK_AGENT, stores=[store]).pk for i in range(6)]
        user(f"{prefix}_reception", Role.RECEPTION, stores=[store])
        sales_dept = org.departments[sid][DepartmentKind.SALES][0]
        service_dept = org.departments[sid][DepartmentKind.SERVICE][0]
        teams = RepairTeam.objects.bulk_create(
            [RepairTeam(store=store, name=t) for t in ["维修一组", "维修二组", "钣金一组", "油漆一组"]]
        )
        staff = [
            Staff(
                store=store, name=person(), code=f"SC{i:02d}", role=StaffRole.SALES_CONSULTANT, department_id=sales_dept
            )
            for i in range(SC_PER_STORE)
        ]
        staff += [
            Staff(
                store=store,
                name=person(),
                code=f"SA{i:02d}",
                role=StaffRole.SERVICE_ADVISOR,
                department_id=service_dept,
            )
            for i in range(SA_PER_STORE)
        ]
        staff += [
            Staff(
                store=store,
                name=person(True),
                code=f"T{i:02d}",
                role=StaffRole.TECHNICIAN,
                department_id=service_dept,
                repair_team=teams[i % len(teams)],
            )
            for i in range(TEAMS_PER_STORE * 2)
        ]
        staff = Staff.objects.bulk_create(staff)
        org.sc[sid] = [s.pk for s in staff if s.role == StaffRole.SALES_CONSULTANT]
    user("group_cr", Role.CR_MANAGER, group_level=True)
    user("group_gm", Role.GENERAL_MANAGER, group_level=True)
    user("bench_admin", Role.ADMINISTRATOR, group_level=True)
    _lookup_tables(org)
    return org


def _lookup_tables(org: Org) -> None:
    """bench_sa / bench_team / bench_agent: (store_id, idx, id), so that SQL picks the n-th one."""
    from django.db import connection

    from crm.choices import StaffRole
    from crm.models import RepairTeam, Staff

    with connection.cursor() as cursor:
        for table in ("bench_sa", "bench_team", "bench_agent"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TABLE {table} (store_id bigint, idx int, id bigint, PRIMARY KEY (store_id, idx))")
        rows = []
        for sid in org.store_ids:
            sas = Staff.objects.filter(store_id=sid, role=StaffRole.SERVICE_ADVISOR).order_by("pk")
            rows += [("bench_sa", sid, i, s.pk) for i, s in enumerate(sas)]
            teams = RepairTeam.objects.filter(store_id=sid).order_by("pk")
            rows += [("bench_team", sid, i, t.pk) for i, t in enumerate(teams)]
            rows += [("bench_agent", sid, i, a) for i, a in enumerate(org.agents[sid])]
        for table, sid, idx, pk in rows:
            cursor.execute(f"INSERT INTO {table} VALUES (%s, %s, %s)", [sid, idx, pk])


# --- customers, vehicles, deliveries (COPY from Python) ------------------------------------------


def _store_index(customer_id: int) -> int:
    return (customer_id - 1) % N_STORES


def _build_customers(cur, rng: random.Random, anchor: dt.datetime, org: Org) -> None:
    from crm.demo_data import make_id_number, make_mobile, make_name
    from crm.models import Customer

    today = anchor.date()
    seen: set[str] = set()

    def rows() -> Iterator[tuple]:
        for cid in range(1, N_CUSTOMERS + 1):
            si = _store_index(cid)
            _code, _name, _prefix, city, districts = STORES[si]
            male = rng.random() < 0.62
            mobile = make_mobile(rng)
            while mobile in seen:
                mobile = make_mobile(rng)
            seen.add(mobile)
            birthday = dt.date(rng.randint(1958, 2002), rng.randint(1, 12), rng.randint(1, 28))
            id_number = make_id_number(rng, REGION_CODES[si], birthday, male) if rng.random() < 0.7 else ""
            district = rng.choice(districts)
            address = f"{city}{district}{rng.choice(STREETS)}{rng.randint(1, 999)}号"
            created = dt.datetime.combine(today - dt.timedelta(days=rng.randint(0, 1800)), dt.time(10), anchor.tzinfo)
            yield (
                cid,
                org.store_ids[si],
                make_name(rng, male),
                "M" if male else "F",
                birthday,
                id_number,
                mobile,
                "安徽省",
                city,
                district,
                address,
                rng.random() < 0.97,
                rng.random() < 0.9,
                created,
            )

    columns = [
        "id",
        "store_id",
        "name",
        "gender",
        "birthday",
        "id_number",
        "mobile",
        "province",
        "city",
        "district",
        "address",
        "may_call",
        "may_sms",
        "created_at",
    ]
    copy_rows(cur, Customer, columns, rows(), anchor)


def _vehicle_owner(vid: int) -> int:
    return vid if vid <= N_CUSTOMERS else (vid - N_CUSTOMERS) * 10


def _build_vehicles(cur, rng: random.Random, anchor: dt.datetime, org: Org) -> None:
    from crm.demo_data import COLOURS, INTERIORS, TOYOTA_MODELS, make_plate, make_vin
    from crm.models import Vehicle

    weights = [w for _s, _m, w in TOYOTA_MODELS]
    seen: set[str] = set()
    today = anchor.date()

    def rows() -> Iterator[tuple]:
        for vid in range(1, N_CUSTOMERS + N_SECOND_VEHICLES + 1):
            owner = _vehicle_owner(vid)
            si = _store_index(owner)
            series, models, _w = rng.choices(TOYOTA_MODELS, weights=weights)[0]
            year = rng.randint(2018, 2026)
            vin = make_vin(rng, year)
            while vin in seen:
                vin = make_vin(rng, year)
            seen.add(vin)
            purchase = min(today, dt.date(year, rng.randint(1, 12), rng.randint(1, 28)))
            plate = make_plate(rng, STORES[si][2]) if rng.random() < 0.96 else ""
            yield (
                vid,
                org.store_ids[si],
                owner,
                vin,
                plate,
                series,
                rng.choice(models),
                rng.choice(COLOURS),
                rng.choice(INTERIORS),
                purchase,
                vid % 3 == 1,  # the delivered ones (see _build_deliveries) were bought here
                rng.randint(1_000, 150_000),
                purchase.replace(year=purchase.year + 3),
            )

    columns = [
        "id",
        "store_id",
        "owner_id",
        "vin",
        "plate",
        "series",
        "model",
        "exterior_colour",
        "interior_colour",
        "purchase_date",
        "purchased_here",
        "mileage_km",
        "warranty_end",
    ]
    copy_rows(cur, Vehicle, columns, rows(), anchor)
    cur.execute(
        "INSERT INTO crm_vehicleownership (vehicle_id, customer_id, started_on) "
        "SELECT id, owner_id, coalesce(purchase_date, %s) FROM crm_vehicle",
        [today],
    )


def _build_deliveries(cur, rng: random.Random, anchor: dt.datetime, org: Org) -> None:
    from crm.choices import PurchaseType
    from crm.models import Delivery

    today = anchor.date()
    old = N_DELIVERIES - N_RECENT_DELIVERIES

    def rows() -> Iterator[tuple]:
        for d in range(1, N_DELIVERIES + 1):
            vid = 3 * d - 2
            owner = _vehicle_owner(vid)
            sid = org.store_ids[_store_index(owner)]
            if d <= old:  # five years up to 15 days ago
                on = today - dt.timedelta(days=15 + (old - d) * 1810 // old)
            else:  # the last 12 days: windows open, opening soon or just closed
                on = today - dt.timedelta(days=(N_DELIVERIES - d) * 12 // N_RECENT_DELIVERIES)
            yield (
                d,
                sid,
                f"XS{d:09d}",
                on,
                owner,
                vid,
                rng.choice(org.sc[sid]),
                rng.choice(PurchaseType.values),
            )

    columns = ["id", "store_id", "delivery_no", "delivered_on", "customer_id", "vehicle_id"]
    columns += ["sales_consultant_id", "purchase_type"]
    copy_rows(cur, Delivery, columns, rows(), anchor)


# --- repair orders, callback tasks, attempts (INSERT … SELECT generate_series) -------------------


def rand(expr: str, salt: int, n: int) -> str:
    """SQL for a pseudo-random integer in [0, n) from an id: a hash, so that the choices of one
    row are independent of each other and of the store (ids and stores are related by `mod`)."""
    return f"mod(abs(hashint8(({expr}) * 64 + {salt})::bigint), {n})"


def _lit(cur, value) -> str:
    from psycopg import sql

    return sql.Literal(value).as_string(cur.connection)


def _build_repair_orders(cur, anchor: dt.datetime) -> None:
    from crm.models import RepairOrder

    a = _lit(cur, anchor)
    old = N_ROS - 200_000
    n_vehicles = N_CUSTOMERS + N_SECOND_VEHICLES
    # Repair orders 1 … 800,000 over three years up to 15 days ago; the last 200,000 over the last
    # 8 days (their service windows are open now, open soon, or just closed).
    opened = (
        f"CASE WHEN r <= {old} "
        f"THEN {a} - interval '1095 days' + (r::float8 / {old}) * interval '1080 days' "
        f"     + mod(r * 37, 540) * interval '1 minute' "
        f"ELSE {a} - interval '8 days' + ((r - {old})::float8 / 200000) * interval '190 hours' END"
    )
    exprs = {
        "id": "r",
        "store_id": "v.store_id",
        "ro_no": "'WO' || lpad(r::text, 9, '0')",
        "opened_at": "o.opened_at",
        "delivered_at": "o.opened_at + (2 + mod(r, 5)) * interval '1 hour'",
        "promised_at": "o.opened_at + interval '4 hours'",
        "customer_id": "v.owner_id",
        "vehicle_id": "v.id",
        "mileage_km": f"{rand('r', 1, 150000)} + 500",
        "service_advisor_id": "sa.id",
        "repair_team_id": "tm.id",
        "work_type": (
            "(ARRAY['first_maintenance','maintenance','maintenance','maintenance','repair','repair',"
            f"'body_paint','warranty','other','maintenance'])[{rand('r', 2, 10)} + 1]"
        ),
        "estimate_amount": f"({rand('r', 3, 3000)} + 200)::numeric(12,2)",
        "amount": f"({rand('r', 4, 3500)} + 180)::numeric(12,2)",
        "is_rework": f"{rand('r', 5, 97)} = 0",
        "created_at": "o.opened_at",
        "updated_at": "o.opened_at",
    }
    from_sql = (
        f"FROM generate_series(1::bigint, {N_ROS}) r "
        f"CROSS JOIN LATERAL (SELECT {opened} AS opened_at) o "
        f"JOIN crm_vehicle v ON v.id = mod(r * 7919, {n_vehicles}) + 1 "
        f"JOIN bench_sa sa ON sa.store_id = v.store_id AND sa.idx = {rand('r', 6, SA_PER_STORE)} "
        f"JOIN bench_team tm ON tm.store_id = v.store_id AND tm.idx = {rand('r', 7, TEAMS_PER_STORE)}"
    )
    insert_select(cur, RepairOrder, exprs, from_sql, anchor)


def _window(source: str, start_days: int, end_days: int) -> tuple[str, str]:
    """SQL for a callback window from a local date (callbacks.services.callback_window)."""
    opens = f"(({source}) + {start_days})::timestamp AT TIME ZONE 'Asia/Shanghai'"
    closes = f"(({source}) + {end_days + 1})::timestamp AT TIME ZONE 'Asia/Shanghai' - interval '1 microsecond'"
    return opens, closes


def _build_callback_tasks(cur, anchor: dt.datetime) -> None:
    from callbacks.models import CallbackTask

    a = _lit(cur, anchor)
    # Sales: task id = delivery id; the last 3,000 deliveries' tasks are open.
    opens, closes = _window("d.delivered_on", 7, 10)
    open_sales = f"d.id > {N_DELIVERIES - N_RECENT_DELIVERIES}"
    insert_select(
        cur,
        CallbackTask,
        _task_exprs(a, "d.id", open_sales, "'sales'", opens, closes)
        | {
            "delivery_id": "d.id",
            "customer_id": "d.customer_id",
            "vehicle_id": "d.vehicle_id",
            "store_id": "d.store_id",
        },
        "FROM crm_delivery d",
        anchor,
    )
    # Service: task id = 100,000 + repair order id; the latest 197,000 repair orders' tasks are open.
    opens, closes = _window("(ro.delivered_at AT TIME ZONE 'Asia/Shanghai')::date", 3, 7)
    open_service = f"ro.id > {N_ROS - N_OPEN_SERVICE}"
    insert_select(
        cur,
        CallbackTask,
        _task_exprs(a, f"{N_DELIVERIES} + ro.id", open_service, "'service'", opens, closes)
        | {
            "repair_order_id": "ro.id",
            "customer_id": "ro.customer_id",
            "vehicle_id": "ro.vehicle_id",
            "store_id": "ro.store_id",
        },
        "FROM crm_repairorder ro",
        anchor,
    )
    # Open tasks: 30 % assigned to one of the store's agents.
    cur.execute(
        f"UPDATE callbacks_callbacktask t SET assigned_to_id = ag.id FROM bench_agent ag "
        f"WHERE t.state = 'open' AND {rand('t.id', 8, 10)} < 3 AND ag.store_id = t.store_id "
        f"AND ag.idx = {rand('t.id', 9, AGENTS_PER_STORE)}"
    )
    # One task held (claimed) by every agent, as in the middle of a working day.
    cur.execute(
        f"UPDATE callbacks_callbacktask t SET claimed_by_id = ag.id, claimed_at = {a} - interval '5 minutes', "
        f"last_activity_at = {a} - interval '5 minutes' FROM ("
        f"  SELECT DISTINCT ON (ag.id) ag.id AS agent_id, t.id AS task_id FROM bench_agent ag "
        f"  JOIN callbacks_callbacktask t ON t.store_id = ag.store_id AND t.state = 'open' "
        f"   AND t.window_opens_at <= {a} AND t.window_closes_at >= {a} AND t.assigned_to_id IS NULL "
        f"   AND {rand('t.id', 10, 101)} = ag.idx ORDER BY ag.id, t.id) pick "
        f"JOIN bench_agent ag ON ag.id = pick.agent_id "
        f"WHERE t.id = pick.task_id"
    )
    cur.execute(
        "INSERT INTO callbacks_callbacktaskrepairorder (task_id, repair_order_id) "
        "SELECT id, repair_order_id FROM callbacks_callbacktask WHERE kind = 'service'"
    )
    cur.execute(
        "INSERT INTO callbacks_storecallbacksettings (store_id, sales_window_start_days, sales_window_end_days, "
        "service_window_start_days, service_window_end_days, max_failed_attempts, retry_gap_minutes, "
        "claim_idle_minutes) SELECT id, 7, 10, 3, 7, 4, 120, 15 FROM crm_store"
    )


# Overall satisfaction (1–10) from a uniform x in [0, 100): half 10, a quarter 9, then lower.
SCORE = (
    "(CASE WHEN {x} < 50 THEN 10 WHEN {x} < 75 THEN 9 WHEN {x} < 87 THEN 8 "
    "WHEN {x} < 93 THEN 7 WHEN {x} < 97 THEN 5 ELSE 3 END)"
)
NEGATIVE_BELOW = 7


def _task_exprs(a: str, id_expr: str, open_cond: str, kind: str, opens: str, closes: str) -> dict[str, str]:
    """Columns of a task: open ones with appointments / failed attempts here and there; closed
    ones done (67 %), or unsuccessful: no answer ×4, refused, or never called."""
    tid = f"({id_expr})"
    h = rand(tid, 11, 100)
    sub = rand(tid, 12, 10)
    final = (
        f"CASE WHEN {h} < 67 THEN '成功' WHEN {sub} < 5 THEN '无人接听' WHEN {sub} < 8 THEN '拒访' ELSE '未回访' END"
    )
    return {
        "id": tid,
        "kind": kind,
        "window_opens_at": opens,
        "window_closes_at": closes,
        "state": f"CASE WHEN {open_cond} THEN 'open' WHEN {h} < 67 THEN 'done' ELSE 'closed_unsuccessful' END",
        "final_disposition": f"CASE WHEN {open_cond} THEN '' ELSE {final} END",
        "failed_attempts": (
            f"CASE WHEN {open_cond} THEN (CASE WHEN {rand(tid, 13, 7)} = 0 THEN 1 + {rand(tid, 14, 2)} ELSE 0 END) "
            f"WHEN {h} >= 67 AND {sub} < 5 THEN 4 WHEN {h} < 67 AND {sub} < 3 THEN 1 ELSE 0 END"
        ),
        "next_attempt_at": (
            f"CASE WHEN {open_cond} AND {rand(tid, 13, 7)} = 0 "
            f"THEN {a} + ({rand(tid, 15, 6)} - 3) * interval '1 hour' END"
        ),
        "appointment_at": (
            f"CASE WHEN {open_cond} AND {rand(tid, 16, 37)} = 0 "
            f"THEN {a} + ({rand(tid, 17, 48)} - 24) * interval '1 hour' END"
        ),
        "completed_at": (
            f"CASE WHEN {open_cond} THEN NULL WHEN {h} >= 67 AND {sub} >= 8 THEN {closes} "
            f"ELSE {opens} + (10 + {rand(tid, 18, 48)}) * interval '1 hour' END"
        ),
        "has_grumble": f"NOT ({open_cond}) AND {h} < 2",
        # A done task has its questionnaire response (id = task id, see _build_surveys) and score.
        "response_id": f"CASE WHEN NOT ({open_cond}) AND {h} < 67 THEN {tid} END",
        "overall_score": f"CASE WHEN NOT ({open_cond}) AND {h} < 67 THEN {SCORE.format(x=rand(tid, 21, 100))} END",
        "created_at": f"least({opens} - interval '2 days', {a})",
    }


def _build_attempts(cur, anchor: dt.datetime) -> int:
    """Attempts of the closed tasks (their dispositions lead to the final one) and of the open ones
    with failed attempts; by the store's agents."""
    from callbacks.models import CallAttempt

    n = (
        "CASE WHEN t.state = 'open' THEN t.failed_attempts "
        "WHEN t.final_disposition = '成功' THEN 1 + t.failed_attempts "
        "WHEN t.final_disposition = '无人接听' THEN 4 WHEN t.final_disposition = '拒访' THEN 1 ELSE 0 END"
    )
    disposition = (
        "CASE WHEN t.state <> 'open' AND g = n.n THEN "
        "  (CASE WHEN t.final_disposition = '无人接听' THEN '无人接听' ELSE t.final_disposition END) "
        f"ELSE (ARRAY['无人接听','关机','占线','无法接通'])[{rand('t.id + g', 19, 4)} + 1] END"
    )
    exprs = {
        "task_id": "t.id",
        "agent_id": "ag.id",
        "at": "t.window_opens_at + interval '9 hours' + (g - 1) * interval '2 hours 10 minutes'",
        "disposition": disposition,
        "note": "CASE WHEN t.has_grumble AND g = n.n THEN '客户抱怨等待时间太长' ELSE '' END",
        "source": "'call'",
    }
    from_sql = (
        "FROM callbacks_callbacktask t "
        f"CROSS JOIN LATERAL (SELECT {n} AS n) n "
        "CROSS JOIN LATERAL generate_series(1, n.n) g "
        f"JOIN bench_agent ag ON ag.store_id = t.store_id AND ag.idx = {rand('t.id + g', 20, AGENTS_PER_STORE)}"
    )
    return insert_select(cur, CallAttempt, exprs, from_sql, anchor)


# --- complaint cases (COPY from Python) ----------------------------------------------------------

CONTENTS = [
    ("保养后发动机有异响，回去开了两天还是响。", "repair_quality", "免费检修"),
    ("等了三个小时才交车，也没人解释原因。", "attitude", "道歉"),
    ("结算金额比预估多了六百元，没有提前告知。", "fees", "退还差价"),
    ("新车交车时油箱警示灯亮着，销售顾问说是正常的。", "sales", "加满油"),
    ("配件等了两周还没到货，一直没人回电话。", "parts", "尽快到货"),
    ("空调出风有异味，怀疑滤芯没换。", "product_quality", "更换并赔偿"),
    ("洗车后车内脚垫没有放回原位。", "attitude", ""),
    ("钣喷后颜色有色差，要求重新喷漆。", "repair_quality", "重新喷漆"),
    ("建议休息区增加充电插座。", "other", ""),
]
CHANNELS = ["phone", "phone", "phone", "visit", "callback", "callback", "sms", "email", "letter", "manufacturer"]


def _build_cases(cur, rng: random.Random, anchor: dt.datetime, org: Org) -> None:
    """30,000 open cases in every SLA state — new (some past the 30-minute dispatch), dispatched,
    in progress, awaiting confirmation; uncontacted ones white (< 20 h), yellow (20–24 h) or red,
    contacted ones on time or late; feedback overdue or not — and 20,000 closed ones. No alert has
    been sent: the first timer sweep meets the full backlog."""
    from complaints.models import Case, CaseEvent
    from crm.choices import DepartmentKind

    hour = dt.timedelta(hours=1)
    numbers: dict[tuple[int, dt.date], int] = {}
    case_rows: list[tuple] = []
    events: list[tuple] = []
    n_customers_per_store = N_CUSTOMERS // N_STORES
    tz = dt.timezone(dt.timedelta(hours=8))

    def case_no(si: int, received: dt.datetime) -> str:
        day = received.astimezone(tz).date()
        key = (si, day)
        numbers[key] = numbers.get(key, 0) + 1
        return f"{org.store_codes[si]}{day:%Y%m%d}-{numbers[key]:03d}"

    for cid in range(1, N_OPEN_CASES + N_CLOSED_CASES + 1):
        is_open = cid <= N_OPEN_CASES
        si = cid % N_STORES
        sid = org.store_ids[si]
        customer = si + 1 + N_STORES * rng.randrange(n_customers_per_store)
        content, category, demand = rng.choice(CONTENTS)
        level = rng.choice("ABCCDDDDE")
        if is_open:
            x = rng.random()
            if x < 0.10:
                age = rng.uniform(0.1, 20)  # white
            elif x < 0.14:
                age = rng.uniform(20, 24)  # yellow
            else:
                age = rng.uniform(24, 45 * 24)  # older than a day
            received = anchor - age * hour
            state = rng.choices(["new", "dispatched", "in_progress", "resolved"], [10, 30, 40, 20])[0]
        else:
            received = anchor - rng.uniform(30, 400) * 24 * hour
            age = (anchor - received) / hour
            state = "closed" if rng.random() < 0.9 else "unfounded"
        dispatched = first_contact = feedback = resolved = closed = None
        department = handler = None
        if state != "new":
            dispatched = received + rng.uniform(0.05, 1.5) * hour
            if dispatched > anchor:
                dispatched = received + (anchor - received) / 2
            kind = rng.choices([DepartmentKind.SERVICE, DepartmentKind.SALES, DepartmentKind.PARTS], [6, 3, 1])[0]
            department, handler = org.departments[sid][kind]
        contacted = state in ("in_progress", "resolved", "closed") or (state == "dispatched" and rng.random() < 0.5)
        if contacted and dispatched is not None:
            first_contact = dispatched + rng.uniform(0.2, 30) * hour  # after 24 h it is late (red)
            if first_contact > anchor:
                first_contact = dispatched + (anchor - dispatched) / 2
        if state in ("resolved", "closed") or (state == "in_progress" and rng.random() < 0.5):
            feedback = first_contact + rng.uniform(1, 60) * hour
            if feedback > anchor:
                feedback = first_contact + (anchor - first_contact) / 2
        if state in ("resolved", "closed", "unfounded"):
            resolved = (feedback or dispatched) + rng.uniform(1, 48) * hour
            resolved = min(resolved, anchor)
        if state in ("closed", "unfounded"):
            closed = min(resolved + rng.uniform(1, 72) * hour, anchor)
        escalation = 1 if rng.random() < 0.85 else rng.choice([2, 2, 3])
        case_rows.append(
            (
                cid,
                case_no(si, received),
                sid,
                customer,
                rng.choice(CHANNELS),
                category,
                level,
                content,
                demand,
                state,
                escalation,
                department,
                handler,
                "department_manager" if handler else "",
                org.cr_manager[sid],
                received,
                dispatched,
                first_contact,
                feedback,
                resolved,
                closed,
                received + 0.5 * hour,
                received + 20 * hour,
                received + 24 * hour,
                dispatched + 48 * hour if dispatched else None,
                "satisfied" if state == "closed" else "",
                closed or feedback or first_contact or dispatched or received,
            )
        )
        events.append((cid, received, "receive", "受理投诉"))
        if dispatched:
            events.append((cid, dispatched, "dispatch", "派发至责任部门"))
        del age
    columns = [
        "id",
        "case_no",
        "store_id",
        "customer_id",
        "channel",
        "category",
        "level",
        "content",
        "demand",
        "state",
        "escalation_level",
        "department_id",
        "handler_id",
        "handler_role",
        "created_by_id",
        "received_at",
        "dispatched_at",
        "first_contact_at",
        "feedback_at",
        "resolved_at",
        "closed_at",
        "dispatch_due_at",
        "first_contact_warn_at",
        "first_contact_due_at",
        "feedback_due_at",
        "final_result",
        "updated_at",
    ]
    copy_rows(cur, Case, columns, case_rows, anchor)
    copy_rows(cur, CaseEvent, ["case_id", "at", "action", "memo"], events, anchor)


# --- surveys (a hook until the surveys app has models) -------------------------------------------


def surveys_available() -> bool:
    from django.apps import apps

    try:
        apps.get_model("surveys", "Response")
    except LookupError:
        return False
    return True


def _build_surveys(cur, rng: random.Random, anchor: dt.datetime, org: Org) -> dict:
    """A questionnaire response for every done callback task (about 600,000, SPEC §12): the active
    template version of its kind, the task's overall score (id = task id, which the task already
    points at), and the answer to the overall question."""
    if not surveys_available():
        log("surveys: no surveys.Response model on this branch — survey responses not generated")
        return {"survey_responses": 0}
    from surveys.models import Answer, Question, Response, TemplateVersion

    versions = {}
    for kind in ("sales", "service"):
        version = (
            TemplateVersion.objects.filter(template__kind=kind, template__is_active=True).order_by("-number").first()
        )
        overall = Question.objects.filter(version=version, is_overall=True).first() if version else None
        if version is None or overall is None:
            log(f"surveys: no active {kind} template with an overall question — survey responses not generated")
            cur.execute("UPDATE callbacks_callbacktask SET response_id = NULL WHERE response_id IS NOT NULL")
            return {"survey_responses": 0}
        versions[kind] = (version.pk, overall.pk)
    n = insert_select(
        cur,
        Response,
        {
            "id": "t.id",
            "version_id": f"CASE WHEN t.kind = 'sales' THEN {versions['sales'][0]} ELSE {versions['service'][0]} END",
            "store_id": "t.store_id",
            "customer_id": "t.customer_id",
            "answered_at": "t.completed_at",
            "source": "'call'",
            "agent_id": "ag.id",
            "overall_score": "t.overall_score",
            "has_negative": f"t.overall_score < {NEGATIVE_BELOW}",
            "subject_key": "''",
            "created_at": "t.completed_at",
        },
        "FROM callbacks_callbacktask t "
        f"JOIN bench_agent ag ON ag.store_id = t.store_id AND ag.idx = {rand('t.id', 22, AGENTS_PER_STORE)} "
        "WHERE t.response_id IS NOT NULL",
        anchor,
    )
    insert_select(
        cur,
        Answer,
        {
            "response_id": "r.id",
            "question_id": f"CASE WHEN r.version_id = {versions['sales'][0]} "
            f"THEN {versions['sales'][1]} ELSE {versions['service'][1]} END",
            "score": "r.overall_score",
            "is_negative": "r.has_negative",
        },
        "FROM surveys_response r",
        anchor,
    )
    cur.execute(
        "UPDATE surveys_templateversion SET frozen_at = %s WHERE id = ANY(%s) AND frozen_at IS NULL",
        [anchor, [v for v, _q in versions.values()]],
    )
    return {"survey_responses": n}


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
