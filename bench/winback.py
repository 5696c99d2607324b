"""Win-back at the SPEC §12 scale (issue 10 items 5–6): the monthly scan of 300,000 customers /
1,000,000 ROs (target under 5 s) and its steady-state rerun, then the pages on the list it made —
the win-back list (target under 100 ms, queries constant) for a store CR manager and the group CR
head, the 即将流失 tab and the reason summary.

Everything runs in one transaction that is rolled back: the shared scale database keeps no rows.
"""

from __future__ import annotations

import time


def bench_winback(report, runs: int) -> None:
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from bench.run import Figure, client_for, count_queries, get_ok, median_ms, rolled_back
    from retention.models import OutreachTask
    from winback.models import WinbackEntry
    from winback.rules import months_before
    from winback.services import winback_scan

    # Every customer of the data set visited in the last seven months, so the scan runs as on the 1st
    # of the month seven months from now: the customers whose last visit is more than a year before
    # that — some 20,000 of the 300,000, a heavy month — are lost.
    on = months_before(timezone.localdate().replace(day=1), -7)

    def scan() -> int:
        added = sum(winback_scan(on=on).values())
        # In production the scan commits, and the commit checks the deferred foreign keys of the
        # rows it wrote; the rolled-back benchmark never commits, so it checks them here, timed.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        return added

    with rolled_back():
        started = time.perf_counter()
        added = scan()
        first_s = time.perf_counter() - started
        tasks = OutreachTask.objects.filter(kind="winback").count()
        started = time.perf_counter()
        again = scan()
        second_s = time.perf_counter() - started
        with connection.cursor() as cursor:  # the planner's statistics, as autovacuum would keep them
            cursor.execute("ANALYZE winback_winbackentry")
            cursor.execute("ANALYZE retention_outreachtask")
        report.add(
            Figure(
                "win-back scan, first of the month (10 stores)",
                first_s,
                "s",
                5,
                "< 5 s",
                note=f"{added:,} lost customers added, {tasks:,} win-back calls",
            )
        )
        report.add(
            Figure("win-back scan, rerun (steady state)", second_s, "s", 5, "< 5 s", note=f"{again} added (must be 0)")
        )
        per_store = WinbackEntry.objects.filter(store_id=1, month=on).count()
        for username, who in (("s01_crm", "store CR manager"), ("group_cr", "group CR head, 10 stores")):
            client = client_for(username)
            for name, label, target in (
                ("winback:entry_list", "win-back list", 100),
                ("winback:at_risk", "即将流失 tab", None),
                ("winback:reasons", "win-back rate and reasons", None),
            ):
                request = get_ok(client, reverse(name))
                ms = median_ms(request, runs)
                queries = count_queries(request)
                report.add(
                    Figure(
                        f"{label} ({who})",
                        ms,
                        "ms",
                        target,
                        "< 100 ms" if target else "",
                        note=f"{queries} queries"
                        + (f"; {per_store:,} entries in store 1 this month" if target else ""),
                    )
                )
