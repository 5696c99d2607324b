"""crm's `seed_demo` step: stores, departments, staff, one user per role, customers, vehicles,
deliveries and repair orders that look like a FAW Toyota store's data (seed 001).

Idempotent without bookkeeping: the generator is deterministic (a fixed seed, natural keys that do
not depend on the date), and every row goes in with `bulk_create(ignore_conflicts=True)` against the
models' unique constraints, so a second run inserts nothing. Dates are relative to the first run's
day (Asia/Shanghai): deliveries and repair orders mostly over the last three months, and a year
of thinner history before that (earlier buyers, earlier visits) so that the dashboard's 12-month
trends have data; customers without a recent visit have one older repair order (some older than
12 months: lost customers).
"""

import datetime
import functools
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from crm.choices import (
    DepartmentKind,
    Gender,
    IncomeBand,
    InfoSource,
    MaritalStatus,
    Occupation,
    PurchaseType,
    Role,
    StaffRole,
    WorkType,
)
from crm.models import (
    Customer,
    Delivery,
    Department,
    RepairOrder,
    RepairTeam,
    Staff,
    Store,
    User,
    Vehicle,
    VehicleOwnership,
)
from crm.services import customer_refresh_cards, store_add
from demo.context import DemoContext
from demo.names import (
    COLOURS,
    HOBBIES,
    INDUSTRIES,
    INTERIORS,
    TOYOTA_MODELS,
    make_id_number,
    make_mobile,
    make_name,
    make_plate,
    make_vin,
)

DEMO_PASSWORD = "demo12345"

# (code, name, plate prefix, phone, address, districts with their id-number region codes)
DEMO_STORES = [
    (
        "LA",
        "六安鑫宝丰田",
        "皖N",
        "0564-3378888",
        "六安市金安区经济开发区312国道",
        [
            ("金安区", "341502"),
            ("裕安区", "341503"),
            ("叶集区", "341504"),
            ("霍邱县", "341522"),
            ("舒城县", "341523"),
            ("金寨县", "341524"),
            ("霍山县", "341525"),
        ],
    ),
    (
        "HF",
        "合肥鑫宝丰田",
        "皖A",
        "0551-65558888",
        "合肥市包河区繁华大道",
        [
            ("蜀山区", "340104"),
            ("包河区", "340111"),
            ("庐阳区", "340103"),
            ("瑶海区", "340102"),
            ("肥西县", "340123"),
            ("肥东县", "340122"),
            ("长丰县", "340121"),
        ],
    ),
]
CITY = {"LA": "六安市", "HF": "合肥市"}
CUSTOMERS_PER_STORE = {"LA": 1200, "HF": 800}

# Staff of seed 001 tables 7–8 (sales consultants, service advisors, repair teams) for the first
# store; the second store gets its own names.
DEMO_STAFF = {
    "LA": {
        StaffRole.SALES_CONSULTANT: ["梁默", "周磊", "袁野", "鲁学媛"],
        StaffRole.SERVICE_ADVISOR: ["梁诚", "秦立松", "唐杰"],
        StaffRole.TECHNICIAN: [("何军", "维修一组"), ("吴海涛", "钣金一组"), ("胡斌", "油漆一组")],
    },
    "HF": {
        StaffRole.SALES_CONSULTANT: ["郑凯", "郭帅军", "云峰", "许婷"],
        StaffRole.SERVICE_ADVISOR: ["陈全洋", "高翔", "马丽"],
        StaffRole.TECHNICIAN: [("罗永", "维修一组"), ("宋建国", "钣金一组"), ("谢亮", "油漆一组")],
    },
}

# One login per role (username, display name, role, stores). The callback agent and the CR manager
# work for both stores (one CR centre); the others for the first. The consultant logs in as the
# sales consultant of the same name.
DEMO_USERS = [
    ("agent", "王丽", Role.CALLBACK_AGENT, ("LA", "HF")),
    ("reception", "刘芳", Role.RECEPTION, ("LA",)),
    ("crmanager", "陈静", Role.CR_MANAGER, ("LA", "HF")),
    ("deptmanager", "孙强", Role.DEPARTMENT_MANAGER, ("LA",)),
    ("consultant", "梁默", Role.CONSULTANT, ("LA",)),
    ("gm", "赵建华", Role.GENERAL_MANAGER, ("LA",)),
    ("admin", "系统管理员", Role.ADMINISTRATOR, ()),
]
# The second store's department manager (handles its complaints); not one of the per-role logins.
HF_MANAGER = ("hfmanager", "周伟", Role.DEPARTMENT_MANAGER, ("HF",))


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@dataclass
class _StorePlan:
    store: Store
    plate_prefix: str
    districts: list
    sc: list
    sa: list
    teams: list


