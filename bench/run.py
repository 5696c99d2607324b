"""`make bench`: build (or reuse) the SPEC §12 scale data set, then print each figure against its
target or hand-written baseline in one fixed table.

    python -m bench.run [--rebuild] [--runs N] [--only NAME ...] [--database-url URL]

Every measurement runs at the data set's anchor time (time-machine, ticking), so that "now" means
the same whenever the bench runs. Benchmarks that change data (next call, callback generation, the
SLA sweep) run inside a transaction that is rolled back, so a second `make bench` measures the same
thing. Server time is the time of the Django test Client's request through the whole middleware
stack (no network); queries are counted on a separate, identical request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from bench.scale import ensure_scale_data, log, setup_django

DEFAULT_RUNS = 15


@dataclass
class Figure:
    name: str
    value: float | None  # None: not measured (see note)
    unit: str
    target: float | None = None  # a bound the value must stay under (or over, with `higher_is_better`)
    target_label: str = ""
    higher_is_better: bool = False
    note: str = ""
    baseline: float | None = None  # a hand-written equivalent's figure: the ratio, no pass/fail

    @property
    def ratio(self) -> float | None:
        reference = self.target or self.baseline
        if self.value is None or not reference:
            return None
        return self.value / reference

    @property
    def status(self) -> str:
        if self.value is None:
            return "n/a"
        if self.target is None:
            return ""
        ok = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "ok" if ok else "SLOW"


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        status = f" [{figure.status}]" if figure.status else ""
        value = "not available yet" if figure.value is None else f"{figure.value:,.1f} {figure.unit}"
        log(f"{figure.name}: {value}{status} {figure.note}".rstrip())
        return figure

    def print_table(self) -> None:
        head = ("figure", "measured", "target / baseline", "ratio", "")
        rows = []
        for f in self.figures:
            measured = "—" if f.value is None else f"{f.value:,.1f} {f.unit}"
            ratio = "" if f.ratio is None else f"{f.ratio:.2f}"
            rows.append((f.name, measured, f.target_label, ratio, f.status))
        widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(len(head))]
        line = "  ".join("-" * w for w in widths)
        print()
        print(_fmt(head, widths))
        print(line)
        for row in rows:
            print(_fmt(row, widths))
        notes = [f for f in self.figures if f.note]
        if notes:
            print()
            for f in notes:
                print(f"- {f.name}: {f.note}")


def _width(text: str) -> int:
    # East Asian characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _fmt(row, widths) -> str:
    return "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True))


# --- measuring -----------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def count_queries(fn: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def median_ms(fns: list[Callable[[], object]] | Callable[[], object], runs: int) -> float:
    """Median of `runs` timed calls after one warm-up call; a list of callables is cycled (e.g. a
    different mobile number each run)."""
    fns = fns if isinstance(fns, list) else [fns]
    fns[0]()
    return statistics.median(timed(fns[i % len(fns)]) for i in range(runs))


@contextmanager
def rolled_back():
    """Run a benchmark that writes inside a transaction that is rolled back afterwards. Inner
    `atomic()` blocks become savepoints; on_commit callbacks are dropped with the rollback."""
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def client_for(username: str):
    from django.test import Client

    from crm.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def get_ok(client, url: str) -> Callable[[], object]:
    def request():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: HTTP {response.status_code}")
        return response

    return request


# Tables whose rows a rolled-back benchmark left dead, vacuumed before the first benchmark and
# after each one: the club benchmark's 100,000 rolled-back cards and ledger rows, left dead, made
# the API push that follows it eight times slower (a heap visit per dead row in the points step),
# a cost no production database carries (autovacuum clears them).
TOUCHED_TABLES = [
    "complaints_case",
    "complaints_caseevent",
    "complaints_notification",
    "callbacks_callbacktask",
    "callbacks_callbacktaskrepairorder",
    "crm_repairorder",
    "crm_customer",
    "crm_vehicle",
    # The reminder and win-back benchmarks roll back a year of reminders, calls and entries: left
    # dead, they cost the queue page's outreach queries a heap visit each.
    "retention_reminder",
    "retention_outreachtask",
    "retention_outreachattempt",
    "winback_winbackentry",
    "club_membercard",
    "club_pointentry",
    "appointments_appointment",
    "surveys_answer",
    "voc_vocentry",
    "voc_vocmention",
]


def vacuum_touched_tables() -> None:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in TOUCHED_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    log(f"vacuumed {len(TOUCHED_TABLES)} tables in {time.perf_counter() - started:.1f} s")


def machine_load() -> Figure:
    """A fixed pure-Python loop, timed: the figures below scale with it on a busy machine (an idle
    core of a current x86 server runs it in roughly 100–200 ms)."""
    import os

    def loop():
        total = 0
        for i in range(3_000_000):
            total += i
        return total

    ms = statistics.median(timed(loop) for _ in range(3))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return Figure("CPU calibration loop", ms, "ms", note=f"load average {load} on {os.cpu_count()} cores")


# --- the benchmarks ------------------------------------------------------------------------------


def bench_customer_search(report: Report, runs: int) -> None:
    """Issue 2: customer search by mobile and by plate — median under 50 ms, as the crm selector
    (the list's first page) and as the list view for a group-level user (paginator count included)."""
    import random

    from django.urls import reverse

    from crm.models import Customer, User, Vehicle
    from crm.selectors import customer_list_page, customer_search

    user = User.objects.get(username="group_cr")
    rng = random.Random(7)
    ids = rng.sample(range(1, 300_001), runs)
    mobiles = list(Customer.objects.filter(id__in=ids).values_list("mobile", flat=True))
    plates = list(Vehicle.objects.filter(owner_id__in=ids).exclude(plate="").values_list("plate", flat=True))
    client = client_for("group_cr")
    url = reverse("crm:customer_list")

    def selector(query):
        return lambda: list(customer_list_page(customers=customer_search(user=user, query=query))[:25])

    for label, values in (("mobile", mobiles), ("plate", plates)):
        ms = median_ms([selector(v) for v in values], runs)
        report.add(Figure(f"customer search by {label} (selector)", ms, "ms", 50, "< 50 ms"))
        ms = median_ms([get_ok(client, f"{url}?q={v}") for v in values], runs)
        queries = count_queries(get_ok(client, f"{url}?q={values[0]}"))
        report.add(
            Figure(f"customer search by {label} (list view)", ms, "ms", 50, "< 50 ms", note=f"{queries} queries")
        )


def bench_callback_queue(report: Report, runs: int) -> None:
    """Issue 3: the call-queue page and "next call" — median under 100 ms, at most 15 queries."""
    from django.urls import reverse

    from callbacks.services import callback_task_claim_next
    from crm.models import User

    client = client_for("s01_agent1")
    queue = get_ok(client, reverse("callbacks:queue"))
    ms = median_ms(queue, runs)
    queries = count_queries(queue)
    report.add(Figure("call queue page (server)", ms, "ms", 100, "< 100 ms"))
    report.add(Figure("call queue page (queries)", queries, "", 15, "≤ 15 queries"))

    agent = User.objects.get(username="s01_agent2")
    next_url = reverse("callbacks:next_call")

    def next_call_view():
        response = client.post(next_url)
        if response.status_code != 302:
            raise RuntimeError(f"POST {next_url}: HTTP {response.status_code}")

    with rolled_back():
        ms = median_ms(lambda: callback_task_claim_next(user=agent), runs)
        queries = count_queries(lambda: callback_task_claim_next(user=agent))
        report.add(Figure("next call: callback_task_claim_next", ms, "ms", 100, "< 100 ms", note=f"{queries} queries"))
        ms = median_ms(next_call_view, runs)
        queries = count_queries(next_call_view)
        report.add(Figure("next call: POST view (server)", ms, "ms", 100, "< 100 ms"))
        report.add(Figure("next call: POST view (queries)", queries, "", 15, "≤ 15 queries"))


def bench_callback_generation(report: Report, runs: int) -> None:
    """Issue 3: nightly generation for 5,000 new repair orders — under 5 s. The 5,000 ROs were
    delivered yesterday, on vehicles spread over all stores (some with an open service task, which
    the new RO merges into)."""
    from django.db import connection
    from django.utils import timezone

    from bench.scale_constants import N_CUSTOMERS, N_SECOND_VEHICLES, SA_PER_STORE
    from bench.scale_sql import insert_select
    from callbacks.models import CallbackTaskRepairOrder
    from callbacks.tasks import callback_tasks_generate_nightly
    from crm.models import RepairOrder

    n = 5_000
    now = timezone.now()
    yesterday = timezone.localtime(now) - dt.timedelta(days=1)
    with rolled_back():
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(id) FROM crm_repairorder")
            first = cursor.fetchone()[0] + 1
            n_vehicles = N_CUSTOMERS + N_SECOND_VEHICLES
            insert_select(
                cursor.cursor,
                RepairOrder,
                {
                    "id": "r",
                    "store_id": "v.store_id",
                    "ro_no": "'WN' || lpad(r::text, 9, '0')",
                    "opened_at": f"'{yesterday.isoformat()}'::timestamptz - interval '6 hours'",
                    "delivered_at": f"'{yesterday.isoformat()}'::timestamptz + mod(r, 60) * interval '1 minute'",
                    "customer_id": "v.owner_id",
                    "vehicle_id": "v.id",
                    "service_advisor_id": "sa.id",
                    "work_type": "'maintenance'",
                },
                f"FROM generate_series({first}::bigint, {first + n - 1}) r "
                f"JOIN crm_vehicle v ON v.id = mod(r * 104729, {n_vehicles}) + 1 "
                f"JOIN bench_sa sa ON sa.store_id = v.store_id AND sa.idx = mod(r, {SA_PER_STORE})",
                now,
            )
        started = time.perf_counter()
        result = callback_tasks_generate_nightly()
        seconds = time.perf_counter() - started
        linked = CallbackTaskRepairOrder.objects.filter(repair_order_id__gte=first).count()
        callable_ros = RepairOrder.objects.filter(id__gte=first, customer__may_call=True).count()
        if linked != callable_ros:
            raise RuntimeError(f"generation linked {linked} of the {callable_ros} new repair orders it should")
    report.add(
        Figure(
            "nightly callback generation, 5,000 new ROs",
            seconds,
            "s",
            5,
            "< 5 s",
            note=f"{result['service']:,} new service tasks; {linked - result['service']:,} ROs merged into open tasks; "
            f"{n - callable_ros} customers refuse calls",
        )
    )


def bench_complaint_sweep(report: Report, runs: int) -> None:
    """Issue 4: the SLA timer sweep over 30,000 open cases — under 2 s. The first run meets the
    full backlog (every alert due, none sent yet) and notifies; the second is the steady state
    (nothing new: each alert exactly once)."""
    from django.db import connection
    from django.utils import timezone

    from complaints.models import Notification
    from complaints.notifications import notifications_send_email
    from complaints.sweeps import complaints_sla_sweep

    def sweep(now):
        result = complaints_sla_sweep(now=now)
        # In production each batch commits, and the commit checks the deferred foreign keys of the
        # rows it wrote (some 60,000 for the backlog); the rolled-back benchmark never commits, so
        # it checks them here, inside the time measured.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        return result

    with rolled_back():
        before = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
        now = timezone.now()
        started = time.perf_counter()
        first = sweep(now)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = sweep(now)
        second_s = time.perf_counter() - started
        new_ids = list(Notification.objects.filter(id__gt=before).values_list("id", flat=True))
        started = time.perf_counter()
        emailed = notifications_send_email(notification_ids=new_ids)
        email_s = time.perf_counter() - started
    sent = ", ".join(f"{k} {v:,}" for k, v in first.items())
    report.add(Figure("complaint SLA sweep, first (full backlog)", first_s, "s", 2, "< 2 s", note=f"notified: {sent}"))
    report.add(
        Figure(
            "complaint SLA sweep, second (steady state)",
            second_s,
            "s",
            2,
            "< 2 s",
            note=f"{sum(second.values())} notifications (must be 0)",
        )
    )
    report.add(
        Figure(
            "  e-mail of the sweep's notifications",
            email_s,
            "s",
            note=f"{emailed:,} e-mails (locmem backend), sent after commit, outside the sweep",
        )
    )


def bench_complaint_red_list(report: Report, runs: int) -> None:
    """Issue 4: the all-cases list filtered to red — median under 100 ms server time."""
    from django.urls import reverse

    url = reverse("complaints:case_list") + "?colour=red"
    for username, who in (("group_cr", "group CR head, 10 stores"), ("s01_crm", "store CR manager")):
        request = get_ok(client_for(username), url)
        ms = median_ms(request, runs)
        queries = count_queries(request)
        report.add(Figure(f"complaints list, red ({who})", ms, "ms", 100, "< 100 ms", note=f"{queries} queries"))


# --- hooks: figures whose code is not on this branch yet -----------------------------------------


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:
        return True


def bench_import_dms(report: Report, runs: int) -> None:
    """Issue 2: `import_dms` of a 100,000-row repair_orders workbook — rows/s (at least 2,000) and
    the ratio to PostgreSQL COPY of the same rows into a bare table."""
    if _missing("crm.importing.runner"):
        report.add(Figure("import_dms, 100,000 RO rows", None, "rows/s", 2000, "≥ 2,000 rows/s; vs COPY"))
        return
    from bench.importing import bench_import

    bench_import(report)


def bench_reports_tables(report: Report, runs: int) -> None:
    """Table 7/8 for one month vs one hand-written SQL GROUP BY (SPEC §12)."""
    if _missing("reports.registry"):
        report.add(Figure("table 7/8, one month", None, "ms", None, "vs hand-written GROUP BY"))
        return
    from bench.reports import bench_tables

    bench_tables(report, runs)


def bench_dashboard(report: Report, runs: int) -> None:
    """The GM dashboard: server time and query count as deployed (figures stored by beat), the cost
    of beat's refreshes and of a first visit (SPEC §12, issue 5)."""
    from bench.dashboard import bench_dashboard as bench

    bench(report, runs)


def bench_xlsx_export(report: Report, runs: int) -> None:
    """An .xlsx export of 100,000 rows: time and peak memory (SPEC §12)."""
    if _missing("crm.reporting"):
        report.add(Figure("xlsx export, 100,000 rows", None, "s", None, "time and peak memory"))
        return
    from bench.reports import bench_export

    bench_export(report, runs)


def bench_request_cpu_time(report: Report, runs: int) -> None:
    """Issue 17: CPU time per request of the queue page, the call page and a disposition (bench/cpu.py)."""
    from bench.cpu import bench_request_cpu

    bench_request_cpu(report, runs)


def bench_reminders(report: Report, runs: int) -> None:
    """SPEC §10.2: one day's reminder generation at scale, again, and a festival day (bench/retention.py)."""
    from bench.retention import bench_reminder_generation

    bench_reminder_generation(report, runs)


def bench_winback(report: Report, runs: int) -> None:
    """Issue 10: the monthly lost-customer scan (< 5 s) and the win-back list page (< 100 ms)."""
    from bench.winback import bench_winback as bench

    bench(report, runs)


def bench_improvement(report: Report, runs: int) -> None:
    """SPEC §10.5: the EQC evaluation of 50 actions under 1 s (bench/improvement.py)."""
    from bench.improvement import bench_improvement as bench

    bench(report, runs)


def bench_club(report: Report, runs: int) -> None:
    """Issue 15: RO points during a 100,000-row import (≥ 2,000 rows/s) and the member list at
    100,000 members (< 100 ms), bench/club.py."""
    from bench.club import bench_club as bench

    bench(report, runs)


def bench_api(report: Report, runs: int) -> None:
    """Issue 16: 10,000 ROs pushed through the REST API in batches of 500 (≥ 1,000 rows/s) and the
    CTI lookup by mobile (< 20 ms), bench/api.py."""
    from bench.api import bench_api as bench

    bench(report, runs)


def bench_voc(report: Report, runs: int) -> None:
    """Issue 14 item 1: VOC tagging of a month's verbatims (< 10 s) and the VOC page (< 300 ms),
    bench/voc.py."""
    from bench.voc import bench_voc as bench

    bench(report, runs)


def bench_grumbles(report: Report, runs: int) -> None:
    """Issue 14 items 2–3: the grumble register over 30,000 hot alerts (< 300 ms, queries constant)
    and table 5 of a month, bench/grumbles.py."""
    from bench.grumbles import bench_grumbles as bench

    bench(report, runs)


def bench_survey_link(report: Report, runs: int) -> None:
    """Issue 16 item 4: the customer's survey page, GET and POST (< 100 ms), bench/survey_link.py."""
    from bench.survey_link import bench_survey_link as bench

    bench(report, runs)


def bench_appointments(report: Report, runs: int) -> None:
    """Issue 15 item 2: the day board at the SPEC §12 scale (< 100 ms), bench/appointments.py."""
    from bench.appointments import bench_appointments as bench

    bench(report, runs)


def bench_cpreports(report: Report, runs: int) -> None:
    """Issue 14 item 6: the quarterly and annual complaint reports and the weekly callback report
    pages (bench/cpreports.py)."""
    from bench.cpreports import bench_cpreports as bench

    bench(report, runs)


BENCHES: dict[str, Callable[[Report, int], None]] = {
    "search": bench_customer_search,
    "queue": bench_callback_queue,
    "generation": bench_callback_generation,
    "sweep": bench_complaint_sweep,
    "red_list": bench_complaint_red_list,
    "import": bench_import_dms,
    "reports": bench_reports_tables,
    "dashboard": bench_dashboard,
    "xlsx": bench_xlsx_export,
    "cpu": bench_request_cpu_time,
    "reminders": bench_reminders,
    "winback": bench_winback,
    "improvement": bench_improvement,
    "club": bench_club,
    "api": bench_api,
    "voc": bench_voc,
    "grumbles": bench_grumbles,
    "survey_link": bench_survey_link,
    "appointments": bench_appointments,
    "cpreports": bench_cpreports,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="regenerate the scale data set first")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="runs per median (default %(default)s)")
    parser.add_argument("--only", nargs="+", choices=list(BENCHES), help="run only these benchmarks")
    parser.add_argument("--database-url", help="default $BENCH_DATABASE_URL or the dcr_bench_scale database")
    args = parser.parse_args(argv)

    setup_django(args.database_url)
    import time_machine

    found = ensure_scale_data(rebuild=args.rebuild)
    vacuum_touched_tables()
    report = Report()
    report.add(machine_load())
    failed = False
    # A minute after the anchor: the data set's "now".
    with time_machine.travel(found["anchor"] + dt.timedelta(minutes=1), tick=True):
        for name, bench in BENCHES.items():
            if args.only and name not in args.only:
                continue
            try:
                bench(report, args.runs)
            except Exception as exc:  # one broken benchmark must not hide the others' figures
                failed = True
                log(f"{name}: FAILED: {exc!r}")
                report.add(Figure(name, None, "", note=f"FAILED: {exc}"))
            vacuum_touched_tables()
    report.print_table()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
