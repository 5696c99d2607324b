"""The membership club at the SPEC §12 scale (issue 15 item 1): 100,000 member cards (one per
vehicle the benchmark's import touches), then `import_dms` of 100,000 RO rows with the club's
post-step on (target ≥ 2,000 rows/s, as the import figure), the post-step alone and its rerun (books
nothing), and the member list at 100,000 members (target under 100 ms, queries constant).

Everything runs in one transaction that is rolled back: the scale database keeps no rows.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

N_MEMBERS = 100_000

ENROL_SQL = """
INSERT INTO club_membercard (store_id, vehicle_id, customer_id, number, issued_on, points_from, expires_on,
                             state, level, balance, created_at)
SELECT v.store_id, v.id, v.owner_id,
       s.code || lpad(row_number() OVER (PARTITION BY v.store_id ORDER BY v.id)::text, 6, '0'),
       %(issued)s, %(issued)s, %(expires)s, 'active', 'standard', 0, now()
FROM crm_vehicle v JOIN crm_store s ON s.id = v.store_id
WHERE mod(v.id, 3) = 0 AND v.owner_id IS NOT NULL
ORDER BY v.id LIMIT %(n)s
"""


def bench_club(report, runs: int) -> None:
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    import club.ro_points as ro_points
    from bench.importing import N_ROWS, make_rows, write_workbook
    from bench.run import Figure, client_for, count_queries, get_ok, median_ms, rolled_back
    from club.models import MemberCard, PointEntry

    today = timezone.localdate()
    rows = make_rows(timezone.now())
    timings: list[float] = []
    booked_ids: list[int] = []
    original = ro_points.ro_points_book

    def timed_book(*, ro_ids):
        ids = list(ro_ids)
        booked_ids.extend(ids)
        started = time.perf_counter()
        result = original(ro_ids=ids)
        timings.append(time.perf_counter() - started)
        return result

    with tempfile.TemporaryDirectory() as tmp, rolled_back():
        path = Path(tmp) / "repair_orders_100k.xlsx"
        write_workbook(rows, path)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(
                ENROL_SQL,
                {"issued": today - dt.timedelta(days=400), "expires": today + dt.timedelta(days=700), "n": N_MEMBERS},
            )
            enrolled = cursor.rowcount
            cursor.execute("ANALYZE club_membercard")
            enrol_s = time.perf_counter() - started
        report.add(
            Figure("club: 100,000 member cards enrolled (set-based, setup)", enrol_s, "s", note=f"{enrolled:,} cards")
        )
        ro_points.ro_points_book = timed_book
        try:
            started = time.perf_counter()
            try:
                call_command("import_dms", str(path), verbosity=0)
            except SystemExit as exc:
                if exc.code not in (0, None):
                    report.add(Figure("  import_dms exit status", exc.code, "", note="some rows failed"))
            import_s = time.perf_counter() - started
        finally:
            ro_points.ro_points_book = original
        entries = PointEntry.objects.count()
        step_s = sum(timings)
        report.add(
            Figure(
                "import_dms, 100,000 RO rows with the club on",
                N_ROWS / import_s,
                "rows/s",
                2000,
                "≥ 2,000 rows/s",
                higher_is_better=True,
                note=f"{import_s:.1f} s; the club's points step {step_s:.2f} s, {entries:,} ledger rows booked",
            )
        )
        started = time.perf_counter()
        moved = original(ro_ids=booked_ids)
        rerun_s = time.perf_counter() - started
        report.add(
            Figure("club points step, rerun (books nothing)", rerun_s, "s", note=f"{moved} cards moved (must be 0)")
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE club_pointentry")
            cursor.execute("ANALYZE club_membercard")
        members = MemberCard.objects.count()
        for username, who in (("s01_crm", "store CR manager"), ("group_cr", "group CR head, 10 stores")):
            client = client_for(username)
            for label, params in (("member list", ""), ("member list, gold filter", "?level=gold")):
                request = get_ok(client, reverse("club:card_list") + params)
                ms = median_ms(request, runs)
                report.add(
                    Figure(
                        f"club {label} ({who})",
                        ms,
                        "ms",
                        100,
                        "< 100 ms",
                        note=f"{count_queries(request)} queries; {members:,} members",
                    )
                )
