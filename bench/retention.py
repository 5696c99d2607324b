"""SPEC §10.2 reminder generation at the SPEC §12 scale (300,000 customers, 10 stores): one day's run
(target < 10 s), the same day again (target < 2 s: the unique constraints make it a no-op), and a
festival day (a greeting for every customer: 300,000 reminders and SMS), each in a transaction that
is rolled back so the shared scale database keeps no rows."""

from __future__ import annotations

import datetime as dt


def bench_reminder_generation(report, runs: int) -> None:
    from django.utils import timezone

    from bench.run import Figure, rolled_back, timed
    from retention.generation import reminders_generate
    from retention.models import Reminder

    day = timezone.localdate()
    with rolled_back():
        # The day before first (untimed): a first run ever creates every window at once; the figure is
        # a daily run after the previous day's, as the beat runs.
        warm_ms = timed(lambda: reminders_generate(day=day - dt.timedelta(days=1)))
        first: dict = {}
        first_ms = timed(lambda: first.update(reminders_generate(day=day)))
        created = sum(c.created for c in first.values())
        skipped = sum(c.skipped for c in first.values())
        second_ms = timed(lambda: reminders_generate(day=day))
        total = Reminder.objects.count()
    per_kind = ", ".join(f"{kind} {c.created}" for kind, c in first.items() if c.created)
    report.add(
        Figure(
            "reminder generation, one day (10 stores)",
            first_ms / 1000,
            "s",
            10,
            "< 10 s",
            note=f"{day}: created {created} ({per_kind}), skipped {skipped}; {total} rows; "
            f"the day before (first run, every window): {warm_ms / 1000:.1f} s",
        )
    )
    report.add(Figure("reminder generation, same day again", second_ms / 1000, "s", 2, "< 2 s", note="creates nothing"))
    new_year = dt.date(day.year + 1, 1, 1)
    with rolled_back():
        festival: dict = {}
        festival_ms = timed(lambda: festival.update(reminders_generate(day=new_year)))
    report.add(
        Figure(
            "reminder generation, a festival day (元旦)",
            festival_ms / 1000,
            "s",
            note=f"{new_year}: created {sum(c.created for c in festival.values())} (every customer greeted by SMS)",
        )
    )
