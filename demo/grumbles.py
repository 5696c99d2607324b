"""`seed_demo` step (issue 14 items 2, 3): grumbles with their table-5 handling, the staff member
complained about on complaint cases, and one attachment (a tiny generated PNG) per store.

Runs after the complaints step, from the database: the hot alerts it did not turn into cases are
the grumbles. Recent grumbles are still being handled; older ones are handled and most have their
follow-up call. Idempotent per store: a store with any grumble record, any complained staff or any
attachment keeps what it has. Through the services (demo_clock for the past), so the records are
what the pages would have produced.
"""

import datetime as dt
import random
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from callbacks.grumbles.rules import not_a_case_filter
from callbacks.grumbles.services import grumble_recall, grumble_save
from callbacks.models import Grumble, HotAlert
from complaints.attachments import attachment_upload
from complaints.choices import Category
from complaints.models import Case, CaseAttachment
from crm.choices import StaffRole
from crm.models import Staff, Store, User
from demo.context import DemoContext, demo_clock

CR_MANAGER_USERNAME = "crmanager"
GRUMBLES_PER_STORE = 24
HANDLING = [
    ("服务经理致电致歉，说明等待原因，下次保养预约优先安排。", "客户接受致歉，表示下次会预约。"),
    ("安排重新洗车并检查内饰，赠送一次免费洗车。", "客户到店确认洗车干净，表示满意。"),
    ("服务顾问电话解释结算项目，退还多收的工时费。", "客户认可解释，差价已退。"),
    ("销售经理上门补装脚垫，并就交车疏漏道歉。", "客户接受处理。"),
]
RECALLS = ["客户对处理结果满意。", "客户表示基本满意，希望以后交车更快。", "客户满意，感谢回访。"]


def tiny_png() -> bytes:
    """A valid 1×1 PNG (signature, IHDR, IDAT, IEND), made here so the demo ships no binary file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xcc\x33\x33")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _seed_grumbles(store: Store, manager: User, rng: random.Random, now: dt.datetime) -> int:
    if Grumble.objects.filter(alert__task__store=store).exists():
        return 0
    alerts = list(
        HotAlert.objects.filter(not_a_case_filter(), task__store=store, raised_at__lt=now)
        .select_related("task__store", "task__repair_order__service_advisor__department")
        .order_by("-raised_at")[:GRUMBLES_PER_STORE]
    )
    staff = list(Staff.objects.filter(store=store, is_active=True).select_related("department").order_by("pk")[:40])
    made = 0
    for n, alert in enumerate(alerts):
        ro = alert.task.repair_order
        person = ro.service_advisor if ro else (rng.choice(staff) if staff else None)
        handling, summary = rng.choice(HANDLING)
        content = "；".join(alert.reasons)
        category = rng.choice([Category.ATTITUDE, Category.REPAIR_QUALITY, Category.FEES, Category.OTHER])
        age = now - alert.raised_at
        with demo_clock(alert.raised_at + dt.timedelta(hours=3)):
            if n % 4 == 0 or age < dt.timedelta(days=2):  # recent ones and a few more: just begun
                grumble_save(alert=alert, user=manager, category=category, content=content, handling=handling[:12])
                made += 1
                continue
            handled = alert.raised_at + dt.timedelta(days=rng.randint(1, 2))
            grumble_save(
                alert=alert,
                user=manager,
                category=category,
                content=content,
                handling=handling,
                responsible_staff=person,
                handled_on=timezone.localtime(min(handled, now)).date(),
                result_summary=summary,
            )
        recall_at = alert.raised_at + dt.timedelta(days=3)
        if recall_at < now and n % 3:
            with demo_clock(recall_at):
                grumble_recall(alert=alert, user=manager, note=rng.choice(RECALLS), at=recall_at)
        made += 1
    return made


def _seed_complained_staff(store: Store, rng: random.Random) -> int:
    """Name the person complained about on about half of the store's cases: a consultant or advisor
    of the case's department (a demo shortcut: a plain update, the cases' histories stay as built)."""
    if Case.objects.filter(store=store, complained_staff__isnull=False).exists():
        return 0
    people = list(
        Staff.objects.filter(
            store=store, is_active=True, role__in=[StaffRole.SALES_CONSULTANT, StaffRole.SERVICE_ADVISOR]
        ).order_by("pk")
    )
    if not people:
        return 0
    # A few people draw most complaints, as in a real store: the weekly report has a top.
    weights = [8, 5, 3] + [1] * (len(people) - 3) if len(people) > 3 else [1] * len(people)
    by_person: dict[int, list[int]] = {}
    for case_id in Case.objects.filter(store=store).order_by("pk").values_list("pk", flat=True):
        if rng.random() < 0.5:
            by_person.setdefault(rng.choices(people, weights)[0].pk, []).append(case_id)
    for staff_id, case_ids in by_person.items():
        Case.objects.filter(pk__in=case_ids).update(complained_staff_id=staff_id)
    return sum(len(ids) for ids in by_person.values())


def _seed_attachment(store: Store, manager: User) -> int:
    if CaseAttachment.objects.filter(case__store=store).exists():
        return 0
    case = Case.objects.filter(store=store, category=Category.REPAIR_QUALITY).order_by("-received_at").first()
    if case is None:
        return 0
    upload = SimpleUploadedFile("车门色差照片.png", tiny_png(), content_type="image/png")
    with demo_clock(case.received_at + dt.timedelta(minutes=20)):
        attachment_upload(case=case, user=manager, upload=upload, note="客户微信发来的照片")
    return 1


def seed_grumbles_demo(ctx: DemoContext) -> None:
    now = timezone.now()
    manager = User.objects.filter(username=CR_MANAGER_USERNAME).first()
    if manager is None:
        return
    for store in Store.objects.order_by("code"):
        if not manager.stores.filter(pk=store.pk).exists():
            continue
        rng = random.Random(f"grumbles:{store.code}")
        grumbles = _seed_grumbles(store, manager, rng, now)
        named = _seed_complained_staff(store, rng)
        files = _seed_attachment(store, manager)
        ctx.stdout.write(
            f"grumbles: {grumbles} grumbles, {named} cases with complained staff, {files} file for {store.code}"
        )