def _ensure_organisation(rng: random.Random) -> tuple[list[_StorePlan], dict[str, User]]:
    plans = []
    for code, name, plate_prefix, phone, address, districts in DEMO_STORES:
        store, _ = store_add(code=code, name=name)
        Store.objects.filter(pk=store.pk, phone="").update(phone=phone, address=address)
        teams = {}
        for team_name in ["维修一组", "钣金一组", "油漆一组"]:
            teams[team_name], _ = RepairTeam.objects.get_or_create(store=store, name=team_name)
        departments = {d.kind: d for d in Department.objects.filter(store=store)}
        staff_plan = DEMO_STAFF[code]
        rows = []
        for role, dept in (
            (StaffRole.SALES_CONSULTANT, DepartmentKind.SALES),
            (StaffRole.SERVICE_ADVISOR, DepartmentKind.SERVICE),
        ):
            for i, staff_name in enumerate(staff_plan[role]):
                rows.append(
                    Staff(
                        store=store,
                        name=staff_name,
                        code=f"{code}{role.upper()}{i + 1:02d}",
                        role=role,
                        department=departments[dept],
                    )
                )
        for i, (staff_name, team_name) in enumerate(staff_plan[StaffRole.TECHNICIAN]):
            rows.append(
                Staff(
                    store=store,
                    name=staff_name,
                    code=f"{code}T{i + 1:02d}",
                    role=StaffRole.TECHNICIAN,
                    department=departments[DepartmentKind.SERVICE],
                    repair_team=teams[team_name],
                )
            )
        Staff.objects.bulk_create(rows, ignore_conflicts=True)
        staff = {s.name: s for s in Staff.objects.filter(store=store)}
        plans.append(
            _StorePlan(
                store=store,
                plate_prefix=plate_prefix,
                districts=districts,
                sc=[staff[n] for n in staff_plan[StaffRole.SALES_CONSULTANT]],
                sa=[staff[n] for n in staff_plan[StaffRole.SERVICE_ADVISOR]],
                teams=list(teams.values()),
            )
        )
    return plans, _ensure_users(plans)


@functools.cache
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)


def _ensure_user(username: str, display_name: str, role: str, stores: list[Store]) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": display_name,
            "is_staff": role == Role.ADMINISTRATOR,
            "is_group_level": role in (Role.ADMINISTRATOR,),
        },
    )
    if created:
        # One PBKDF2 hash for every demo login (each costs about half a second of CPU); the hash is
        # salted once, which is fine for a demo password everyone knows.
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        user.stores.add(*stores)
    return user


def _ensure_users(plans: list[_StorePlan]) -> dict[str, User]:
    first = plans[0].store
    by_code = {p.store.code: p.store for p in plans}
    users = {}
    for username, display_name, role, codes in DEMO_USERS:
        users[role] = _ensure_user(username, display_name, role, [by_code[c] for c in codes if c in by_code])
    if "HF" in by_code:
        username, display_name, role, codes = HF_MANAGER
        hf_manager = _ensure_user(username, display_name, role, [by_code["HF"]])
        Department.objects.filter(
            store=by_code["HF"],
            kind__in=[DepartmentKind.SALES, DepartmentKind.SERVICE, DepartmentKind.GM_OFFICE],
            manager__isnull=True,
        ).update(manager=hf_manager)
        Department.objects.filter(
            store=by_code["HF"], kind=DepartmentKind.CUSTOMER_RELATIONS, manager__isnull=True
        ).update(manager=users[Role.CR_MANAGER])
    # The department manager heads sales and service of the first store; the consultant logs in
    # as the sales consultant of the same name.
    Department.objects.filter(
        store=first, kind__in=[DepartmentKind.SALES, DepartmentKind.SERVICE], manager__isnull=True
    ).update(manager=users[Role.DEPARTMENT_MANAGER])
    Department.objects.filter(store=first, kind=DepartmentKind.CUSTOMER_RELATIONS, manager__isnull=True).update(
        manager=users[Role.CR_MANAGER]
    )
    Department.objects.filter(store=first, kind=DepartmentKind.GM_OFFICE, manager__isnull=True).update(
        manager=users[Role.GENERAL_MANAGER]
    )
    Staff.objects.filter(store=first, name=users[Role.CONSULTANT].display_name, user__isnull=True).exclude(
        pk__in=Staff.objects.filter(user=users[Role.CONSULTANT]).values("pk")
    ).update(user=users[Role.CONSULTANT])
    return users


