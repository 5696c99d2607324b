"""seed_demo step: a year of the win-back list — the monthly scans of the last twelve months, the
agents' contacts with the customers' words, and the customers who came back (an RO after a
booking), so that the list, the at-risk tab, the summary and table 16 all show something real.

Idempotent: the scans are; contacts are made only for entries whose call has none yet, from a
generator seeded by the entry (the same entry gets the same history on every database); a come-back
RO has a number made from the entry's id. Everything goes through the services (winback_scan,
winback_contact_record, winback_recover) under `demo_clock`, so the rows are what the app writes.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from crm.choices import StaffRole, WorkType
from crm.models import Customer, RepairOrder, Staff, Store, User, Vehicle, VehicleOwnership
from crm.services import customer_refresh_cards, customer_refresh_cards_by_ids
from demo.context import DemoContext, demo_clock
from demo.names import TOYOTA_MODELS, make_mobile, make_name, make_plate, make_vin
from retention.choices import OutreachChannel, OutreachResult, ReasonCategory
from winback.at_risk import at_risk_scan
from winback.models import WinbackEntry
from winback.rules import local_midnight, months_before
from winback.services import winback_contact_record, winback_recover, winback_scan

AGENT_USERNAME = "agent"
R = OutreachResult
C = ReasonCategory
# A contact's result, weighted; then the reason and words it comes with.
RESULTS = [
    (R.UNREACHABLE, 22),
    (R.INTERESTED, 18),
    (R.NOT_INTERESTED, 20),
    (R.ELSEWHERE, 14),
    (R.SOLD, 8),
    (R.BOOKED, 18),
]
WORDS = {
    C.PRICE: ["保养价格比路边店贵不少", "配件太贵，外面便宜一半", "工时费太高了，不划算"],
    C.DISTANCE: ["搬家了，离店太远", "现在在合肥上班，回六安不方便", "家附近有修理厂，方便"],
    C.SERVICE: ["上次等了一下午也没人管", "服务顾问态度不好", "预约了到店还要排队"],
    C.QUALITY: ["上次修完异响还在", "空调修了两次没修好", "保养后油耗反而高了"],
    C.SOLD: ["车已经卖了", "车转给亲戚了"],
    C.OTHER: ["出国了，车一直停着", "车很少开，还不到保养里程", "公司车，由单位统一安排保养"],
}
REASONS_BY_RESULT = {
    R.NOT_INTERESTED: [C.PRICE, C.DISTANCE, C.SERVICE, C.QUALITY, C.OTHER],
    R.ELSEWHERE: [C.PRICE, C.PRICE, C.DISTANCE, C.SERVICE],
    R.SOLD: [C.SOLD],
    R.INTERESTED: [C.PRICE, C.OTHER],
}
BOOKED_WORDS = ["有优惠的话就去做个保养", "正好该保养了，下周过去", "车有点异响，过去看看"]
COME_BACK_SHARE = 0.8
OLDER_CUSTOMERS = 40  # per demo store
PLATE_PREFIX = {"LA": "皖N", "HF": "皖A"}  # of the bookings whose day has come


def seed_winback_demo(ctx: DemoContext) -> None:
    today = timezone.localdate()
    agent = User.objects.filter(username=AGENT_USERNAME).first()
    _older_customers(today)
    months = [months_before(today.replace(day=1), back) for back in range(11, -1, -1)]
    added = 0
    for month in months:
        with demo_clock(local_midnight(month) + dt.timedelta(hours=2, minutes=20)):
            added += sum(winback_scan(on=month).values())
    entries = (
        WinbackEntry.objects.filter(task__attempts__isnull=True, recovered_on__isnull=True, task__isnull=False)
        .select_related("customer", "store", "vehicle", "service_advisor", "task")
        .order_by("id")
    )
    contacted = 0
    for entry in entries:
        contacted += _contact_history(entry, agent, today)
    _come_backs(before=today + dt.timedelta(days=1))
    at_risk, _closed = at_risk_scan(on=today)  # 即将流失: their calls in the queue's win-back filter
    ctx.stdout.write(
        f"winback: {added} customers added by the monthly scans, {contacted} contacts, "
        f"{WinbackEntry.objects.filter(recovered_on__isnull=False).count()} recovered, "
        f"{at_risk} at-risk calls opened"
    )


def _older_customers(today: dt.date) -> None:
    """The crm step's history goes back 18 months; a few customers per store whose only visit was
    13 to 24 months ago give the scans of the first months of the year someone to find."""
    for store in Store.objects.filter(code__in=PLATE_PREFIX).order_by("code"):
        advisors = list(Staff.objects.filter(store=store, role=StaffRole.SERVICE_ADVISOR).order_by("id"))
        if not advisors:
            continue
        for i in range(OLDER_CUSTOMERS):
            rng = random.Random(f"winback:old:{store.code}:{i}")
            male = rng.random() < 0.68
            customer, _ = Customer.objects.get_or_create(
                store=store,
                mobile=make_mobile(rng),
                name=make_name(rng, male),
                defaults={"gender": "M" if male else "F"},
            )
            opened = local_midnight(today - dt.timedelta(days=rng.randint(366, 730))) + dt.timedelta(hours=10)
            series, variants, _weight = rng.choice(TOYOTA_MODELS)
            vehicle, created = Vehicle.objects.get_or_create(
                vin=make_vin(rng, opened.year - 3),
                defaults={
                    "store": store,
                    "owner": customer,
                    "plate": make_plate(rng, PLATE_PREFIX[store.code]),
                    "series": series,
                    "model": rng.choice(variants),
                },
            )
            if created:
                VehicleOwnership.objects.create(vehicle=vehicle, customer=customer, started_on=opened.date())
            RepairOrder.objects.get_or_create(
                store=store,
                ro_no=f"{store.code}LS{i:04d}",
                defaults={
                    "opened_at": opened,
                    "delivered_at": opened + dt.timedelta(hours=4),
                    "customer": customer,
                    "vehicle": vehicle,
                    "service_advisor": rng.choice(advisors),
                    "work_type": WorkType.PERIODIC_MAINTENANCE,
                },
            )
        customer_refresh_cards(customers=Customer.objects.filter(store=store, repair_orders__ro_no__contains="LS"))


def _contact_history(entry: WinbackEntry, agent: User | None, today: dt.date) -> int:
    rng = random.Random(f"winback:{entry.pk}:{entry.customer_id}")
    if entry.month == today.replace(day=1) and rng.random() < 0.7:
        return 0  # this month's list: most still to call (the queue)
    day = entry.month + dt.timedelta(days=rng.randint(1, 12))
    made = 0
    for _ in range(rng.choice([1, 1, 2, 3])):
        if day > today:
            break
        at = local_midnight(day) + dt.timedelta(hours=rng.randint(9, 17), minutes=rng.choice([0, 15, 30, 45]))
        result = rng.choices([r for r, _ in RESULTS], weights=[w for _, w in RESULTS])[0]
        reason = rng.choice(REASONS_BY_RESULT[result]) if result in REASONS_BY_RESULT else ""
        words = rng.choice(BOOKED_WORDS) if result == R.BOOKED else rng.choice(WORDS[reason]) if reason else ""
        with demo_clock(min(at, timezone.now())):
            winback_contact_record(
                entry=entry,
                user=agent,
                result=result,
                # A customer who refuses calls has his call closed: he is reached by SMS.
                channel=OutreachChannel.SMS
                if rng.random() < 0.1 or not entry.customer.may_call
                else OutreachChannel.CALL,
                customer_words=words,
                reason_category=reason,
                booked_on=day + dt.timedelta(days=rng.randint(2, 10)) if result == R.BOOKED else None,
                contacted_at=min(at, timezone.now()),
            )
        made += 1
        if result != R.UNREACHABLE and result != R.INTERESTED:
            break
        day += dt.timedelta(days=rng.randint(3, 9))
    return made


@transaction.atomic
def _come_backs(*, before: dt.date) -> None:
    """Most customers who booked came back on the booked day (before `before`): a repair order like
    their last one, and the entry recovered by the same rule the import applies."""
    booked = WinbackEntry.objects.filter(
        recovered_on__isnull=True, task__booked_on__lt=before, last_repair_order__isnull=False
    ).select_related("last_repair_order", "task", "store")
    now = timezone.now()
    customers = []
    for entry in booked:
        opened = local_midnight(entry.task.booked_on) + dt.timedelta(hours=9, minutes=30)
        if opened > now or random.Random(f"winback:back:{entry.pk}").random() >= COME_BACK_SHARE:
            continue
        last = entry.last_repair_order
        delivered = opened + dt.timedelta(hours=3)
        customers.append(entry.customer_id)
        RepairOrder.objects.get_or_create(
            store_id=entry.store_id,
            ro_no=f"{entry.store.code}WB{entry.pk:06d}",
            defaults={
                "opened_at": opened,
                "delivered_at": delivered if delivered < now else None,
                "customer_id": entry.customer_id,
                "vehicle_id": last.vehicle_id,
                "service_advisor_id": last.service_advisor_id,
                "repair_team_id": last.repair_team_id,
                "work_type": WorkType.PERIODIC_MAINTENANCE,
                "mileage_km": last.mileage_km,
            },
        )
    customer_refresh_cards_by_ids(customer_ids=customers)
    winback_recover(entries=WinbackEntry.objects.filter(customer_id__in=customers))
