"""Issue 2's import figure: `import_dms` of a 100,000-row 工单 (repair_orders) workbook against
PostgreSQL COPY of the same rows into a bare table.

The rows are new repair orders of existing vehicles and customers (as a monthly DMS export is), for
every store, with the staff and repair teams the stores have. The workbook is written with
openpyxl's write-only mode. The import runs inside a transaction that is rolled back afterwards, so
the scale data set is unchanged; it includes the post-import steps (callback generation for the new
repair orders), as `import_dms` does.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

N_ROWS = 100_000
HEADERS = [
    ("ro_no", "工单号"),
    ("store", "门店"),
    ("opened_at", "进厂时间"),
    ("delivered_at", "交车时间"),
    ("promised_at", "预计交车时间"),
    ("vin", "车架号"),
    ("plate", "车牌号"),
    ("customer_name", "客户姓名"),
    ("mobile", "手机"),
    ("mileage_km", "行驶里程"),
    ("service_advisor", "服务顾问"),
    ("repair_team", "维修班组"),
    ("work_type", "维修类型"),
    ("estimate_amount", "预估金额"),
    ("amount", "结算金额"),
    ("is_rework", "是否返修"),
]
COPY_TABLE = """CREATE TEMP TABLE bench_ro_copy (
    ro_no text, store text, opened_at timestamp, delivered_at timestamp, promised_at timestamp, vin text,
    plate text, customer_name text, mobile text, mileage_km integer, service_advisor text, repair_team text,
    work_type text, estimate_amount numeric(12,2), amount numeric(12,2), is_rework text
) ON COMMIT DROP"""


def make_rows(now: dt.datetime) -> list[tuple]:
    """100,000 new repair orders (last month, naive Asia/Shanghai times as the DMS writes them)."""
    from django.db import connection

    from crm.choices import StaffRole, WorkType

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.vin, v.plate, c.name, c.mobile, s.code, v.store_id FROM crm_vehicle v "
            "JOIN crm_customer c ON c.id = v.owner_id JOIN crm_store s ON s.id = v.store_id "
            "WHERE mod(v.id, 3) = 0 ORDER BY v.id LIMIT %s",
            [N_ROWS],
        )
        vehicles = cursor.fetchall()
        cursor.execute("SELECT store_id, name FROM crm_staff WHERE role = %s ORDER BY id", [StaffRole.SERVICE_ADVISOR])
        advisors: dict[int, list[str]] = {}
        for store_id, name in cursor.fetchall():
            advisors.setdefault(store_id, []).append(name)
        cursor.execute("SELECT store_id, name FROM crm_repairteam ORDER BY id")
        teams: dict[int, list[str]] = {}
        for store_id, name in cursor.fetchall():
            teams.setdefault(store_id, []).append(name)
    work_types = [str(w.label) for w in WorkType]
    local_now = now.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None, microsecond=0)
    start = local_now - dt.timedelta(days=31)
    rows = []
    for n, (vin, plate, name, mobile, code, store_id) in enumerate(vehicles):
        opened = start + dt.timedelta(seconds=n * 26)
        rows.append(
            (
                f"IMP{n + 1:08d}",
                code,
                opened,
                opened + dt.timedelta(hours=3),
                opened + dt.timedelta(hours=4),
                vin,
                plate,
                name,
                mobile,
                10_000 + n % 90_000,
                advisors[store_id][n % len(advisors[store_id])],
                teams[store_id][n % len(teams[store_id])],
                work_types[n % len(work_types)],
                round(300 + n % 2000 + 0.5, 2),
                round(280 + n % 2100 + 0.5, 2),
                "是" if n % 97 == 0 else "否",
            )
        )
    return rows


def write_workbook(rows: list[tuple], path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("工单")
    ws.append([zh for _key, zh in HEADERS])
    for row in rows:
        ws.append(list(row))
    wb.save(path)


def bench_import(report) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench.run import Figure, rolled_back

    rows = make_rows(timezone.now())
    if len(rows) < N_ROWS:
        raise RuntimeError(f"only {len(rows)} vehicles to import repair orders for")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "repair_orders_100k.xlsx"
        started = time.perf_counter()
        write_workbook(rows, path)
        write_s = time.perf_counter() - started
        with rolled_back():
            started = time.perf_counter()
            try:
                call_command("import_dms", str(path), verbosity=0)
            except SystemExit as exc:  # exit 1 when a row failed; the figure still stands
                if exc.code not in (0, None):
                    report.add(Figure("  import_dms exit status", exc.code, "", note="some rows failed"))
            import_s = time.perf_counter() - started
        with rolled_back(), connection.cursor() as cursor:
            cursor.execute(COPY_TABLE)
            raw = cursor.cursor
            started = time.perf_counter()
            with raw.copy(f"COPY bench_ro_copy ({', '.join(k for k, _ in HEADERS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            copy_s = time.perf_counter() - started
    rate = N_ROWS / import_s
    report.add(
        Figure(
            "import_dms, 100,000 RO rows (.xlsx)",
            rate,
            "rows/s",
            2000,
            "≥ 2,000 rows/s",
            higher_is_better=True,
            note=f"{import_s:.1f} s incl. post-import callback generation; workbook written in {write_s:.1f} s",
        )
    )
    report.add(
        Figure(
            "  COPY of the same rows (baseline)",
            N_ROWS / copy_s,
            "rows/s",
            note=f"{copy_s:.2f} s into a bare temp table; import_dms takes {import_s / copy_s:.0f}× as long",
        )
    )
