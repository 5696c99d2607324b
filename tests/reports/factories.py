"""Helpers that build the dashboard's raw material: callback tasks of a month and complaint cases."""

import datetime as dt

from django.utils import timezone

from callbacks.choices import CallbackKind, Disposition, TaskState
from callbacks.models import CallbackTask
from callbacks.services import callback_task_outcome_refresh
from complaints.choices import Category, Channel
from complaints.models import Case
from complaints.services import case_receive
from crm.choices import StaffRole
from tests.factories import CustomerFactory, DeliveryFactory, RepairOrderFactory, StaffFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def sales_consultant(store, name: str):
    return StaffFactory(store=store, name=name, role=StaffRole.SALES_CONSULTANT)


def service_advisor(store, name: str):
    return StaffFactory(store=store, name=name, role=StaffRole.SERVICE_ADVISOR)


def _stored_outcome(task: CallbackTask) -> CallbackTask:
    """The task's last disposition and bucket as the services store them after every outcome."""
    callback_task_outcome_refresh(task_ids=[task.pk])
    task.refresh_from_db(fields=["last_disposition", "last_bucket"])
    return task


def make_task(
    *,
    staff,
    kind: str = CallbackKind.SERVICE,
    source: dt.datetime,
    state: str = TaskState.DONE,
    grumble: bool = False,
    score: int | None = None,
    customer=None,
) -> CallbackTask:
    """A callback task of `staff` whose source event (delivery / RO 交车时间) is `source`."""
    store = staff.store
    customer = customer or CustomerFactory(store=store)
    fields = {
        "store": store,
        "kind": kind,
        "customer": customer,
        "state": state,
        "has_grumble": grumble,
        "window_opens_at": source + dt.timedelta(days=3),
        "window_closes_at": source + dt.timedelta(days=7),
    }
    if state == TaskState.DONE:
        fields.update(final_disposition=Disposition.SUCCESS, completed_at=source + dt.timedelta(days=4))
    elif state == TaskState.CLOSED_UNSUCCESSFUL:
        fields.update(final_disposition=Disposition.NO_ANSWER, completed_at=source + dt.timedelta(days=7))
    if score is not None:
        fields["overall_score"] = score
    if kind == CallbackKind.SALES:
        delivery = DeliveryFactory(
            store=store, customer=customer, delivered_on=timezone.localtime(source).date(), sales_consultant=staff
        )
        return _stored_outcome(CallbackTask.objects.create(delivery=delivery, vehicle=delivery.vehicle, **fields))
    ro = RepairOrderFactory(
        store=store,
        customer=customer,
        opened_at=source - dt.timedelta(hours=5),
        delivered_at=source,
        service_advisor=staff,
    )
    return _stored_outcome(CallbackTask.objects.create(repair_order=ro, vehicle=ro.vehicle, **fields))


def make_case(*, store, customer=None, received_at: dt.datetime, **times) -> Case:
    """A complaint received at `received_at`; `times` set dispatched_at / first_contact_at / … / state."""
    customer = customer or CustomerFactory(store=store)
    case = case_receive(
        user=None,
        store=store,
        customer=customer,
        channel=Channel.PHONE,
        category=Category.REPAIR_QUALITY,
        content="保养后异响",
        received_at=received_at,
    )
    if times:
        Case.objects.filter(pk=case.pk).update(**times)
        case.refresh_from_db()
    return case


def make_service_tasks_bulk(*, staff, count: int, source: dt.datetime, grumbles: int = 0) -> list[CallbackTask]:
    """`count` successful service callbacks of one advisor (the first `grumbles` with a grumble),
    bulk-created for one customer: fast enough for seed 003's 300 customers."""
    from crm.models import RepairOrder
    from tests.factories import VehicleFactory

    store = staff.store
    customer = CustomerFactory(store=store)
    vehicle = VehicleFactory(store=store, owner=customer)
    prefix = f"B{staff.pk}-{source:%m%d%H%M}-"
    ros = RepairOrder.objects.bulk_create(
        RepairOrder(
            store=store,
            ro_no=f"{prefix}{i}",
            opened_at=source - dt.timedelta(hours=5),
            delivered_at=source,
            customer=customer,
            vehicle=vehicle,
            service_advisor=staff,
        )
        for i in range(count)
    )
    tasks = CallbackTask.objects.bulk_create(
        CallbackTask(
            store=store,
            kind=CallbackKind.SERVICE,
            customer=customer,
            vehicle=vehicle,
            repair_order=ro,
            state=TaskState.DONE,
            final_disposition=Disposition.SUCCESS,
            completed_at=source + dt.timedelta(days=4),
            has_grumble=i < grumbles,
            window_opens_at=source + dt.timedelta(days=3),
            window_closes_at=source + dt.timedelta(days=7),
        )
        for i, ro in enumerate(ros)
    )
    callback_task_outcome_refresh(task_ids=[t.pk for t in tasks])
    return tasks


