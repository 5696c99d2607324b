"""Complaint reporting cadence at the SPEC §12 scale (issue 14 item 6): the quarterly and annual
complaint reports (30,000 complaints over the data set's year) and the weekly callback report,
each as its page — server time and query count — for a store CR manager and the group CR head.

Reads only: nothing is written to the shared scale database.
"""

from __future__ import annotations


def bench_cpreports(report, runs: int) -> None:
    from django.urls import reverse

    from bench.run import Figure, client_for, count_queries, get_ok, median_ms

    pages = (
        ("reports:report", ["complaints_quarterly"], "quarterly complaint report", 500),
        ("reports:report", ["complaints_annual"], "annual complaint report", 1000),
        ("reports:callbacks_weekly", [], "weekly callback report", 500),
    )
    for username, who in (("s01_crm", "store CR manager"), ("group_cr", "group CR head, 10 stores")):
        client = client_for(username)
        for name, args, label, target in pages:
            request = get_ok(client, reverse(name, args=args))
            ms = median_ms(request, runs)
            queries = count_queries(request)
            report.add(Figure(f"{label} page ({who})", ms, "ms", target, f"< {target} ms", note=f"{queries} queries"))
