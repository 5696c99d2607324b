"""The scale data set's organisation, customers, vehicles, deliveries and repair orders."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from bench.scale_constants import (
    N_CUSTOMERS,
    N_DELIVERIES,
    N_RECENT_DELIVERIES,
    N_ROS,
    N_SECOND_VEHICLES,
    N_STORES,
    REGION_CODES,
    SA_PER_STORE,
    SC_PER_STORE,
    STORES,
    STREETS,
    TEAMS_PER_STORE,
)
from bench.scale_sql import copy_rows, insert_select, rand, sql_literal

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


def build_organisation(rng: random.Random, anchor: dt.datetime) -> Org:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from crm.choices import DepartmentKind, Role, StaffRole
    from crm.models import Department, RepairTeam, Staff, User
    from crm.services import store_add
    from demo.names import make_name

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


def build_customers(cur, rng: random.Random, anchor: dt.datetime, org: Org) -> None:
    from crm.models import Customer
    from demo.names import make_id_number, make_mobile, make_name

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


def build_vehicles(cur, rng: random.Random, anchor: dt.datetime, org: Org) -> None:
    from crm.models import Vehicle
    from demo.names import COLOURS, INTERIORS, TOYOTA_MODELS, make_plate, make_vin

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
                vid % 3 == 1,  # the delivered ones (see build_deliveries) were bought here
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


def build_deliveries(cur, rng: random.Random, anchor: dt.datetime, org: Org) -> None:
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


def build_repair_orders(cur, anchor: dt.datetime) -> None:
    from crm.models import RepairOrder

    a = sql_literal(cur, anchor)
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
