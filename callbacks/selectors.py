"""Callback reads: the queue, its counts, and the agent daily report (reused by monthly reports)."""

import datetime

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Count, DateTimeField, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.utils import timezone, translation

from callbacks.agent_day_figures import agent_day_figures
from callbacks.choices import DISPOSITION_RULES, Bucket, CallbackKind, TaskState, dispositions_in_bucket
from callbacks.figures import UNSUCCESSFUL_BUCKETS, disposition_in_bucket
from callbacks.models import CallAttempt, CallbackTask, DataFixRecord, HotAlert
from callbacks.services import QUEUE_STEP_ORDER, QUEUE_STEPS, callback_queue_filter
from complaints.choices import Channel
from complaints.selectors import cases_for_user
from crm.choices import Role
from crm.models import Delivery, RepairOrder, User
from crm.scoping import get_scoped_or_404, scope_for_user, user_store_ids
from surveys.models import Question, TemplateVersion
from surveys.selectors import answers_by_response, call_scripts, template_current_version
from surveys.services import answer_verbatim, script_render

ABOUT_TO_EXPIRE = datetime.timedelta(hours=24)


def _local_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tz)
    return start, start + datetime.timedelta(days=1)


QUEUE_PAGE_SIZE = 100


# The queue's dates as text in local time: PostgreSQL's to_char pattern, and the same in strftime
# for SQLite (the `make run` demo), which has neither timezone() nor to_char().
QUEUE_DATES = {
    "appointment": ("appointment_at", "MM-DD HH24:MI", "%m-%d %H:%M"),
    "closes": ("window_closes_at", "MM-DD", "%m-%d"),
}


def _local_text(field: str, pattern: str) -> Func | F:
    """`field` (a timestamptz) as text in the current time zone, formatted by PostgreSQL's
    `to_char(…, pattern)`: a list page then prints strings instead of running Django's `date`
    filter (locale machinery, ~0.1 ms a call) on every row. Elsewhere the datetime itself, which
    `_local_text_in_python` formats."""
    if connection.vendor != "postgresql":
        return F(field)
    local = Func(
        Value(timezone.get_current_timezone_name()), F(field), function="timezone", output_field=DateTimeField()
    )
    return Func(local, Value(pattern), function="to_char", output_field=CharField())


def _local_text_in_python(rows: list[dict[str, object]]) -> None:
    if connection.vendor == "postgresql":
        return
    for row in rows:
        for key, (_field, _pattern, strftime) in QUEUE_DATES.items():
            if row[key] is not None:
                row[key] = timezone.localtime(row[key]).strftime(strftime)


def _queue_rows(tasks: QuerySet[CallbackTask]):
    """What the queue page shows of each task, ready to print."""
    return tasks.values(
        "id",
        "kind",
        "failed_attempts",
        customer_name=F("customer__name"),
        vehicle_label=Coalesce(NullIf("vehicle__plate", Value("")), "vehicle__vin"),
        vehicle_series=F("vehicle__series"),
        **{key: _local_text(field, pattern) for key, (field, pattern, _strftime) in QUEUE_DATES.items()},
        # NULL (anyone) when the task is assigned to no one: the user join is a LEFT JOIN.
        assignee=Coalesce(NullIf("assigned_to__display_name", Value("")), "assigned_to__username"),
    )


