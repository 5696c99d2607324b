"""seed_demo step: callback tasks for the demo deliveries/ROs and a year of believable history
(idempotent: only open tasks without any attempt get a history, so running again adds nothing).

What a prospective customer should see (SPEC §9 dashboard, tables 7–8):
- Past windows are finished: about 85 % called successfully with a whole questionnaire (a few of
  them by SMS reply after four failed calls), the rest refused, unreachable after four attempts or
  never called (expired as 未回访 by `callback_tasks_expire`).
- Most customers are satisfied; a few have a problem with one or two items (a negative answer, so
  a hot alert), and each kind has its own weak items, so the weakest questions differ.
- One service advisor of the first store (唐杰) has had noticeably more unhappy customers for the
  last months (late delivery, repair quality): the significance flag shows him, with counts.
- Tasks whose window is open today form the agent's queue: most untouched, some with a failed call
  or an appointment, a wrong number in the data-fix queue, some already done today — these go
  through `callback_attempt_record` itself.

Past history is written in bulk, exactly as `callback_attempt_record` + `surveys.services.
response_record` would have written it (attempts, response and answers with `is_negative` from
`answer_is_negative`, task state/final disposition/overall score/grumble, hot alert with the
reasons of `answer_reason`): calling the service ~5,000 times would take minutes on SQLite.
"""

import datetime
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.utils import timezone

from callbacks.choices import AttemptSource, CallbackKind, Disposition, TaskState
from callbacks.generation import callback_tasks_generate
from callbacks.hot_alerts import AGENT_GRUMBLE_REASON
from callbacks.models import CallAttempt, CallbackTask, HotAlert
from callbacks.services import callback_attempt_record, callback_task_outcome_refresh, callback_tasks_expire
from crm.models import User
from surveys.choices import ResponseSource
from surveys.models import Answer, Response, TemplateVersion
from surveys.selectors import template_current_version
from surveys.services import answer_is_negative, answer_reason

AGENT_USERNAME = "agent"
CR_MANAGER_USERNAME = "crmanager"
# The advisor whose customers have been less happy lately, and since how many months back.
WEAK_STAFF_NAME = "唐杰"
WEAK_SINCE_MONTHS = 4
# Hot alerts of the last days are still open on the alert list (older ones were handled).
OPEN_ALERT_DAYS = 6

# When a customer has a problem, which items it is about (weights per question code): each kind has
# its own weak spots, so the dashboard's weakest questions differ.
PROBLEM_WEIGHTS = {
    CallbackKind.SALES: {"Q1": 3, "Q2": 2, "Q3": 7, "Q4": 3, "Q5": 1, "Q6": 2, "Q7": 2, "Q8": 8, "Q9": 4, "Q10": 1},
    CallbackKind.SERVICE: {"Q2": 2, "Q3": 4, "Q4": 3, "Q5": 5, "Q6": 3, "Q7": 5, "Q8": 9, "Q9": 2, "Q10": 4},
}
WEAK_STAFF_PROBLEMS = {"Q5": 10, "Q10": 7, "Q6": 2}
# Share of successful callbacks with a problem: the store, and the weak advisor lately.
PROBLEM_SHARE = {"LA": 0.05, "HF": 0.06}
WEAK_PROBLEM_SHARE = 0.26
# The overall score (1–10) of a happy customer and of one with a problem, per kind.
HAPPY_OVERALL = {
    CallbackKind.SALES: ([10, 9, 8, 7, 6], [50, 30, 12, 6, 2]),
    CallbackKind.SERVICE: ([10, 9, 8, 7, 6], [40, 30, 17, 10, 3]),
}
PROBLEM_OVERALL = ([9, 8, 7, 6, 5, 4, 3, 2], [4, 10, 14, 16, 20, 16, 12, 8])

