"""SPEC §12's report figures: table 7/8 for one month against one hand-written GROUP BY, and an
.xlsx export of 100,000 rows (time and peak memory, measured in a child process)."""

from __future__ import annotations

import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The hand-written baselines: the same month's figures in one GROUP BY each, without the report's
# refinements (last disposition of open tasks, unassigned rows, the 合计 row, rates).
BASELINES = {
    "sc_satisfaction": """
        SELECT d.sales_consultant_id, count(*) AS delivered,
               count(*) FILTER (WHERE t.state = 'done') AS success,
               count(*) FILTER (WHERE t.state = 'done' AND t.overall_score >= 9) AS fully,
               count(*) FILTER (WHERE t.state = 'closed_unsuccessful') AS unsuccessful
        FROM crm_delivery d LEFT JOIN callbacks_callbacktask t ON t.delivery_id = d.id
        WHERE d.delivered_on >= %(start_date)s AND d.delivered_on < %(end_date)s
        GROUP BY d.sales_consultant_id""",
    "sa_satisfaction": """
        SELECT r.service_advisor_id, count(*) AS delivered,
               count(*) FILTER (WHERE t.state = 'done') AS success,
               count(*) FILTER (WHERE t.state = 'done' AND t.overall_score >= 9) AS fully,
               count(*) FILTER (WHERE t.state = 'closed_unsuccessful') AS unsuccessful
        FROM crm_repairorder r JOIN callbacks_callbacktask t ON t.repair_order_id = r.id
        WHERE r.delivered_at >= %(start)s AND r.delivered_at < %(end)s
        GROUP BY r.service_advisor_id""",
}
LABELS = {"sc_satisfaction": "table 7 (SC satisfaction)", "sa_satisfaction": "table 8 (SA satisfaction)"}
EXPORT_ROWS = 100_000


def report_month(now: dt.datetime) -> dt.date:
    """The last complete month before `now` (what a CR manager reports on)."""
    first = now.date().replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def bench_tables(report, runs: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from bench.run import Figure, median_ms
    from reports.registry import build_report

    month = report_month(timezone.localtime())
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    params = {
        "start_date": month,
        "end_date": next_month,
        "start": dt.datetime.combine(month, dt.time.min, tz),
        "end": dt.datetime.combine(next_month, dt.time.min, tz),
    }
    for name, sql in BASELINES.items():

        def build(name=name):
            table = build_report(name, store_ids=None, month=month)
            return list(table.rows), table.total_row

        def baseline(sql=sql):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        rows, _total = build()
        report_ms = median_ms(build, runs)
        baseline_ms = median_ms(baseline, runs)
        report.add(
            Figure(
                f"{LABELS[name]}, {month:%Y-%m}",
                report_ms,
                "ms",
                target_label=f"GROUP BY: {baseline_ms:,.1f} ms",
                baseline=baseline_ms,
                note=f"{len(rows)} rows, all 10 stores; ratio = report / hand-written GROUP BY",
            )
        )


def bench_export(report, runs: int) -> None:
    """Run the export in a child process: its own peak RSS is the export's memory (plus Django's)."""
    from bench.run import Figure

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "export.xlsx"
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bench.reports", str(out)], capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"export child failed: {done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
    report.add(
        Figure(
            "xlsx export, 100,000 rows (time)",
            result["seconds"],
            "s",
            15,
            "< 15 s",
            note=f"{result['rows']:,} repair orders × {result['columns']} columns via crm.reporting.write_xlsx; "
            f"{result['size_mb']:.1f} MB file; child process {wall:.0f} s in all",
        )
    )
    report.add(
        Figure(
            "xlsx export, 100,000 rows (peak memory)",
            result["peak_mb"] - result["base_mb"],
            "MB",
            250,
            "< 250 MB",
            note=f"peak RSS {result['peak_mb']:.0f} MB − {result['base_mb']:.0f} MB of the process before the export",
        )
    )


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status, in MB (ru_maxrss where there is none)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export_child(out: str) -> None:
    """In the child: export 100,000 repair orders, streamed from a server-side cursor (values_list,
    chunks of 5,000)."""
    from bench.scale import setup_django

    setup_django()
    from crm.models import RepairOrder
    from crm.reporting import ReportColumn, ReportTable, local_time, write_xlsx

    base = _status_mb("VmRSS")
    columns = [
        ReportColumn("ro_no", "工单号"),
        ReportColumn("store__code", "门店"),
        ReportColumn("opened_at", "进厂时间", "datetime", 18),
        ReportColumn("delivered_at", "交车时间", "datetime", 18),
        ReportColumn("customer__name", "客户姓名"),
        ReportColumn("customer__mobile", "手机"),
        ReportColumn("vehicle__vin", "车架号", width=20),
        ReportColumn("vehicle__plate", "车牌号"),
        ReportColumn("service_advisor__name", "服务顾问"),
        ReportColumn("work_type", "维修类型"),
        ReportColumn("amount", "结算金额", "number"),
    ]
    # Rows in column order, the datetimes as local wall time computed by PostgreSQL (local_time):
    # loading aware datetimes through Django costs 0.8 s of CPU for these 200,000 values.
    fields = [local_time(c.key) if c.kind == "datetime" else c.key for c in columns]
    rows = RepairOrder.objects.order_by("-id").values_list(*fields)[:EXPORT_ROWS].iterator(chunk_size=5000)
    table = ReportTable(
        name="bench_export",
        title="工单明细",
        store_label="全部门店",
        period_label="",
        columns=columns,
        rows=rows,
    )
    started = time.perf_counter()
    count = write_xlsx(table, out)
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM")  # this process's peak RSS (ru_maxrss would carry the parent's over exec)
    size = Path(out).stat().st_size / 1024 / 1024
    print(
        json.dumps(
            {
                "rows": count,
                "columns": len(columns),
                "seconds": seconds,
                "base_mb": base,
                "peak_mb": peak,
                "size_mb": size,
            }
        )
    )


if __name__ == "__main__":
    _export_child(sys.argv[1])
