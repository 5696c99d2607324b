"""seed_demo step: reminders for the demo's days (generation over the last weeks, as the daily beat
would have run), a few reminder calls worked with results. Idempotent: generation inserts nothing
twice, and calls are only worked on tasks still open."""

import datetime as dt

from django.utils import timezone

from crm.models import User
from demo.callbacks import AGENT_USERNAME
from demo.context import DemoContext, demo_clock
from retention.choices import OutreachResult, OutreachState
from retention.generation import reminders_generate
from retention.models import OutreachAttempt, OutreachTask
from retention.outcomes import reminders_mark_returned
from retention.services import outreach_attempt_record

DAYS_BACK = 21  # the daily runs of the last three weeks
YEAR_BACK_WEEKS = 52  # before them, one run a week back to a year ago
CALLS_WORKED = 400


def demo_run_days(today: dt.date) -> list[dt.date]:
    """The days the demo runs generation on, oldest first: every day of the last three weeks, and one
    day a week back to a year ago — a year of reminders without 365 runs. A weekly run catches every
    kind whose window (lead) is a week or more; of the greetings (lead 0) only those falling on its
    day (festival greetings to every customer of a store would bury the SMS log)."""
    days = {today - dt.timedelta(days=offset) for offset in range(DAYS_BACK + 1)}
    days |= {today - dt.timedelta(weeks=week) for week in range(DAYS_BACK // 7, YEAR_BACK_WEEKS + 1)}
    return sorted(days)


def seed_retention_demo(ctx: DemoContext) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    agent = User.objects.filter(username=AGENT_USERNAME).first()
    created = 0
    for day in demo_run_days(today):
        at = dt.datetime.combine(day, dt.time(6, 30), timezone.get_current_timezone())
        with demo_clock(at):
            totals = reminders_generate(day=day, now=at)
        created += sum(c.created for c in totals.values())
    if OutreachAttempt.objects.filter(task__key__startswith="reminder:").exists():
        ctx.stdout.write(f"retention: {created} reminders (calls worked before)")
        return
    results = [OutreachResult.BOOKED, OutreachResult.REMINDED, OutreachResult.UNREACHABLE, OutreachResult.REFUSED]
    worked = 0
    open_tasks = OutreachTask.objects.filter(
        state=OutreachState.OPEN, key__startswith="reminder:", window_opens_at__lt=now - dt.timedelta(days=3)
    ).order_by("id")[:CALLS_WORKED]
    for i, task in enumerate(open_tasks):
        result = results[i % len(results)]
        # Called on the second day of its window (the calls of the last days a day or two ago).
        at = min(task.window_opens_at + dt.timedelta(days=1, hours=10), now - dt.timedelta(days=2))
        with demo_clock(at):
            outreach_attempt_record(
                task=task,
                user=agent,
                result=result,
                booked_on=(at + dt.timedelta(days=3)).date() if result == OutreachResult.BOOKED else None,
                note="",
                at=at,
            )
        worked += 1
    # The demo's ROs were not imported, so the import's post-step never marked the returned reminders.
    returned = reminders_mark_returned()
    ctx.stdout.write(f"retention: {created} reminders, {worked} reminder calls worked, {returned} returned")