HAPPY_REMARKS = ["", "", "", "", "", "服务很好", "顾问很耐心", "希望休息区有充电口", "挺满意的", "下次还来"]
PROBLEM_REMARKS = {
    "Q1": "到店等了很久才有人接待",
    "Q2": "顾问对车型配置不太熟",
    "Q3": "没有安排试驾",
    "Q4": "交车时间一拖再拖",
    "Q5": "交车时油箱几乎是空的",
    "Q6": "问的问题没人答",
    "Q7": "保养注意事项没讲清楚",
    "Q8": "买完车就没人联系过",
    "Q9": "不知道首保找谁",
    "Q10": "结算排队太久",
}
SERVICE_PROBLEM_REMARKS = {
    "Q2": "到店没人接待",
    "Q3": "没有环车检查",
    "Q4": "增加项目没有提前说",
    "Q5": "说好下午四点交车，六点才交",
    "Q6": "收费项目没解释清楚",
    "Q7": "没提醒下次保养",
    "Q8": "旧件没给我看",
    "Q9": "异响查了两次没查出来",
    "Q10": "洗车没洗干净，还等了很久",
}

# Outcome shares of a finished (past) task.
PAST_OUTCOMES = (
    ("success", 0.80),
    ("success_after_retry", 0.06),
    ("sms", 0.035),
    ("refused", 0.035),
    ("unreachable", 0.05),
    ("not_called", 0.02),
)
FAILED_CALLS = [Disposition.NO_ANSWER] * 5 + [
    Disposition.BUSY_LINE,
    Disposition.POWERED_OFF,
    Disposition.CANNOT_CONNECT,
    Disposition.REJECTED_CALL,
]


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