def callback_queue(
    *,
    user: User,
    now: datetime.datetime | None = None,
    limit: int = QUEUE_PAGE_SIZE,
    kind: str | None = None,
    expiring: bool = False,
    my_appointments: bool = False,
) -> list[dict[str, object]]:
    """The first `limit` tasks `user` may call now, in the SPEC §6 order (due appointments, then
    window closing soonest, then oldest), read step by step as `callback_task_claim_next` does
    (see QUEUE_STEPS): one query per step, the second only when the first leaves room.

    Filters of the queue page: `kind` (sales / service), `expiring` (the window closes within 24 h,
    as the header's count), `my_appointments` (the open tasks the user made an appointment for and
    holds, due or later today and after — by appointment time; one query).

    Each task is a row of what the queue page shows, ready to print (issue 17: the page renders
    ~100 rows a view, and model instances, per-row `date` filters, translations and lookups on
    objects cost ~0.35 ms a row — most of the page's CPU): `id`, `kind`, `kind_label`,
    `customer_name`, `vehicle_label` (plate, else VIN), `vehicle_series`, `appointment`
    ("MM-DD HH:MI", local time, or None), `closes` (the window's last day, "MM-DD"),
    `failed_attempts` and `assignee` (name, else username; None: anyone)."""
    now = now or timezone.now()
    if my_appointments:
        tasks = scope_for_user(CallbackTask.objects.all(), user).filter(
            state=TaskState.OPEN, assigned_to=user, appointment_at__isnull=False, window_closes_at__gte=now
        )
    else:
        tasks = CallbackTask.objects.filter(callback_queue_filter(user=user, now=now))
    if kind:
        tasks = tasks.filter(kind=kind)
    if expiring:
        tasks = tasks.filter(window_closes_at__lt=now + ABOUT_TO_EXPIRE)
    callable_now = _queue_rows(tasks)
    if my_appointments:
        rows = list(callable_now.order_by("appointment_at", "id")[:limit])
    else:
        rows = []
        for step in QUEUE_STEPS:
            if len(rows) < limit:
                rows += callable_now.filter(step).order_by(*QUEUE_STEP_ORDER)[: limit - len(rows)]
    _local_text_in_python(rows)
    # Translated once per request, not once per row (get_kind_display).
    kind_labels = {value: str(label) for value, label in CallbackKind.choices}
    for row in rows:
        row["kind_label"] = kind_labels[row["kind"]]
        row["url"] = None  # the page's callback link (outreach rows carry their own; a missing key costs a lookup)
    return rows


def callback_queue_counts(*, user: User, now: datetime.datetime | None = None) -> dict[str, int]:
    """Counts for the queue header: due today, done today, appointments, about to expire.

    Only the rows that can count are read, in two queries: the open tasks in their window from the
    open-queue index alone (it includes every column these counts read: an index-only scan), and
    the tasks completed today (the store/state/completed index) with "done by me" as an EXISTS on
    the attempts. One query with both as an OR had to visit each open task's heap page (a bitmap
    heap scan, 40–60 ms at scale); aggregating every task of the stores joined to all their
    attempts took 1.5–2.6 s on the scale data (110,000 tasks a store)."""
    now = now or timezone.now()
    start, end = _local_day_bounds(timezone.localdate(now))
    tasks = scope_for_user(CallbackTask.objects.all(), user)
    mine = Q(assigned_to__isnull=True) | Q(assigned_to=user)
    # COUNT(id), not COUNT(*): id is a key column of the open-queue index, so the scan stays index-only.
    counts = (
        tasks.filter(state=TaskState.OPEN, window_opens_at__lte=now, window_closes_at__gte=now)
        .filter(mine)
        .aggregate(
            due_today=Count("id"),
            appointments=Count("id", filter=Q(appointment_at__isnull=False)),
            about_to_expire=Count("id", filter=Q(window_closes_at__lt=now + ABOUT_TO_EXPIRE)),
        )
    )
    finished = [state for state in TaskState.values if state != TaskState.OPEN]
    mine_today = CallAttempt.objects.filter(task=OuterRef("pk"), agent=user, at__gte=start)
    counts["done_today"] = tasks.filter(
        Exists(mine_today), state__in=finished, completed_at__gte=start, completed_at__lt=end
    ).count()
    return counts


def callback_tasks_for_manager(*, user: User, now: datetime.datetime | None = None) -> QuerySet[CallbackTask]:
    """Every open task of the manager's stores (all agents), soonest closing first."""
    now = now or timezone.now()
    return (
        scope_for_user(CallbackTask.objects.all(), user)
        .filter(state=TaskState.OPEN, window_closes_at__gte=now)
        .select_related("customer", "vehicle", "assigned_to", "claimed_by", "store")
        .order_by("window_closes_at", "id")
    )


