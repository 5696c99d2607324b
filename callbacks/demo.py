"""seed_demo step: callback tasks for the demo deliveries/ROs and a believable history (idempotent)."""

import datetime
import random

from django.utils import timezone

from callbacks.choices import Disposition, TaskState
from callbacks.models import CallbackTask
from callbacks.services import callback_attempt_record, callback_tasks_expire, callback_tasks_generate

# Outcomes of a first call, weighted roughly like a CR department's month.
_FIRST_CALL = (
    [Disposition.NO_ANSWER] * 4
    + [Disposition.BUSY_LINE, Disposition.POWERED_OFF]
    + [
        Disposition.REFUSED_SURVEY,
        Disposition.EMPTY_NUMBER,
    ]
)


def seed_callbacks_demo(ctx) -> None:
    callback_tasks_generate()
    now = timezone.now()
    # Only tasks without attempts get a history, so running again adds nothing.
    tasks = list(
        CallbackTask.objects.filter(state=TaskState.OPEN, attempts__isnull=True, window_opens_at__lt=now)
        .order_by("id")
        .values_list("id", "window_opens_at")[:400]
    )
    made = 0
    for pk, opens in tasks:
        # A per-task generator: the same task is skipped (or called) on every run.
        rng = random.Random(pk)
        if rng.random() < 0.4:
            continue  # left for the agents to call
        at = min(now - datetime.timedelta(minutes=5), opens + datetime.timedelta(hours=rng.randint(9, 30)))
        task = CallbackTask(pk=pk)
        disposition = rng.choice(_FIRST_CALL)
        try:
            callback_attempt_record(task=task, user=None, disposition=disposition, at=at, note="")
        except Exception:  # a demo row that breaks a rule is skipped, not fatal
            continue
        made += 1
    callback_tasks_expire(now=now)
    ctx.stdout.write(f"callbacks: {CallbackTask.objects.count()} tasks, {made} new attempts")