class _Clock:
    """Working-hours times inside a window, never in the future."""

    def __init__(self, now: datetime.datetime):
        self.now = now
        self.tz = ZoneInfo(settings.TIME_ZONE)

    def call_time(self, rng: random.Random, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
        end = min(end, self.now - datetime.timedelta(minutes=5))
        if end <= start:
            return end
        local = start.astimezone(self.tz)
        days = max(0, (end - start).days)
        day = local.date() + datetime.timedelta(days=rng.randint(0, min(days, 2)))
        at = datetime.datetime.combine(day, datetime.time(rng.randint(9, 17), rng.randint(0, 59)), tzinfo=self.tz)
        return min(max(at, start + datetime.timedelta(minutes=1)), end)


class _Survey:
    """Answers for one version, as `response_record` would store them."""

    def __init__(self, version: TemplateVersion):
        self.version = version
        self.questions = list(version.questions.all())
        self.overall = next(q for q in self.questions if q.is_overall)

    def answers(self, rng: random.Random, *, kind: str, problem: dict | None, store_code: str) -> tuple[dict, int]:
        """{question: Answer (unsaved)} and the overall score."""
        if problem is not None:
            overall = rng.choices(*PROBLEM_OVERALL)[0]
            codes = list(problem)
            bad = set(rng.choices(codes, weights=[problem[c] for c in codes], k=rng.choice([1, 1, 1, 2])))
        else:
            overall = rng.choices(*HAPPY_OVERALL[kind])[0]
            bad = set()
        answers = {}
        remarks = PROBLEM_REMARKS if kind == CallbackKind.SALES else SERVICE_PROBLEM_REMARKS
        for q in self.questions:
            if q.is_overall:
                answers[q] = Answer(question=q, score=overall)
            elif q.type == "score":
                score = rng.randint(3, 5) if q.code in bad else rng.choices([10, 9, 8, 7, 6], [40, 30, 18, 9, 3])[0]
                answers[q] = Answer(question=q, score=score)
            elif q.type == "yes_no":
                negative_is_yes = q.negative_answer == "是"
                answers[q] = Answer(question=q, yes=negative_is_yes if q.code in bad else not negative_is_yes)
            elif q.type == "choice":
                if q.code in bad and q.negative_choices:
                    choice = q.negative_choices[0]
                else:
                    fine = [c for c in q.choices if c not in (q.negative_choices or [])]
                    choice = rng.choices(fine, weights=[6] + [1] * (len(fine) - 1))[0]
                answers[q] = Answer(question=q, choice=choice)
            else:
                text = next((remarks[c] for c in sorted(bad) if c in remarks), "") or rng.choice(HAPPY_REMARKS)
                if text:
                    answers[q] = Answer(question=q, text=text)
        for q, a in answers.items():
            a.is_negative = answer_is_negative(q, a.value)
        return answers, overall

    def overall_only(self, score: int) -> dict:
        a = Answer(question=self.overall, score=score)
        a.is_negative = answer_is_negative(self.overall, score)
        return {self.overall: a}


def _task_seed(task: CallbackTask) -> str:
    """A per-task seed from the source document's number, not its database id: ids depend on what
    the database held before (a test run, an earlier demo), numbers do not."""
    source = task.delivery.delivery_no if task.kind == CallbackKind.SALES else task.repair_order.ro_no
    return f"{task.kind}:{source}"


def _staff_name(task: CallbackTask) -> str:
    if task.kind == CallbackKind.SALES:
        return task.delivery.sales_consultant.name if task.delivery and task.delivery.sales_consultant else ""
    ro = task.repair_order
    return ro.service_advisor.name if ro and ro.service_advisor else ""


def _source_day(task: CallbackTask, tz) -> datetime.date:
    if task.kind == CallbackKind.SALES and task.delivery:
        return task.delivery.delivered_on
    if task.repair_order and task.repair_order.delivered_at:
        return task.repair_order.delivered_at.astimezone(tz).date()
    return task.window_opens_at.astimezone(tz).date()


class _Problems:
    """Which successful callbacks have a problem: each person's share stays close to their target
    month by month (a golden-ratio sequence per person and month instead of independent draws), so
    the significance flag shows the one weak advisor and not the luck of the draw."""

    GOLDEN = 0.6180339887498949

    def __init__(self):
        self.seen: dict[tuple, int] = {}

    def draw(self, task: CallbackTask, source_month: int, shift: float, weak: bool) -> dict | None:
        key = (task.store.code, task.kind, _staff_name(task), source_month)
        k = self.seen[key] = self.seen.get(key, 0) + 1
        offset = random.Random(str(key)).random()
        share = WEAK_PROBLEM_SHARE if weak else PROBLEM_SHARE.get(task.store.code, 0.05) + shift
        if (offset + k * self.GOLDEN) % 1 >= share:
            return None
        return WEAK_STAFF_PROBLEMS if weak else PROBLEM_WEIGHTS[task.kind]


class _History:
    """Rows to write in bulk for the past tasks."""

    def __init__(self, agent: User | None):
        self.agent = agent
        self.attempts: list[CallAttempt] = []
        self.responses: list[tuple[CallbackTask, Response, dict, bool]] = []
        self.tasks: list[CallbackTask] = []

    def fail(self, task: CallbackTask, at: datetime.datetime, disposition: str, source=AttemptSource.CALL) -> None:
        self.attempts.append(CallAttempt(task=task, agent=self.agent, at=at, disposition=disposition, source=source))

    def finish(self, task, at, disposition, *, state, source=AttemptSource.CALL) -> None:
        self.attempts.append(CallAttempt(task=task, agent=self.agent, at=at, disposition=disposition, source=source))
        task.state, task.final_disposition, task.completed_at, task.last_activity_at = state, disposition, at, at

    def success(self, task, at, answers: dict, overall: int, *, grumble: bool, sms: bool) -> None:
        disposition = Disposition.SMS_REPLY if sms else Disposition.SUCCESS
        source = AttemptSource.SMS if sms else AttemptSource.CALL
        self.finish(task, at, disposition, state=TaskState.DONE, source=source)
        response = Response(
            version_id=task._survey.version.pk,
            store_id=task.store_id,
            customer_id=task.customer_id,
            answered_at=at,
            source=ResponseSource.SMS if sms else ResponseSource.CALL,
            agent=None if sms else self.agent,
            overall_score=overall,
            has_negative=any(a.is_negative for a in answers.values()),
        )
        task.overall_score = overall
        self.responses.append((task, response, answers, grumble))


def seed_callbacks_demo(ctx) -> None:
    callback_tasks_generate()
    now = timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    clock = _Clock(now)
    agent = User.objects.filter(username=AGENT_USERNAME).first()
    cr_manager = User.objects.filter(username=CR_MANAGER_USERNAME).first()
    surveys = {kind: _Survey(template_current_version(kind=kind)) for kind in CallbackKind.values}
    this_month = _month_index(timezone.localdate())
    tasks = list(
        CallbackTask.objects.filter(state=TaskState.OPEN, attempts__isnull=True, window_opens_at__lt=now)
        .select_related("store", "delivery__sales_consultant", "repair_order__service_advisor")
        .order_by("id")
    )
    history = _History(agent)
    current: list[CallbackTask] = []
    month_shift: dict[tuple, float] = {}
    problems = _Problems()
    for task in tasks:
        if task.window_closes_at >= now:
            current.append(task)
            continue
        # A per-task generator: the same task gets the same history on every database.
        rng = random.Random(_task_seed(task))
        task._survey = surveys[task.kind]
        source_month = _month_index(_source_day(task, tz))
        key = (task.store.code, task.kind, source_month)
        if key not in month_shift:  # month-to-month wiggle of the trends
            month_shift[key] = random.Random(str(key)).uniform(-0.02, 0.02)
        weak = _staff_name(task) == WEAK_STAFF_NAME and source_month >= this_month - WEAK_SINCE_MONTHS
        outcome = rng.choices([o for o, _ in PAST_OUTCOMES], weights=[w for _, w in PAST_OUTCOMES])[0]
        if outcome == "success" and rng.random() < max(0.0, month_shift[key]) * 4:
            outcome = "unreachable"  # a month with a busier line
        start, end = task.window_opens_at, task.window_closes_at
        at = clock.call_time(rng, start, end)
        if outcome in ("success", "success_after_retry"):
            for _ in range(rng.randint(1, 2) if outcome == "success_after_retry" else 0):
                history.fail(task, at, rng.choice(FAILED_CALLS))
                task.failed_attempts += 1
                at = min(at + datetime.timedelta(hours=rng.randint(2, 26)), end - datetime.timedelta(minutes=1))
            answers, overall = task._survey.answers(
                rng,
                kind=task.kind,
                problem=problems.draw(task, source_month, month_shift[key] / 2, weak),
                store_code=task.store.code,
            )
            history.success(task, at, answers, overall, grumble=rng.random() < 0.01, sms=False)
        elif outcome == "refused":
            history.finish(task, at, Disposition.REFUSED_SURVEY, state=TaskState.CLOSED_UNSUCCESSFUL)
        elif outcome in ("sms", "unreachable"):
            for _ in range(4):
                history.fail(task, at, rng.choice(FAILED_CALLS))
                task.failed_attempts += 1
                task.last_activity_at = at
                at = min(at + datetime.timedelta(hours=rng.randint(2, 20)), end - datetime.timedelta(minutes=1))
            # The SMS survey goes out after the fourth failed call; a few customers reply.
            task.sms_survey_sent_at = task.last_activity_at + datetime.timedelta(minutes=1)
            if outcome == "sms":
                reply = task.sms_survey_sent_at + datetime.timedelta(minutes=rng.randint(5, 600))
                score = rng.choices([10, 9, 8, 7, 6, 5, 3], [40, 25, 15, 8, 5, 4, 3])[0]
                history.success(task, min(reply, end), task._survey.overall_only(score), score, grumble=False, sms=True)
        # not_called: left for callback_tasks_expire (未回访)
    _write_history(history, now=now, cr_manager=cr_manager)
    made = len(history.attempts) + _call_current(
        current, surveys, agent=agent, now=now, clock=clock, problems=problems, month=this_month
    )
    callback_tasks_expire(now=now)
    ctx.stdout.write(f"callbacks: {CallbackTask.objects.count()} tasks, {made} new attempts")


def _write_history(history: _History, *, now, cr_manager) -> None:
    if not history.attempts:
        return
    _insert_many(CallAttempt, history.attempts)
    responses = [r for _, r, _, _ in history.responses]
    Response.objects.bulk_create(responses, batch_size=500)
    answers, alerts = [], []
    for task, response, task_answers, grumble in history.responses:
        reasons = []
        for question, answer in task_answers.items():
            answer.response = response
            answers.append(answer)
            if answer.is_negative:
                reasons.append(answer_reason(question, answer))
        if grumble:
            reasons.insert(0, AGENT_GRUMBLE_REASON)
        task.response = response
        task.has_grumble = bool(reasons)
        if reasons:
            alert = HotAlert(task=task, raised_at=task.completed_at, reasons=reasons)
            if now - task.completed_at > datetime.timedelta(days=OPEN_ALERT_DAYS):
                alert.closed_at = task.completed_at + datetime.timedelta(hours=20)
                alert.closed_by = cr_manager
                alert.close_note = "已致电客户致歉并安排跟进，客户表示理解"
            alerts.append(alert)
    _insert_many(Answer, answers)
    HotAlert.objects.bulk_create(alerts, batch_size=500)
    # The first response freezes its version (response_record's rule).
    for version_id, first in (
        Response.objects.filter(pk__in=[r.pk for r in responses])
        .values_list("version_id")
        .annotate(first=Min("answered_at"))
        .order_by()
    ):
        TemplateVersion.objects.filter(pk=version_id, frozen_at__isnull=True).update(frozen_at=first)
    # One UPDATE per task through executemany: bulk_update's CASE WHEN over thousands of rows is
    # slow to build and to run on SQLite.
    fields = [
        "state",
        "final_disposition",
        "completed_at",
        "last_activity_at",
        "failed_attempts",
        "sms_survey_sent_at",
        "response",
        "overall_score",
        "has_grumble",
    ]
    touched = {a.task.pk: a.task for a in history.attempts}.values()
    meta = CallbackTask._meta
    columns = [meta.get_field(f) for f in fields]
    ops = connection.ops
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        ops.quote_name(meta.db_table),
        ", ".join(f"{ops.quote_name(c.column)} = %s" for c in columns),
        ops.quote_name(meta.pk.column),
    )
    rows = [[c.get_db_prep_save(getattr(task, c.attname), connection) for c in columns] + [task.pk] for task in touched]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    # What the reports count them by, as the services store it after every outcome.
    callback_task_outcome_refresh(task_ids=[task.pk for task in touched])