def seed_dashboard_year(store, *, last_month: dt.date, seed: int = 7, weak_advisor: str = "钱顾问") -> dict:
    """A year of callbacks and complaints for one store, bulk-created: 4 service advisors and 3 sales
    consultants, ~100 callbacks and a handful of complaints a month. In `last_month` the advisor
    `weak_advisor` has many grumbles (the dashboard must flag them). Returns the staff by name."""
    import random

    from callbacks.choices import TaskState
    from complaints.choices import CaseState
    from crm.models import Customer, Delivery, RepairOrder, Vehicle
    from crm.periods import add_months
    from tests.factories import make_vin

    rng = random.Random(seed)
    advisors = [service_advisor(store, n) for n in ("周顾问", "吴顾问", "郑顾问", weak_advisor)]
    consultants = [sales_consultant(store, n) for n in ("王销售", "冯销售", "陈销售")]
    first = add_months(last_month, -11)
    plan = []  # (staff, kind, source, state, grumble, score)
    for i in range(12):
        month = add_months(first, i)
        trend = i / 11  # the store improves over the year
        for staff, kind, count in [(a, CallbackKind.SERVICE, rng.randint(16, 24)) for a in advisors] + [
            (c, CallbackKind.SALES, rng.randint(6, 10)) for c in consultants
        ]:
            weak_now = staff.name == weak_advisor and month == last_month
            for _ in range(count):
                source = local(month.year, month.month, rng.randint(1, 27), rng.randint(9, 18), rng.randint(0, 59))
                roll = rng.random()
                state = TaskState.DONE if roll < 0.80 + 0.08 * trend else TaskState.CLOSED_UNSUCCESSFUL
                grumble = state == TaskState.DONE and rng.random() < (0.45 if weak_now else 0.06)
                score = None
                if state == TaskState.DONE:
                    score = rng.choice([3, 6, 7] if grumble else [6, 7, 8, 9, 9, 10, 10, 10 if trend > 0.5 else 8])
                plan.append((staff, kind, source, state, grumble, score))
    # 138… numbers and 看板客户 names: CustomerFactory's sequence (客户n, 139…) never meets these.
    customers = Customer.objects.bulk_create(
        Customer(store=store, name=f"看板客户{n:04d}", mobile=f"138{n:08d}") for n in range(len(plan))
    )
    vehicles = Vehicle.objects.bulk_create(
        Vehicle(store=store, vin=make_vin(rng), plate=f"皖N{n:05d}", series="卡罗拉", model="卡罗拉 1.6L", owner=c)
        for n, c in enumerate(customers)
    )
    tasks = []
    deliveries, ros = [], []
    for n, (staff, kind, source, *_rest) in enumerate(plan):
        if kind == CallbackKind.SALES:
            deliveries.append(
                Delivery(
                    store=store,
                    delivery_no=f"XS{n:06d}",
                    delivered_on=timezone.localtime(source).date(),
                    customer=customers[n],
                    vehicle=vehicles[n],
                    sales_consultant=staff,
                )
            )
        else:
            ros.append(
                RepairOrder(
                    store=store,
                    ro_no=f"WX{n:07d}",
                    opened_at=source - dt.timedelta(hours=4),
                    delivered_at=source,
                    customer=customers[n],
                    vehicle=vehicles[n],
                    service_advisor=staff,
                )
            )
    deliveries = iter(Delivery.objects.bulk_create(deliveries))
    ros = iter(RepairOrder.objects.bulk_create(ros))
    for n, (_staff, kind, source, state, grumble, score) in enumerate(plan):
        fields = {
            "store": store,
            "kind": kind,
            "customer": customers[n],
            "vehicle": vehicles[n],
            "state": state,
            "has_grumble": grumble,
            "final_disposition": Disposition.SUCCESS if state == TaskState.DONE else Disposition.NO_ANSWER,
            "completed_at": source + dt.timedelta(days=4),
            "window_opens_at": source + dt.timedelta(days=3),
            "window_closes_at": source + dt.timedelta(days=7),
        }
        if kind == CallbackKind.SALES:
            fields["delivery"] = next(deliveries)
        else:
            fields["repair_order"] = next(ros)
        if score is not None:
            fields["overall_score"] = score
        tasks.append(CallbackTask(**fields))
    tasks = CallbackTask.objects.bulk_create(tasks)
    callback_task_outcome_refresh(task_ids=[t.pk for t in tasks])
    _answer_year(tasks, plan, rng, weak_advisor=weak_advisor, last_month=last_month)

    for i in range(12):
        month = add_months(first, i)
        for _ in range(rng.randint(3, 8)):
            received = local(month.year, month.month, rng.randint(1, 26), rng.randint(9, 17))
            customer = customers[rng.randrange(len(customers))]
            late = rng.random() < 0.25
            times = {
                "dispatched_at": received + dt.timedelta(minutes=rng.choice([10, 20, 25, 50 if late else 15])),
                "first_contact_at": received + dt.timedelta(hours=26 if late else rng.randint(1, 12)),
            }
            times["feedback_due_at"] = times["dispatched_at"] + dt.timedelta(hours=48)
            if month != last_month or rng.random() < 0.5:
                times.update(
                    feedback_at=times["dispatched_at"] + dt.timedelta(hours=rng.choice([20, 30, 60 if late else 40])),
                    state=CaseState.CLOSED,
                    closed_at=received + dt.timedelta(days=4),
                )
            elif late:
                times = {"state": CaseState.NEW, "feedback_due_at": None}  # untouched: red
            else:
                times["state"] = CaseState.IN_PROGRESS
            make_case(store=store, customer=customer, received_at=received, **times)
    return {s.name: s for s in advisors + consultants}


