"""`seed_demo` step: about 40 complaint cases per store, in every state and colour (idempotent:
a store that has cases already is left alone). Runs after crm's step, from the database."""

import datetime as dt

from django.utils import timezone

from complaints import services as s
from complaints.choices import Category, Channel, FinalResult, Responsibility
from complaints.models import Case
from crm.demo import DemoContext
from crm.models import Customer, Department, Store

CASES_PER_STORE = 40
CONTENTS = [
    ("保养后发动机有异响，回去开了两天还是响。", Category.REPAIR_QUALITY, "免费检修"),
    ("等了三个小时才交车，也没人解释原因。", Category.ATTITUDE, "道歉"),
    ("结算金额比预估多了六百元，没有提前告知。", Category.FEES, "退还差价"),
    ("新车交车时油箱警示灯亮着。", Category.SALES, ""),
    ("配件等了两周还没到货。", Category.PARTS, "尽快到货"),
    ("空调出风有异味，怀疑滤芯没换。", Category.PRODUCT_QUALITY, "更换并赔偿"),
    ("建议休息区增加充电插座。", Category.OTHER, ""),
]


def seed_complaints_demo(ctx: DemoContext) -> None:
    now = timezone.now()
    for store in Store.objects.all():
        if Case.objects.filter(store=store).exists():
            continue
        customers = list(Customer.objects.filter(store=store).order_by("pk")[:CASES_PER_STORE])
        departments = list(Department.objects.filter(store=store, manager__isnull=False).select_related("manager"))
        if not customers or not departments:
            continue
        for n, customer in enumerate(customers):
            content, category, demand = CONTENTS[n % len(CONTENTS)]
            # Spread receipt times over the last three days so that white, yellow and red all show.
            received = now - dt.timedelta(hours=(n * 73) % 72 + 0.5)
            case = s.case_receive(
                user=None,
                store=store,
                customer=customer,
                channel=list(Channel.values)[n % len(Channel.values)],
                category=category,
                content=content,
                demand=demand,
                received_at=received,
            )
            stage = n % 6
            if stage == 0:
                continue  # new
            department = departments[n % len(departments)]
            case = s.case_dispatch(case=case, user=None, department=department, handler=department.manager)
            if stage == 1:
                continue  # dispatched
            case = s.case_first_contact(case=case, user=None, memo="已致电客户")
            if stage == 2:
                continue
            case = s.case_feedback(
                case=case,
                user=None,
                investigation="已调查核实",
                cause="流程执行不到位",
                responsibility=Responsibility.DEALER,
                plan="致歉并免费处理",
            )
            if stage == 3:
                case = s.case_resolve(case=case, user=None)
                continue
            if stage == 4:
                s.case_close(
                    case=case,
                    user=None,
                    cr_activity_result="回访客户确认已解决",
                    final_result=FinalResult.SATISFIED,
                    commitments="下次保养赠送洗车",
                )
                continue
            s.case_mark_unfounded(case=case, user=None, memo="已向客户解释保修条款")
        ctx.stdout.write(f"complaints: {Case.objects.filter(store=store).count()} demo cases for {store.code}")
