"""SPEC §12's GM dashboard figures (issue 5: server time under 500 ms), measured in the state a
deployed system is in — beat has stored the figures — with what that state costs, separately:

- the dashboard of the group's general manager (10 stores) and a staff drill-down, figures stored;
- one run of each beat refresh: the nightly one (`HISTORY_MONTHS` × 10 stores, from an empty table) and
  the quarter-hourly one (current and previous month);
- a first visit of a store-month nobody computed (one store's month), and of a month outside the
  stored history for all 10 stores (twelve months each), computed on the spot.

Everything runs in one transaction that is rolled back: the shared scale database keeps no rows.
"""

from __future__ import annotations

import statistics


def bench_dashboard(report, runs: int) -> None:
    from django.urls import reverse

    from bench.run import Figure, client_for, count_queries, get_ok, median_ms, rolled_back, timed
    from crm.models import Staff, Store
    from crm.periods import add_months
    from reports.dashboard import figures
    from reports.dashboard.board import default_month
    from reports.models import StoreMonthFigures

    client = client_for("group_gm")
    url = reverse("reports:dashboard")
    month = default_month()
    with rolled_back():
        # The scale data has no reminders or win-back entries: a year of them first, so that every
        # figure below (stored reads, refreshes, first visits) includes the 客户维系 counts.
        retention_rows = _fill_retention_year(month)
        nightly_ms = timed(figures.figures_refresh_history)
        recent_ms = timed(figures.figures_refresh_recent)
        rows = StoreMonthFigures.objects.count()

        page = get_ok(client, url)
        report.add(
            Figure(
                "GM dashboard (server), figures stored by beat",
                median_ms(page, runs),
                "ms",
                500,
                "< 500 ms",
                note=f"{count_queries(page)} queries; group GM, 10 stores, {month:%Y-%m}; with {retention_rows}",
            )
        )
        advisor = Staff.objects.filter(role="sa", store__is_active=True).order_by("id").first()
        staff_page = get_ok(client, f"{reverse('reports:dashboard_staff', args=[advisor.pk])}?month={month:%Y-%m}")
        report.add(
            Figure(
                "GM dashboard staff drill-down (server)",
                median_ms(staff_page, runs),
                "ms",
                500,
                "< 500 ms",
                note=f"{count_queries(staff_page)} queries; one service advisor's month, stored store figures",
            )
        )
        report.add(
            Figure(
                "dashboard refresh, every 15 min (beat)",
                recent_ms,
                "ms",
                note="current and previous month × 10 stores, history present",
            )
        )
        report.add(
            Figure(
                "dashboard refresh, nightly (beat)",
                nightly_ms,
                "ms",
                note=f"{figures.HISTORY_MONTHS} months × 10 stores from an empty table: {rows} rows",
            )
        )

        store = Store.objects.filter(is_active=True).order_by("code").first()
        one_store = get_ok(client, f"{url}?month={month:%Y-%m}&store={store.pk}")

        def forget_one() -> None:
            StoreMonthFigures.objects.filter(store=store, month=month).delete()

        one_ms, one_queries = _first_visits(one_store, forget_one, runs)
        report.add(
            Figure(
                "GM dashboard, first visit of a store-month never computed",
                one_ms,
                "ms",
                500,
                "< 500 ms",
                note=f"{one_queries} queries; {store.code} {month:%Y-%m} computed on the spot and stored",
            )
        )

        old = add_months(month, -24)  # its trend lies wholly before the stored history
        old_month = get_ok(client, f"{url}?month={old:%Y-%m}")

        def forget_old() -> None:
            StoreMonthFigures.objects.filter(month__lte=old).delete()

        old_ms, old_queries = _first_visits(old_month, forget_old, min(runs, 3))
        report.add(
            Figure(
                "GM dashboard, first visit of a month outside the history",
                old_ms,
                "ms",
                note=f"{old_queries} queries; {old:%Y-%m}, 10 stores × 12 months computed on the spot",
            )
        )


def _first_visits(request, forget, runs: int) -> tuple[float, int]:
    """The median time of `request` right after `forget` removed the stored rows it reads (the
    removal is not timed), and its query count."""
    from bench.run import count_queries, timed

    times = []
    for _ in range(runs):
        forget()
        times.append(timed(request))
    forget()
    return statistics.median(times), count_queries(request)


def _fill_retention_year(month) -> str:
    """A year of retention rows up to `month` for the 客户维系 section (the scale data has none): six
    reminders per customer spread over the twelve months (10 % skipped, 30 % returned) and a win-back
    entry for 5 % of the customers each month. Inside the caller's rolled-back transaction."""
    from django.db import connection

    from crm.periods import add_months

    first = add_months(month, -11)
    days = (add_months(month, 1) - first).days
    kinds = ["first_service", "periodic_service", "warranty_end", "insurance", "birthday", "festival"]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO retention_reminder
              (store_id, customer_id, kind, send_on, due_on, festival, channel, status, skip_reason,
               returned_on, created_at)
            SELECT c.store_id, c.id, (%(kinds)s::text[])[g + 1],
                   %(first)s::date + ((c.id * 7 + g * 61) %% %(days)s)::int,
                   %(first)s::date + ((c.id * 7 + g * 61) %% %(days)s)::int + 14,
                   '', 'sms', CASE WHEN (c.id + g) %% 10 = 0 THEN 'skipped' ELSE 'dispatched' END, '',
                   CASE WHEN g < 3 AND (c.id + g) %% 10 BETWEEN 1 AND 3
                        THEN %(first)s::date + ((c.id * 7 + g * 61) %% %(days)s)::int + 5 END,
                   now()
            FROM crm_customer c CROSS JOIN generate_series(0, 5) g
            """,
            {"kinds": kinds, "first": first, "days": days},
        )
        reminders = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO winback_winbackentry (store_id, customer_id, month, lost_on, last_visit_on, recovered_on,
                                              created_at)
            SELECT c.store_id, c.id, m.month, m.month, m.month - 400,
                   CASE WHEN c.id %% 3 = 0 THEN m.month + 20 END, now()
            FROM crm_customer c
            CROSS JOIN (SELECT (%(first)s::date + make_interval(months => i))::date AS month
                        FROM generate_series(0, 11) i) m
            WHERE (c.id + extract(month FROM m.month)::int) %% 20 = 0
            """,
            {"first": first},
        )
        entries = cursor.rowcount
        cursor.execute("ANALYZE retention_reminder; ANALYZE winback_winbackentry")
    return f"{reminders:,} reminders, {entries:,} win-back entries"