def _customer(rng: random.Random, plan: _StorePlan) -> Customer:
    male = rng.random() < 0.68  # most buyers registered at a Toyota store are men
    today = timezone.localdate()
    birthday = datetime.date(rng.randint(1960, 2001), rng.randint(1, 12), rng.randint(1, 28))
    district, region = rng.choice(plan.districts)
    code = plan.store.code
    customer = Customer(
        store=plan.store,
        name=make_name(rng, male),
        gender=Gender.MALE if male else Gender.FEMALE,
        mobile=make_mobile(rng),
        province="安徽省",
        city=CITY[code],
        district=district,
        address=f"{CITY[code]}{district}{rng.choice(['人民路', '解放路', '长江路', '梅山路', '皖西大道', '佛子岭路'])}"
        f"{rng.randint(1, 300)}号",
        preferred_contact=rng.choice(["phone", "phone", "phone", "wechat", "sms"]),
        preferred_time=rng.choice(["", "工作日白天", "晚上7点前", "周末"]),
        may_call=rng.random() > 0.03,
        may_sms=rng.random() > 0.06,
    )
    if rng.random() < 0.85:
        customer.birthday = birthday
        customer.id_number = make_id_number(rng, region, birthday, male)
    if rng.random() < 0.12:
        area = "0564" if code == "LA" else "0551"
        customer.landline = f"{area}-{rng.randint(2, 8)}{rng.randrange(1_000_000):06d}"
    if rng.random() < 0.6:
        customer.occupation = rng.choice(Occupation.values)
        customer.industry = rng.choice(INDUSTRIES)
        customer.income_band = rng.choices(IncomeBand.values, weights=[1, 3, 4, 3])[0]
        customer.info_source = rng.choice(InfoSource.values)
        customer.hobbies = "、".join(rng.sample(HOBBIES, rng.randint(1, 3)))
        customer.marital_status = MaritalStatus.MARRIED if birthday.year < today.year - 30 else MaritalStatus.SINGLE
        customer.driving_years = max(1, min(30, today.year - birthday.year - rng.randint(18, 30)))
        customer.license_class = rng.choice(["C1", "C1", "C2", "B2", "A1"])
    customer.is_vip = rng.random() < 0.04
    customer.is_member = rng.random() < 0.3
    customer.member_level = rng.choice(["普卡", "银卡", "金卡"]) if customer.is_member else ""
    customer.is_referral = customer.info_source == InfoSource.FRIENDS
    return customer


def _vehicle(rng: random.Random, plan: _StorePlan, purchase_date: datetime.date, with_plate: bool = True) -> Vehicle:
    series, variants, _ = rng.choices(TOYOTA_MODELS, weights=[w for *_, w in TOYOTA_MODELS])[0]
    return Vehicle(
        store=plan.store,
        vin=make_vin(rng, purchase_date.year),
        plate=make_plate(rng, plan.plate_prefix) if with_plate else "",
        series=series,
        model=rng.choice(variants),
        exterior_colour=rng.choice(COLOURS),
        interior_colour=rng.choice(INTERIORS),
        purchase_date=purchase_date,
        purchased_here=rng.random() < 0.85,
        warranty_end=purchase_date.replace(year=purchase_date.year + 2)
        if not (purchase_date.month == 2 and purchase_date.day == 29)
        else purchase_date + datetime.timedelta(days=730),
        insurance_at_store=rng.random() < 0.55,
        insurance_date=purchase_date.replace(year=timezone.localdate().year)
        if purchase_date.month != 2 or purchase_date.day != 29
        else None,
    )


