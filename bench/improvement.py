"""SPEC §10.5 at SPEC §12 scale (600,000 survey responses): the EQC evaluation of 50 actions — the
baseline and +1/+2/+3 three-month cumulative results of each — must take under 1 s. Also measured:
the action list page (50 actions, server time) and the weekly file-audit sample of the 10 stores.

Everything runs in a transaction that is rolled back: the shared scale database keeps no rows.
"""

from __future__ import annotations

import datetime as dt


def bench_improvement(report, runs: int) -> None:
    from django.urls import reverse
    from django.utils import timezone

    from bench.run import Figure, client_for, count_queries, get_ok, median_ms, rolled_back, timed
    from crm.models import Store, User
    from crm.periods import add_months
    from improvement import audits, services
    from improvement.eqc import eqc_evaluate
    from improvement.models import EqcAction

    today = timezone.localdate()
    current = today.replace(day=1)
    # Weak items of both questionnaires: score, yes/no and choice questions.
    items = [("service", "Q9"), ("service", "Q4"), ("service", "Q8"), ("sales", "Q3"), ("sales", "Q2")]
    with rolled_back():
        stores = list(Store.objects.filter(is_active=True).order_by("code")[:10])
        chair = User.objects.order_by("id").first()
        for index, store in enumerate(stores):
            # Decision months from 9 months back (verdict given) to this month (results running).
            held_on = add_months(current, -(index % 10)) + dt.timedelta(days=9)
            meeting = services.meeting_create(store=store, user=chair, held_on=held_on, attendees="bench")
            for kind, code in items:
                services.eqc_action_create(
                    meeting=meeting,
                    kind=kind,
                    code=code,
                    cause_analysis="bench",
                    measure="bench",
                    owner="bench",
                    due_on=held_on + dt.timedelta(days=30),
                )
        actions = list(EqcAction.objects.filter(store__in=stores).order_by("id"))

        def evaluate():
            return eqc_evaluate(actions, today=today)

        months = {a.decision_month for a in actions}
        report.add(
            Figure(
                f"EQC evaluation of {len(actions)} actions",
                median_ms(evaluate, runs),
                "ms",
                1000,
                "< 1 s",
                note=f"{count_queries(evaluate)} queries; {len(stores)} stores, M0 over {len(months)} months, "
                "baseline and +1..+3 each",
            )
        )
        client = client_for("group_gm")
        page = get_ok(client, f"{reverse('improvement:action_list')}")
        report.add(
            Figure(
                "EQC action list page (server), 30 of 50 actions",
                median_ms(page, runs),
                "ms",
                1000,
                "< 1 s",
                note=f"{count_queries(page)} queries; group GM",
            )
        )
        week = audits.audit_week_for(today)
        sample_ms = timed(lambda: audits.file_audits_sample_week(week=week))
        report.add(
            Figure(
                "weekly file-audit sample, 10 stores (beat)",
                sample_ms,
                "ms",
                None,
                "",
                note=f"week of {week:%Y-%m-%d}; 10 deliveries + 10 ROs per store",
            )
        )
