"""The REST API at the SPEC §12 scale (issue 16): 10,000 repair orders pushed through
POST /api/v1/dms/repair-orders/ in batches of 500 (target ≥ 1,000 rows/s, through the whole stack:
bearer authentication, throttle, audit log, the DMS importer and its post-import steps), and the CTI
lookup by mobile (target under 20 ms server time, queries counted).

Everything runs in one transaction that is rolled back: the scale database keeps no rows.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal

N_PUSH = 10_000
BATCH = 500


def _items(rows: list[tuple]) -> list[dict]:
    from bench.importing import HEADERS

    keys = [key for key, _zh in HEADERS]

    def value(v):
        if isinstance(v, dt.datetime):
            return v.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(v, Decimal | float):
            return float(v)
        return v

    return [{k: value(v) for k, v in zip(keys, row, strict=True)} for row in rows]


def bench_api(report, runs: int) -> None:
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from api.services import api_client_create
    from bench.importing import make_rows
    from bench.run import Figure, count_queries, median_ms, rolled_back
    from crm.models import Store

    items = _items(make_rows(timezone.now())[:N_PUSH])
    settings.API_THROTTLE_RATE = "100000/min"  # the bench measures the work, not the throttle
    with rolled_back():
        issued = api_client_create(
            name="bench DMS", stores=list(Store.objects.all()), scopes=["dms:push", "lookup", "read"]
        )
        client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}")
        outcomes: dict[str, int] = {}
        started = time.perf_counter()
        for start in range(0, len(items), BATCH):
            body = json.dumps({"items": items[start : start + BATCH]})
            response = client.post("/api/v1/dms/repair-orders/", body, content_type="application/json")
            assert response.status_code == 200, response.content[:300]
            for key, count in response.json()["summary"].items():
                outcomes[key] = outcomes.get(key, 0) + count
        push_s = time.perf_counter() - started
        report.add(
            Figure(
                "API push, 10,000 ROs in batches of 500",
                len(items) / push_s,
                "rows/s",
                1000,
                "≥ 1,000 rows/s",
                higher_is_better=True,
                note=f"{push_s:.1f} s; {outcomes}",
            )
        )
        mobile = items[len(items) // 2]["mobile"]
        url = f"/api/v1/customers/lookup/?mobile={mobile}"

        def lookup():
            response = client.get(url)
            assert response.status_code == 200 and response.json()["results"], response.content[:300]

        ms = median_ms(lookup, runs)
        report.add(
            Figure(
                "API lookup by mobile (CTI screen pop)",
                ms,
                "ms",
                20,
                "< 20 ms",
                note=f"{count_queries(lookup)} queries",
            )
        )
        # A reporting tool's monthly pull: the callback tasks of the last whole month, first and
        # fiftieth page (each page also counts the month's tasks).
        month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        for page in (1, 50):
            url = f"/api/v1/callback-tasks/?month={month:%Y-%m}&page={page}"

            def pull(url=url):
                response = client.get(url)
                assert response.status_code == 200 and response.json()["results"], response.content[:300]

            report.add(
                Figure(
                    f"API callback tasks of {month:%Y-%m}, page {page} of 100 (10 stores)",
                    median_ms(pull, runs),
                    "ms",
                    None,
                    "",
                    note=f"{count_queries(pull)} queries",
                )
            )