def callback_task_for_call(*, user: User, pk: int) -> CallbackTask:
    """The call page's task with everything it shows (404 outside the user's stores)."""
    task = get_scoped_or_404(
        CallbackTask.objects.select_related("customer", "vehicle", "store", "hot_alert__closed_by"), user, pk=pk
    )
    # The source event and its staff member come in a second, two-table query: one query joining all
    # eleven tables cost PostgreSQL ~10 ms of planning on every call page (issue 17: CPU per request),
    # ten times what the two small queries cost together.
    if task.kind == CallbackKind.SALES:
        task.delivery = Delivery.objects.select_related("sales_consultant").get(pk=task.delivery_id)
    else:
        task.repair_order = RepairOrder.objects.select_related("service_advisor").get(pk=task.repair_order_id)
    return task


def callback_tasks_visible(*, user: User) -> QuerySet[CallbackTask]:
    """Every callback task of the user's stores."""
    return scope_for_user(CallbackTask.objects.all(), user)


def callback_task_hot_alert(*, task: CallbackTask) -> HotAlert | None:
    """The task's hot alert, or None (read from the `select_related` of `callback_task_for_call`)."""
    try:
        return task.hot_alert
    except HotAlert.DoesNotExist:
        return None


def callback_task_attempts(*, task: CallbackTask) -> list[CallAttempt]:
    """Every attempt on this task, newest first, with who made it (one query)."""
    return list(task.attempts.select_related("agent").order_by("-at", "-id"))


def callback_task_answers(*, task: CallbackTask) -> list:
    """The task's own questionnaire answers in question order ([] before a success; one query)."""

    return answers_by_response([task.response_id]).get(task.response_id, []) if task.response_id else []


def complaint_prefill(*, task: CallbackTask, alert: HotAlert | None = None, answers: list = ()) -> dict[str, object]:
    """The GET parameters of complaint intake (`complaints.intake.intake_initial`) for a complaint
    raised from a call: customer, vehicle, channel 回访发现, the task, the hot alert, and as content
    what the call recorded — the alert's reasons and the customer's own words (text answers), each
    once (an alert raised before its reasons carried the words lacks them)."""

    lines = list(alert.reasons) if alert is not None else []
    # In the default language, as the alert stored its reasons (callbacks.services._task_done).
    with translation.override(settings.LANGUAGE_CODE):
        for line in map(answer_verbatim, answers):
            if line and line not in lines:
                lines.append(line)
    params: dict[str, object] = {
        "customer": task.customer_id,
        "vehicle": task.vehicle_id,
        "channel": Channel.CALLBACK.value,
        "task": task.pk,
        "content": "\n".join(lines),
    }
    if alert is not None:
        params["hot_alert"] = alert.pk
    return params


def callback_history(*, customer_id: int, exclude_task_id: int | None = None) -> QuerySet[CallAttempt]:
    return (
        CallAttempt.objects.filter(task__customer_id=customer_id)
        .exclude(task_id=exclude_task_id)
        .select_related("agent", "task")
        .order_by("-at")[:20]
    )


def callback_history_with_answers(*, customer_id: int, exclude_task_id: int | None = None) -> list[CallAttempt]:
    """The customer's earlier attempts; a success carries its task's answers as `.answers` (two
    queries whatever the number of attempts)."""

    attempts = list(callback_history(customer_id=customer_id, exclude_task_id=exclude_task_id))
    success = set(dispositions_in_bucket(Bucket.SUCCESS))
    answers = answers_by_response({a.task.response_id for a in attempts if a.disposition in success})
    for a in attempts:
        a.answers = answers.get(a.task.response_id, []) if a.disposition in success else []
    return attempts


def customer_complaints(*, user: User, customer_id: int, limit: int = 10) -> list:
    """The customer's complaint cases the user may see, newest first (read-only from complaints)."""

    qs = (
        cases_for_user(user=user)
        .filter(customer_id=customer_id)
        .only("pk", "case_no", "received_at", "state", "category", "level", "content", "hot_alert_id", "source_task_id")
    )
    return list(qs.order_by("-received_at")[:limit])


