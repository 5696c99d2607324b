"""`seed_demo` step: a year of complaint cases per store (8–20 a month), through the real services
with the clock set to each step's moment (`demo.context.demo_clock`), so every SLA time, colour and
event is what the workflow would have produced.

The story: most cases are dispatched within 30 minutes, contacted within 24 hours and closed within
a week or two; a few were contacted late (red), a few needed escalation and are still open, some
turned out unfounded. This month's cases are at every stage and in every colour (white, yellow,
red, grey). Some cases come from a callback's hot alert (渠道 回访发现), linked both ways.

Idempotent: a store that has cases already is left alone. Runs after crm's and callbacks' steps,
from the database.
"""

import datetime as dt
import random

from django.utils import timezone

from callbacks.models import HotAlert
from complaints import services as s
from complaints.choices import Category, Channel, EscalationLevel, FinalResult, Responsibility
from complaints.models import Case
from crm.choices import DepartmentKind
from crm.models import Customer, Department, Store, User
from demo.context import DemoContext, demo_clock

MONTHS = 13  # this month and the twelve before (the dashboard's trend ends last month)
PER_MONTH = (8, 20)
CR_MANAGER_USERNAME = "crmanager"
# Escalated cases received within this many days are still open (older ones were settled).
OPEN_ESCALATED_DAYS = 75

# (content, category, demand, department kind)
CONTENTS = [
    ("保养后发动机有异响，回去开了两天还是响。", Category.REPAIR_QUALITY, "免费检修", DepartmentKind.SERVICE),
    ("等了三个小时才交车，也没人解释原因。", Category.ATTITUDE, "道歉", DepartmentKind.SERVICE),
    ("结算金额比预估多了六百元，没有提前告知。", Category.FEES, "退还差价", DepartmentKind.SERVICE),
    ("新车交车时油箱警示灯亮着。", Category.SALES, "", DepartmentKind.SALES),
    ("配件等了两周还没到货。", Category.PARTS, "尽快到货", DepartmentKind.SERVICE),
    ("空调出风有异味，怀疑滤芯没换。", Category.PRODUCT_QUALITY, "更换并赔偿", DepartmentKind.SERVICE),
    ("建议休息区增加充电插座。", Category.OTHER, "", DepartmentKind.SERVICE),
    ("销售承诺的装潢礼包到现在还没装。", Category.SALES, "兑现承诺", DepartmentKind.SALES),
    ("上牌手续拖了一个月还没办好。", Category.SALES, "尽快办理", DepartmentKind.SALES),
    ("钣喷后车门颜色有色差。", Category.REPAIR_QUALITY, "重新喷漆", DepartmentKind.SERVICE),
    ("服务顾问态度冷淡，问几句就不耐烦。", Category.ATTITUDE, "道歉", DepartmentKind.SERVICE),
    ("刚保养完机油就漏了。", Category.REPAIR_QUALITY, "免费检修并赔偿", DepartmentKind.SERVICE),
]
CHANNELS = (
    [Channel.PHONE] * 5 + [Channel.VISIT] * 3 + [Channel.SMS, Channel.EMAIL, Channel.MANUFACTURER, Channel.LETTER]
)
CAUSES = ["流程执行不到位", "沟通不充分", "配件供应延迟", "作业质量问题", "客户误解保修条款"]