def ensure_builtin_questionnaires() -> None:
    """Re-create the built-in questionnaires if a transactional (browser) test flushed the tables
    their data migration filled. Idempotent, like the migration itself."""
    from importlib import import_module

    from django.apps import apps

    import_module("surveys.migrations.0002_builtin_templates_and_scripts").create(apps, None)


def answer_tasks_bulk(tasks: list[CallbackTask], answers_for) -> None:
    """Store a questionnaire response for each task, bulk-created: `answers_for(i)` gives the i-th
    task's answers {code: value}. Negative answers are marked by THE rule (surveys.services)."""
    from surveys.models import Answer, Response
    from surveys.selectors import template_current_version
    from surveys.services import answer_is_negative, answer_parse

    ensure_builtin_questionnaires()
    version = template_current_version(kind=tasks[0].kind)
    questions = {q.code: q for q in version.questions.all()}
    overall = next(q for q in questions.values() if q.is_overall)
    parsed = [
        {questions[code]: answer_parse(questions[code], value) for code, value in answers_for(i).items()}
        for i in range(len(tasks))
    ]
    responses = Response.objects.bulk_create(
        Response(
            version=version,
            store_id=task.store_id,
            customer_id=task.customer_id,
            answered_at=task.completed_at or timezone.now(),
            source="call",
            overall_score=cols.get(overall, {}).get("score"),
        )
        for task, cols in zip(tasks, parsed, strict=True)
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=q, is_negative=answer_is_negative(q, next(iter(c.values()))), **c)
        for response, cols in zip(responses, parsed, strict=True)
        for q, c in cols.items()
    )
    for task, response in zip(tasks, responses, strict=True):
        task.response, task.overall_score = response, response.overall_score
    CallbackTask.objects.bulk_update(tasks, ["response", "overall_score"])


# Chance of a negative answer per question of the built-in questionnaires (the rest: 3 %), so that
# the weakest questions differ clearly.
_NEGATIVE_CHANCE = {
    "service": {"Q8": 0.25, "Q7": 0.15, "Q4": 0.10, "Q6": 0.06},
    "sales": {"Q8": 0.20, "Q3": 0.12, "Q9": 0.08},
}


def _random_answers(question, negative: bool, rng) -> object:
    if question.type == "score":
        return rng.randint(2, 5) if negative else rng.choice([7, 8, 9, 9, 10, 10])
    if question.type == "yes_no":
        negative_label = question.negative_answer or "否"
        positive_label = "是" if negative_label == "否" else "否"
        return negative_label if negative else positive_label
    if question.type == "choice":
        bad = question.negative_choices or []
        good = [c for c in question.choices if c not in bad]
        return rng.choice(bad) if negative and bad else rng.choice(good)
    return "服务很好" if not negative else "洗车不干净"


def _answer_year(tasks, plan, rng, *, weak_advisor: str, last_month: dt.date) -> None:
    from surveys.selectors import template_current_version

    ensure_builtin_questionnaires()
    for kind in (CallbackKind.SALES, CallbackKind.SERVICE):
        version = template_current_version(kind=kind)
        questions = [q for q in version.questions.all() if not q.is_overall]
        chosen = [
            (task, staff, source)
            for task, (staff, task_kind, source, state, _g, _s) in zip(tasks, plan, strict=True)
            if task_kind == kind and state == TaskState.DONE
        ]
        overall = next(q for q in version.questions.all() if q.is_overall)

        def answers_for(i, chosen=chosen, questions=questions, overall=overall, kind=kind):
            task, staff, source = chosen[i]
            weak_now = staff.name == weak_advisor and timezone.localtime(source).date().replace(day=1) == last_month
            answers = {overall.code: task.overall_score}
            for q in questions:
                chance = _NEGATIVE_CHANCE[kind].get(q.code, 0.03)
                if weak_now and q.code == "Q5":
                    chance = 0.55
                answers[q.code] = _random_answers(q, rng.random() < chance, rng)
            return answers

        if chosen:
            answer_tasks_bulk([c[0] for c in chosen], answers_for)
