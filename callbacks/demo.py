"""seed_demo step: callback tasks for the demo deliveries/ROs and a believable history (idempotent)."""

import datetime
import random

from django.utils import timezone

from callbacks.choices import CallbackKind, Disposition, TaskState
from callbacks.models import CallbackTask
from callbacks.services import callback_attempt_record, callback_tasks_expire, callback_tasks_generate
from surveys.choices import NO_LABEL, YES_LABEL, QuestionType
from surveys.selectors import template_current_version

_REMARKS = ["", "", "", "服务很好", "希望休息区有充电口", "交车等了很久", "洗车没洗干净", "顾问很耐心"]


def _demo_answers(version, rng: random.Random) -> dict:
    """A believable questionnaire: mostly satisfied, now and then a weak item (and so a hot alert)."""
    answers = {}
    for q in version.questions.all():
        if q.type == QuestionType.SCORE:
            answers[q.code] = rng.choices([10, 9, 8, 7, 6, 4], weights=[30, 30, 20, 10, 5, 5])[0]
        elif q.type == QuestionType.YES_NO:
            good = YES_LABEL if q.negative_answer != YES_LABEL else NO_LABEL
            bad = NO_LABEL if good == YES_LABEL else YES_LABEL
            answers[q.code] = good if rng.random() < 0.93 else bad
        elif q.type == QuestionType.CHOICE:
            answers[q.code] = rng.choices(q.choices, weights=[8] + [1] * (len(q.choices) - 1))[0]
        else:
            answers[q.code] = rng.choice(_REMARKS)
    return answers


# Outcomes of a first call, weighted roughly like a CR department's month.
_FIRST_CALL = (
    [Disposition.SUCCESS] * 5
    + [Disposition.NO_ANSWER] * 4
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
    versions = {kind: template_current_version(kind=kind) for kind in CallbackKind.values}
    for pk, opens in tasks:
        # A per-task generator: the same task is skipped (or called) on every run.
        rng = random.Random(pk)
        if rng.random() < 0.4:
            continue  # left for the agents to call
        at = min(now - datetime.timedelta(minutes=5), opens + datetime.timedelta(hours=rng.randint(9, 30)))
        task = CallbackTask.objects.get(pk=pk)
        disposition = rng.choice(_FIRST_CALL)
        answers = None
        if disposition == Disposition.SUCCESS:
            answers = _demo_answers(versions[task.kind], rng)
        try:
            callback_attempt_record(task=task, user=None, disposition=disposition, at=at, note="", answers=answers)
        except Exception:  # a demo row that breaks a rule is skipped, not fatal
            continue
        made += 1
    callback_tasks_expire(now=now)
    ctx.stdout.write(f"callbacks: {CallbackTask.objects.count()} tasks, {made} new attempts")