def _local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _month_starts(today: dt.date) -> list[dt.date]:
    first = today.replace(day=1)
    starts = []
    for back in range(MONTHS - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        starts.append(dt.date(index // 12, index % 12 + 1, 1))
    return starts


class _Plan:
    """When each step of one case happens (None: not yet / never), drawn once per case."""

    def __init__(self, rng: random.Random, received: dt.datetime, *, force: str = ""):
        self.received = received
        roll = rng.random()
        self.ending = "unfounded" if roll < 0.12 else "escalated" if roll < 0.17 else "closed"
        if force == "late_escalated":
            self.ending, force = "escalated", "red"
        elif force == "late":
            self.ending, force = "closed", "red"
        # Escalated cases are often the ones that went wrong from the start.
        late_contact = force == "red" or (not force and rng.random() < (0.5 if self.ending == "escalated" else 0.05))
        slow_contact = force == "yellow" or (not force and rng.random() < 0.08)
        self.dispatch = received + dt.timedelta(
            minutes=rng.randint(35, 150) if rng.random() < 0.08 else rng.randint(4, 25)
        )
        if late_contact:
            self.contact = received + dt.timedelta(hours=rng.uniform(26, 60))
        elif slow_contact:
            self.contact = received + dt.timedelta(hours=rng.uniform(20.5, 23.5))
        else:
            self.contact = received + dt.timedelta(hours=rng.uniform(0.5, 10))
        self.contact = max(self.contact, self.dispatch + dt.timedelta(minutes=5))  # after the dispatch
        self.feedback = self.dispatch + dt.timedelta(
            hours=rng.uniform(50, 90) if rng.random() < 0.1 else rng.uniform(4, 40)
        )
        self.feedback = max(self.feedback, self.contact + dt.timedelta(minutes=30))
        self.resolve = self.feedback + dt.timedelta(hours=rng.uniform(20, 96))
        if force == "resolved":
            # This month's resolved-but-not-closed case (received 100–140 h ago): every step up to
            # the resolution is done by now, whatever the draws above (feedback as late as 130 h
            # plus a 96 h resolution left it unresolved on some days).
            self.ending = "closed"
            self.feedback = self.contact + dt.timedelta(hours=rng.uniform(4, 20))
            self.resolve = self.feedback + dt.timedelta(hours=rng.uniform(20, 40))
        self.close = self.resolve + dt.timedelta(hours=rng.uniform(20, 120))
        self.final_result = rng.choices(
            [FinalResult.SATISFIED, FinalResult.BASICALLY, FinalResult.DISSATISFIED], weights=[75, 20, 5]
        )[0]


def _run_case(
    rng: random.Random,
    *,
    store: Store,
    customer: Customer,
    departments: dict,
    cr_manager: User | None,
    received: dt.datetime,
    now: dt.datetime,
    content: tuple,
    channel: str,
    force: str = "",
    alert: HotAlert | None = None,
) -> Case:
    text, category, demand, kind = content
    department = departments.get(kind) or next(iter(departments.values()))
    handler = department.manager
    plan = _Plan(rng, received, force=force)
    done = now - dt.timedelta(minutes=2)
    with demo_clock(received):
        case = s.case_receive(
            user=cr_manager,
            store=store,
            customer=customer,
            channel=channel,
            category=category,
            content=text,
            demand=demand,
            received_at=received,
            hot_alert_id=alert.pk if alert else None,
            source_task_id=alert.task_id if alert else None,
        )
    if force == "new" or plan.dispatch > done:
        return case
    with demo_clock(plan.dispatch):
        case = s.case_dispatch(case=case, user=cr_manager, department=department, handler=handler)
    if force in ("yellow", "red", "dispatched") or plan.contact > done:
        return case  # waiting for the first contact: its colour runs on the clock
    with demo_clock(plan.contact):
        case = s.case_first_contact(case=case, user=handler, memo="已致电客户，了解情况并致歉", at=plan.contact)
    if plan.ending == "unfounded" and plan.feedback <= done:
        with demo_clock(plan.feedback):
            return s.case_mark_unfounded(case=case, user=cr_manager, memo="经核实属保修条款范围外，已向客户解释")
    if force == "in_progress" or plan.feedback > done:
        return case
    with demo_clock(plan.feedback):
        case = s.case_feedback(
            case=case,
            user=handler,
            investigation="已调查核实",
            cause=rng.choice(CAUSES),
            responsibility=rng.choice([Responsibility.DEALER] * 3 + [Responsibility.MANUFACTURER]),
            plan="致歉并免费处理" if demand else "致歉并改进流程",
        )
    if plan.ending == "escalated":
        at = plan.feedback + dt.timedelta(hours=rng.uniform(24, 72))
        if at <= done:
            with demo_clock(at):
                case = s.case_escalate(
                    case=case,
                    user=handler,
                    reason="客户不接受处理方案，要求更高层级处理",
                    plan="总经理出面沟通，提出补偿方案",
                )
            if case.escalation_level < EscalationLevel.MANUFACTURER and rng.random() < 0.3:
                with demo_clock(at + dt.timedelta(hours=30)):
                    if at + dt.timedelta(hours=30) <= done:
                        case = s.case_escalate(
                            case=case,
                            user=handler,
                            reason="涉及产品质量，需厂家技术支持",
                            plan="提交厂家技术部鉴定",
                            manufacturer_case_ref=f"FTMS-{received:%y%m}{case.pk:04d}"
                            if case.escalation_level + 1 == EscalationLevel.MANUFACTURER
                            else "",
                        )
        if received > now - dt.timedelta(days=OPEN_ESCALATED_DAYS):
            return case  # still open: an escalated case takes weeks
        # An older escalated case was settled in the end, a week or two after its escalation.
        plan.resolve = max(plan.resolve, at + dt.timedelta(days=rng.uniform(5, 15)))
        plan.close = plan.resolve + dt.timedelta(days=rng.uniform(1, 4))
        plan.final_result = rng.choice([FinalResult.BASICALLY, FinalResult.SATISFIED, FinalResult.DISSATISFIED])
    if plan.resolve > done:
        return case
    with demo_clock(plan.resolve):
        case = s.case_resolve(case=case, user=handler)
    if force == "resolved" or plan.close > done:
        return case
    with demo_clock(plan.close):
        return s.case_close(
            case=case,
            user=cr_manager,
            cr_activity_result="回访客户确认已解决",
            final_result=plan.final_result,
            commitments=rng.choice(["", "下次保养赠送洗车", "赠送一次免费检测"]),
        )


def seed_complaints_demo(ctx: DemoContext) -> None:
    now = timezone.now()
    today = timezone.localdate()
    cr_manager = User.objects.filter(username=CR_MANAGER_USERNAME).first()
    for store in Store.objects.order_by("code"):
        if Case.objects.filter(store=store).exists():
            continue
        customers = list(Customer.objects.filter(store=store).order_by("pk")[:600])
        departments = {
            d.kind: d
            for d in Department.objects.filter(
                store=store, manager__isnull=False, kind__in=[DepartmentKind.SALES, DepartmentKind.SERVICE]
            ).select_related("manager")
        }
        if not customers or not departments:
            continue
        actor = cr_manager if cr_manager is not None and cr_manager.stores.filter(pk=store.pk).exists() else None
        rng = random.Random(f"complaints:{store.code}")
        # Unhappy callbacks of the past (overall 1–4) become complaints (渠道 回访发现).
        alerts = list(
            HotAlert.objects.filter(
                task__store=store, task__overall_score__lte=4, complaint_cases__isnull=True, raised_at__lt=now
            )
            .select_related("task__customer")
            .order_by("raised_at", "id")
        )
        alerts = [a for a in alerts if rng.random() < 0.5]
        made = 0
        starts = _month_starts(today)
        for start in starts:
            end = (start + dt.timedelta(days=32)).replace(day=1)
            current = start == starts[-1]
            days = (min(end, today + dt.timedelta(days=1)) - start).days
            count = rng.randint(*PER_MONTH)
            if current:
                count = max(8, round(count * days / 30))
            month_alerts = [a for a in alerts if start <= timezone.localdate(a.raised_at) < end]
            for n in range(count):
                alert = month_alerts.pop(0) if month_alerts and n % 3 == 0 else None
                if alert is not None:
                    received = alert.raised_at + dt.timedelta(hours=rng.uniform(1, 5))
                    customer, channel = alert.task.customer, Channel.CALLBACK
                    content = rng.choice([c for c in CONTENTS if c[1] != Category.OTHER])
                else:
                    day = start + dt.timedelta(days=rng.randrange(days))
                    received = _local(day, rng.randint(8, 19), rng.randint(0, 59))
                    customer, channel = rng.choice(customers), rng.choice(CHANNELS)
                    content = rng.choice(CONTENTS)
                # Every month one case was contacted late (the SLA rate is never a flat 100 %); in
                # the last three months one of them went wrong and is still open, escalated (red).
                force = "late" if n == 2 else ""
                if n == 2 and start >= starts[-4]:
                    force = "late_escalated"
                if current:
                    # This month's open cases in every colour and stage, relative to now.
                    force, received = _current_case(n, received, now, rng)
                if received >= now:
                    continue
                case = _run_case(
                    rng,
                    store=store,
                    customer=customer,
                    departments=departments,
                    cr_manager=actor,
                    received=received,
                    now=now,
                    content=content,
                    channel=channel,
                    force=force,
                    alert=alert,
                )
                if alert is not None:  # closed by case_receive when the demo has a CR manager to act
                    HotAlert.objects.filter(pk=alert.pk, closed_at__isnull=True).update(
                        closed_at=alert.closed_at or received,
                        closed_by=alert.closed_by or actor,
                        close_note="已转投诉 " + case.case_no,
                    )
                made += 1
        ctx.stdout.write(f"complaints: {made} demo cases for {store.code}")


def _current_case(n: int, received: dt.datetime, now: dt.datetime, rng: random.Random) -> tuple[str, dt.datetime]:
    """The first cases of this month: one of each colour and open stage, timed relative to now."""
    hours = dt.timedelta(hours=1)
    forced = [
        ("new", now - rng.uniform(0.2, 0.4) * hours),  # white, not yet dispatched
        ("dispatched", now - rng.uniform(1, 3) * hours),  # white, waiting for the first contact
        ("yellow", now - rng.uniform(20.5, 23) * hours),  # past the 20 h warning
        ("red", now - rng.uniform(26, 40) * hours),  # past the 24 h deadline, no contact
        ("in_progress", now - rng.uniform(30, 50) * hours),
        ("resolved", now - rng.uniform(100, 140) * hours),
    ]
    if n < len(forced):
        return forced[n]
    return "", received
