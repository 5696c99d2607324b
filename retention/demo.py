"""seed_demo step: reminders for the demo's days (generation over the last weeks, as the daily beat
would have run), a few reminder calls worked with results. Idempotent: generation inserts nothing
twice, and calls are only worked on tasks still open."""

import datetime as dt

from django.utils import timezone

from callbacks.demo import AGENT_USERNAME
from crm.demo import DemoContext, demo_clock
from crm.models import User
from retention.choices import OutreachResult, OutreachState
from retention.generation import reminders_generate
from retention.models import OutreachAttempt, OutreachTask
from retention.services import outreach_attempt_record

DAYS_BACK = 21


def seed_retention_demo(ctx: DemoContext) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    agent = User.objects.filter(username=AGENT_USERNAME).first()
    created = 0
    for offset in range(DAYS_BACK, -1, -1):
        day = today - dt.timedelta(days=offset)
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
    ).order_by("id")[:24]
    for i, task in enumerate(open_tasks):
        result = results[i % len(results)]
        at = max(task.window_opens_at + dt.timedelta(hours=10), now - dt.timedelta(days=2))
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
    ctx.stdout.write(f"retention: {created} reminders, {worked} reminder calls worked")