def call_questionnaire(*, task: CallbackTask, version_id: int | None = None):
    """The questionnaire version the call page asks: the one posted back (the version the agent
    saw, if it is of the task's kind), else the current version of the task's kind."""

    if version_id is not None:  # parsed by the view (crm.params.id_param)
        version = (
            TemplateVersion.objects.filter(pk=version_id, template__kind=task.kind)
            .select_related("template")
            .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order", "id")))
            .first()
        )
        if version is not None:
            return version
    return template_current_version(kind=task.kind)


def call_page_scripts(*, task: CallbackTask, agent: User) -> dict[str, list[dict]]:
    """The task's scripts with the customer's name filled in, split by where the call page shows
    them: codes starting "opening" above the questionnaire, "closing" after it, the rest (can't
    hear, wrong number, complaint …) in the side panel."""

    out: dict[str, list[dict]] = {"opening": [], "closing": [], "other": []}
    for script in call_scripts(kind=task.kind):
        place = next((p for p in ("opening", "closing") if script.code.startswith(p)), "other")
        out[place].append(
            {
                "code": script.code,
                "title": script.title,
                "text": script_render(script, task.customer, store=task.store, agent=agent),
                "do_not_say": script.do_not_say,
            }
        )
    return out


def data_fix_queue(*, user: User) -> QuerySet[DataFixRecord]:
    return (
        scope_for_user(DataFixRecord.objects.all(), user, store_field="task__store")
        .filter(fixed_at__isnull=True)
        .select_related("customer", "task", "reported_by")
        .order_by("reported_at")
    )


def hot_alerts(*, user: User, open_only: bool = True) -> QuerySet[HotAlert]:
    qs = scope_for_user(HotAlert.objects.all(), user, store_field="task__store").select_related(
        "task__customer", "task__vehicle", "closed_by"
    )
    return qs.filter(closed_at__isnull=True) if open_only else qs


def agent_daily_report(
    *,
    user: User | None = None,
    date_from: datetime.date,
    date_to: datetime.date,
    agent_id: int | None = None,
    store_ids: list[int] | None = None,
) -> list[dict]:
    """Per agent and local day: attempts, successes, unsuccessful by bucket, SMS sent, tasks due,
    and the figures other apps register (callbacks.agent_day_figures: the talk time).

    Scoped to `user`'s stores, or (for the monthly reports, which have no user) to `store_ids`
    (None: every store). Aggregated in the database (one query for attempts, one per registered
    figure, one for the names of agents who only have a figure): a constant number of queries.
    Rows are dicts with keys agent_id, agent_name, day, attempts, success, reschedule, refused,
    no_answer, unreachable, wrong_number, sms_sent, tasks_worked, unsuccessful, and each figure's key.
    """
    start, _ = _local_day_bounds(date_from)
    _, end = _local_day_bounds(date_to)
    tz = timezone.get_current_timezone()
    if user is not None:
        attempts = scope_for_user(CallAttempt.objects.all(), user, store_field="task__store")
    elif store_ids is not None:
        attempts = CallAttempt.objects.filter(task__store_id__in=store_ids)
    else:
        attempts = CallAttempt.objects.all()
    attempts = attempts.filter(at__gte=start, at__lt=end, agent__isnull=False)
    if agent_id is not None:
        attempts = attempts.filter(agent_id=agent_id)
    # The SMS survey goes after the failed attempt that reached the maximum: it counts for the agent
    # who made the task's last attempt before the SMS was sent (whatever quiet hours delayed it).
    later_attempt = CallAttempt.objects.filter(
        task_id=OuterRef("task_id"), at__gt=OuterRef("at"), at__lte=OuterRef("task__sms_survey_sent_at")
    )
    triggered_sms = Q(task__sms_survey_sent_at__gte=F("at")) & ~Exists(later_attempt)
    rows = (
        attempts.annotate(day=TruncDate("at", tzinfo=tz))
        .values("agent_id", "agent__display_name", "agent__username", "day")
        .annotate(
            attempts=Count("id"),
            tasks_worked=Count("task_id", distinct=True),
            sms_sent=Count("id", filter=triggered_sms),
            **{b.value: Count("id", filter=disposition_in_bucket(b)) for b in Bucket},
        )
        .order_by("day", "agent__display_name")
    )
    result = []
    for row in rows:
        row["agent_name"] = row.pop("agent__display_name") or row.pop("agent__username")
        row.pop("agent__username", None)
        row["unsuccessful"] = sum(row[b] for b in UNSUCCESSFUL_BUCKETS)
        result.append(row)
    figure_stores = user_store_ids(user) if user is not None else store_ids
    return _with_agent_day_figures(
        result, store_ids=figure_stores, date_from=date_from, date_to=date_to, agent_id=agent_id
    )