def seed_crm_demo(ctx: DemoContext) -> None:
    """The crm step of `seed_demo` (see the module docstring); puts what later steps need in ctx.data."""
    rng = ctx.rng
    today = timezone.localdate()
    plans, users = _ensure_organisation(rng)

    customers: list[Customer] = []
    vehicles: list[tuple[Vehicle, int]] = []  # (vehicle, index of its owner in `customers`)
    deliveries: list[tuple[int, int, _StorePlan, dict]] = []  # (vehicle idx, customer idx, plan, fields)
    repair_orders: list[tuple[int, int, _StorePlan, dict]] = []
    for plan in plans:
        code = plan.store.code
        n = CUSTOMERS_PER_STORE[code]
        ro_seq = 0
        for i in range(n):
            customers.append(_customer(rng, plan))
            owner = len(customers) - 1
            # 22 % bought in the last three months, 16 % in the nine months before (a thinner
            # history for the 12-month trends), the rest earlier.
            new_buyer = i < n * 0.38
            if new_buyer:
                recent = i < n * 0.22
                delivered_on = today - datetime.timedelta(days=rng.randint(0, 90) if recent else rng.randint(91, 395))
                vehicle = _vehicle(rng, plan, delivered_on, with_plate=rng.random() < 0.9)
                vehicles.append((vehicle, owner))
                purchase_type = rng.choices(PurchaseType.values, weights=[70, 15, 15])[0]
                deliveries.append(
                    (
                        len(vehicles) - 1,
                        owner,
                        plan,
                        {
                            "delivery_no": f"{code}XS{i + 1:06d}",
                            "delivered_on": delivered_on,
                            "sales_consultant": rng.choice(plan.sc),
                            "purchase_type": purchase_type,
                        },
                    )
                )
                # The first maintenance falls about three months after delivery.
                first_service = delivered_on + datetime.timedelta(days=rng.randint(55, 90))
                if first_service <= today and rng.random() < 0.7:
                    ro_seq += 1
                    repair_orders.append(
                        _ro_fields(
                            rng,
                            plan,
                            len(vehicles) - 1,
                            owner,
                            ro_seq,
                            first_service,
                            WorkType.FIRST_MAINTENANCE,
                            rng.randint(3000, 5500),
                            today,
                        )
                    )
                continue
            purchase_date = today - datetime.timedelta(days=rng.randint(200, 8 * 365))
            vehicle = _vehicle(rng, plan, purchase_date)
            vehicles.append((vehicle, owner))
            vidx = len(vehicles) - 1
            age_km = max(5000, (today - purchase_date).days * rng.randint(25, 60))
            vehicle.mileage_km = age_km
            vehicle.next_maintenance_km = (age_km // 5000 + 1) * 5000
            vehicle.next_maintenance_date = today + datetime.timedelta(days=rng.randint(-60, 150))
            if rng.random() < 0.6:
                # An earlier visit within the year (thinner history for the 12-month trends).
                ro_seq += 1
                day = max(
                    today - datetime.timedelta(days=rng.randint(95, 395)), purchase_date + datetime.timedelta(days=30)
                )
                repair_orders.append(
                    _ro_fields(rng, plan, vidx, owner, ro_seq, day, WorkType.PERIODIC_MAINTENANCE, age_km, today)
                )
            if rng.random() < 0.7:
                for _ in range(rng.choice([1, 1, 1, 2])):
                    ro_seq += 1
                    day = today - datetime.timedelta(days=rng.randint(0, 90))
                    work_type = rng.choices(
                        [
                            WorkType.PERIODIC_MAINTENANCE,
                            WorkType.GENERAL_REPAIR,
                            WorkType.BODY_PAINT,
                            WorkType.WARRANTY,
                            WorkType.OTHER,
                        ],
                        weights=[60, 20, 12, 5, 3],
                    )[0]
                    repair_orders.append(_ro_fields(rng, plan, vidx, owner, ro_seq, day, work_type, age_km, today))
            else:
                # No visit in the last three months; some not for over a year (lost customers).
                ro_seq += 1
                day = today - datetime.timedelta(days=rng.randint(95, 540))
                repair_orders.append(
                    _ro_fields(rng, plan, vidx, owner, ro_seq, day, WorkType.PERIODIC_MAINTENANCE, age_km, today)
                )

    Customer.objects.bulk_create(customers, ignore_conflicts=True, batch_size=500)
    store_ids = [p.store.pk for p in plans]
    customer_ids = {
        (s, m, n): pk
        for pk, s, m, n in Customer.objects.filter(store_id__in=store_ids).values_list(
            "pk", "store_id", "mobile", "name"
        )
    }

    def customer_id(idx: int) -> int:
        c = customers[idx]
        return customer_ids[(c.store.pk, c.mobile, c.name)]

    for vehicle, owner in vehicles:
        vehicle.owner_id = customer_id(owner)
    Vehicle.objects.bulk_create([v for v, _ in vehicles], ignore_conflicts=True, batch_size=500)
    vehicle_ids = dict(Vehicle.objects.filter(vin__in=[v.vin for v, _ in vehicles]).values_list("vin", "pk"))
    VehicleOwnership.objects.bulk_create(
        [
            VehicleOwnership(vehicle_id=vehicle_ids[v.vin], customer_id=v.owner_id, started_on=v.purchase_date)
            for v, _ in vehicles
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    Delivery.objects.bulk_create(
        [
            Delivery(
                store=plan.store, customer_id=customer_id(cidx), vehicle_id=vehicle_ids[vehicles[vidx][0].vin], **fields
            )
            for vidx, cidx, plan, fields in deliveries
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    RepairOrder.objects.bulk_create(
        [
            RepairOrder(
                store=plan.store, customer_id=customer_id(cidx), vehicle_id=vehicle_ids[vehicles[vidx][0].vin], **fields
            )
            for vidx, cidx, plan, fields in repair_orders
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    demo_customers = Customer.objects.filter(store_id__in=store_ids)
    customer_refresh_cards(customers=demo_customers)

    ctx.data.update(
        {
            "stores": [p.store for p in plans],
            "staff": list(Staff.objects.filter(store_id__in=store_ids)),
            "users": users,
            "customers": demo_customers,
            "deliveries": Delivery.objects.filter(store_id__in=store_ids),
            "repair_orders": RepairOrder.objects.filter(store_id__in=store_ids),
        }
    )
    ctx.data.setdefault("logins", []).extend(
        (str(Role(role).label), user.username, DEMO_PASSWORD) for role, user in users.items()
    )
    ctx.stdout.write(
        f"crm: {len(plans)} stores, {Staff.objects.filter(store_id__in=store_ids).count()} staff, "
        f"{demo_customers.count()} customers, {ctx.data['deliveries'].count()} deliveries, "
        f"{ctx.data['repair_orders'].count()} repair orders"
    )


def _ro_fields(rng, plan, vidx, cidx, seq, day, work_type, mileage_km, today) -> tuple:
    opened = _local(day, rng.randint(8, 16), rng.choice([0, 10, 20, 30, 40, 50]))
    hours = {WorkType.BODY_PAINT: (24, 96), WorkType.GENERAL_REPAIR: (3, 30)}.get(work_type, (1, 4))
    promised = opened + datetime.timedelta(hours=rng.randint(*hours))
    delivered = promised + datetime.timedelta(minutes=rng.choice([-60, -30, 0, 0, 15, 45, 120]))
    # A car still in the workshop today has no 交车时间 yet (and no callback until it has).
    if delivered > timezone.now():
        delivered = None
    base = {
        WorkType.FIRST_MAINTENANCE: 0,
        WorkType.PERIODIC_MAINTENANCE: 600,
        WorkType.GENERAL_REPAIR: 1500,
        WorkType.BODY_PAINT: 3000,
        WorkType.WARRANTY: 0,
        WorkType.OTHER: 300,
    }[work_type]
    estimate = Decimal(base + rng.randint(0, 1200)) if base else Decimal(0)
    amount = (estimate * Decimal(rng.choice(["0.95", "1.00", "1.00", "1.05", "1.25"]))).quantize(Decimal("1.00"))
    return (
        vidx,
        cidx,
        plan,
        {
            "ro_no": f"{plan.store.code}WX{seq:06d}",
            "opened_at": opened,
            "promised_at": promised,
            "delivered_at": delivered,
            "mileage_km": mileage_km,
            "service_advisor": rng.choice(plan.sa),
            "repair_team": rng.choice(plan.teams),
            "work_type": work_type,
            "estimate_amount": estimate,
            "amount": amount,
            "is_rework": work_type == WorkType.GENERAL_REPAIR and rng.random() < 0.06,
        },
    )