def _insert_many(model, objs: list) -> None:
    """INSERT rows whose ids nobody needs with one executemany: bulk_create's per-value Python
    work dominates the demo's run time for tens of thousands of answers."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for obj in objs:
        for f in fields:
            if getattr(f, "auto_now_add", False) and getattr(obj, f.attname) is None:
                setattr(obj, f.attname, timezone.now())
    ops = connection.ops
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        ops.quote_name(model._meta.db_table),
        ", ".join(ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    rows = [[f.get_db_prep_save(f.pre_save(obj, add=False), connection) for f in fields] for obj in objs]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _call_current(tasks, surveys, *, agent, now, clock: _Clock, problems: _Problems, month: int) -> int:
    """Today's queue, through the real service: most untouched, some called already."""
    made = 0
    for task in tasks:
        rng = random.Random(_task_seed(task))
        roll = rng.random()
        if roll < 0.5:
            continue  # for the agent to call
        at = clock.call_time(rng, task.window_opens_at, now)
        if at <= task.window_opens_at:
            continue
        try:
            if roll < 0.68:
                callback_attempt_record(task=task, user=agent, disposition=rng.choice(FAILED_CALLS), at=at)
            elif roll < 0.72:
                callback_attempt_record(
                    task=task,
                    user=agent,
                    disposition=Disposition.BUSY_APPOINTMENT,
                    appointment_at=now + datetime.timedelta(hours=rng.randint(1, 30)),
                    at=at,
                )
            elif roll < 0.735:
                callback_attempt_record(task=task, user=agent, disposition=Disposition.EMPTY_NUMBER, at=at)
            else:
                weak = _staff_name(task) == WEAK_STAFF_NAME
                problem = problems.draw(task, month, 0.0, weak)
                answers, _ = surveys[task.kind].answers(
                    rng, kind=task.kind, problem=problem, store_code=task.store.code
                )
                callback_attempt_record(
                    task=task,
                    user=agent,
                    disposition=Disposition.SUCCESS,
                    answers={q.code: a.value for q, a in answers.items()},
                    at=at,
                )
        except Exception:  # a demo row that breaks a rule is skipped, not fatal
            continue
        made += 1
    return made
