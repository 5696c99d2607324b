"""Grumbles and complaint attachments at the SPEC §12 scale (issue 14 items 2, 3): 30,000 hot
alerts on the data set's unhappy callbacks, a sixth of them turned into complaint cases (the
register leaves those out through complaints' case_hot_alert_idx), half of the rest with a table-5
record; then the grumble register (store CR manager, group CR head; query count constant), the
register filtered to a month and "open", and table 5 of a month built and read to the end.

Everything runs in one transaction that is rolled back: the shared scale database keeps no rows.
"""

from __future__ import annotations

import datetime as dt
import time

ALERTS = 30_000


def _seed(cursor) -> dict[str, int]:
    cursor.execute(
        """
        INSERT INTO callbacks_hotalert (task_id, raised_at, reasons, close_note)
        SELECT t.id, COALESCE(t.completed_at, t.window_opens_at), '["总体满意度 4分"]'::jsonb, ''
        FROM callbacks_callbacktask t
        WHERE t.overall_score IS NOT NULL AND NOT EXISTS (SELECT 1 FROM callbacks_hotalert h WHERE h.task_id = t.id)
        ORDER BY t.overall_score, t.id
        LIMIT %s
        """,
        [ALERTS],
    )
    alerts = cursor.rowcount
    # A sixth became complaint cases: the case keeps the alert's id.
    cursor.execute(
        """
        WITH a AS (SELECT id, row_number() OVER (ORDER BY id) n FROM callbacks_hotalert WHERE id % 6 = 0),
             c AS (SELECT id, row_number() OVER (ORDER BY id) n FROM complaints_case WHERE hot_alert_id IS NULL)
        UPDATE complaints_case SET hot_alert_id = a.id FROM a JOIN c USING (n) WHERE complaints_case.id = c.id
        """
    )
    cases = cursor.rowcount
    cursor.execute(
        """
        INSERT INTO callbacks_grumble (alert_id, category, content, handling, department_id, handled_on,
            result_summary, recall_note, created_at, updated_at)
        SELECT h.id, 'attitude', '等了2个小时', '致电致歉', d.id,
            CASE WHEN h.id % 3 = 0 THEN (h.raised_at AT TIME ZONE 'Asia/Shanghai')::date + 2 END,
            CASE WHEN h.id % 3 = 0 THEN '客户接受' ELSE '' END, '', now(), now()
        FROM callbacks_hotalert h
        JOIN callbacks_callbacktask t ON t.id = h.task_id
        LEFT JOIN crm_department d ON d.store_id = t.store_id AND d.kind = 'service'
        WHERE h.id % 2 = 0 AND h.id % 6 <> 0
        """
    )
    grumbles = cursor.rowcount
    cursor.execute("ANALYZE callbacks_hotalert")
    cursor.execute("ANALYZE callbacks_grumble")
    cursor.execute("ANALYZE complaints_case")
    return {"alerts": alerts, "cases": cases, "grumbles": grumbles}


def bench_grumbles(report, runs: int) -> None:
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from bench.run import Figure, client_for, count_queries, get_ok, median_ms, rolled_back
    from reports.tables.grumbles import build_grumbles

    with rolled_back():
        with connection.cursor() as cursor:
            made = _seed(cursor)
        month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month
        url = reverse("callbacks:grumble_list")
        for username, who in (("s01_crm", "store CR manager"), ("group_cr", "group CR head, 10 stores")):
            client = client_for(username)
            for label, params, target in (
                ("grumble register (opens on this month)", "", 300),
                ("grumble register, every month", "?month=", None),
                ("grumble register, a month, open", f"?month={month:%Y-%m}&status=open", 300),
            ):
                request = get_ok(client, url + params)
                ms = median_ms(request, runs)
                report.add(
                    Figure(
                        f"{label} ({who})",
                        ms,
                        "ms",
                        target,
                        "< 300 ms" if target else "",
                        note=f"{count_queries(request)} queries; {made['alerts']:,} alerts, "
                        f"{made['cases']:,} turned into cases, {made['grumbles']:,} handled records",
                    )
                )
        rows = 0

        def export():
            nonlocal rows
            table = build_grumbles(store_ids=None, month=month, full_numbers=False)
            rows = sum(1 for _ in table.rows)

        started = time.perf_counter()
        export()
        seconds = time.perf_counter() - started
        report.add(Figure("table 5 (grumbles) of a month, 10 stores", seconds, "s", 5, "< 5 s", note=f"{rows:,} rows"))