ATTEMPT_FIGURES = ("attempts", "tasks_worked", "sms_sent", *Bucket.values, "unsuccessful")


def _with_agent_day_figures(rows: list[dict], *, store_ids, date_from, date_to, agent_id) -> list[dict]:
    """Each row's registered figures; an agent-day with a figure but no attempt (a day of inbound
    calls only) gets a row of its own with no attempts."""
    figures = agent_day_figures()
    if not figures:
        return rows
    by_key = {(row["agent_id"], row["day"]): row for row in rows}
    store_list = None if store_ids is None else list(store_ids)
    for figure in figures:
        values = figure.compute(store_ids=store_list, date_from=date_from, date_to=date_to)
        for (agent, day), value in values.items():
            if agent_id is not None and agent != agent_id:
                continue
            row = by_key.get((agent, day))
            if row is None:
                row = by_key[(agent, day)] = {"agent_id": agent, "agent_name": "", "day": day}
                row.update(dict.fromkeys(ATTEMPT_FIGURES, 0))
            row[figure.key] = value
    unnamed = [row for row in by_key.values() if not row["agent_name"]]
    if unnamed:
        people = User.objects.filter(pk__in={row["agent_id"] for row in unnamed})
        names = {pk: shown or login for pk, shown, login in people.values_list("pk", "display_name", "username")}
        for row in unnamed:
            row["agent_name"] = names.get(row["agent_id"], "")
    result = sorted(by_key.values(), key=lambda r: (r["day"], r["agent_name"]))
    for row in result:
        for figure in figures:
            row.setdefault(figure.key, 0)
    return result


def agent_daily_columns(rows: list[dict]) -> tuple[list, list[dict]]:
    """The registered figures' columns (their labels) and each row's cells, as the page shows them."""
    figures = agent_day_figures()
    for row in rows:
        row["figure_cells"] = [figure.display(row[figure.key]) for figure in figures]
    return [figure.label for figure in figures], rows


def tasks_due_per_day(*, user: User, date_from: datetime.date, date_to: datetime.date) -> dict[datetime.date, int]:
    """Tasks whose window was open on each day (the store-level 'due' figure), one query per day range."""
    out = {}
    day = date_from
    qs = scope_for_user(CallbackTask.objects.all(), user)
    while day <= date_to:
        start, end = _local_day_bounds(day)
        out[day] = qs.filter(window_opens_at__lt=end, window_closes_at__gte=start).count()
        day += datetime.timedelta(days=1)
    return out


__all__ = ["DISPOSITION_RULES", "agent_daily_report", "callback_queue", "callback_queue_counts"]


def callback_agents(*, user: User) -> QuerySet[User]:
    """Callback agents who share a store with `user` (the assignees a CR manager may pick)."""

    qs = User.objects.filter(groups__name=Role.CALLBACK_AGENT, is_active=True)
    store_ids = user_store_ids(user)
    if store_ids is not None:
        qs = qs.filter(stores__in=store_ids)
    return qs.distinct().order_by("display_name", "username")
