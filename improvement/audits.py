"""File audits (客户档案检核, SPEC §10.4, table 14): the weekly sample and the agent's findings.

Choices made here (SPEC is silent):
- The audited week is the previous calendar week (Monday–Sunday, Asia/Shanghai) of the day the
  sample is drawn; a sales file belongs to the week of its 交车日期, a service file (repair order) to
  the week of its 交车时间 (the file is complete once the car is handed back; an RO not delivered
  yet has no complete file to check).
- The sample is random but reproducible: a `random.Random` seeded with the store's code, the ISO
  week and the kind draws from the week's files sorted by their number (销售协议号 / 工单号). The
  same store and week give the same sample whatever else was imported, in any order.
- Drawn once: a store's week that has audits is never drawn again (a file of that week imported
  late would change the draw), and the (store, week, file) constraints stop a second worker's
  rows. The beat task runs every day for the previous week, so a missed Monday is caught up on
  Tuesday with the same sample.
- An audit week belongs to the month of its Monday (table 14's `--month`): the week of Monday
  28 Sep – Sunday 4 Oct is September's.
"""

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.importing import bulk
from crm.models import Delivery, RepairOrder, Staff, Store, User
from improvement.choices import AUDIT_SAMPLE_SIZE, AuditStatus, FileKind
from improvement.models import FileAudit


def week_monday(day: dt.date) -> dt.date:
    """The Monday of the week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def audit_week_for(day: dt.date) -> dt.date:
    """The week audited when the sample is drawn on `day`: the previous calendar week's Monday."""
    return week_monday(day) - dt.timedelta(days=7)


def week_bounds(week: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00, local time."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(week, dt.time.min, tz)
    return start, start + dt.timedelta(days=7)


def _draw(*, store: Store, week: dt.date, kind: str, files: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Up to AUDIT_SAMPLE_SIZE of `files` ((id, number) sorted by number), the same for the same
    store, ISO week and kind."""
    if len(files) <= AUDIT_SAMPLE_SIZE:
        return files
    iso_year, iso_week, _weekday = week.isocalendar()
    rng = random.Random(f"file-audit:{store.code}:{iso_year}-W{iso_week:02d}:{kind}")
    return sorted(rng.sample(files, AUDIT_SAMPLE_SIZE), key=lambda f: (f[1], f[0]))


def week_files(*, store: Store, week: dt.date) -> dict[str, list[tuple[int, str]]]:
    """The week's sales files (deliveries) and service files (delivered repair orders) of the store,
    as (id, number) sorted by number. Two queries."""
    start, end = week_bounds(week)
    deliveries = Delivery.objects.filter(store=store, delivered_on__gte=week, delivered_on__lt=end.date())
    ros = RepairOrder.objects.filter(store=store, delivered_at__gte=start, delivered_at__lt=end)
    return {
        FileKind.SALES: list(deliveries.order_by("delivery_no", "id").values_list("id", "delivery_no")),
        FileKind.SERVICE: list(ros.order_by("ro_no", "id").values_list("id", "ro_no")),
    }


def file_audit_sample(*, store: Store, week: dt.date) -> int:
    """Draw the store's sample of the week starting on Monday `week`; returns the audits created
    (0 when the week was drawn already)."""
    if week.weekday() != 0:
        raise ValueError(f"{week} is not a Monday")
    if FileAudit.objects.filter(store=store, week=week).exists():
        return 0
    files = week_files(store=store, week=week)
    rows: list[dict] = []
    for kind, field in ((FileKind.SALES, "delivery_id"), (FileKind.SERVICE, "repair_order_id")):
        for file_id, _number in _draw(store=store, week=week, kind=kind, files=files[kind]):
            row = {"store_id": store.pk, "week": week, "kind": kind, "position": len(rows) + 1}
            rows.append({**row, "delivery_id": None, "repair_order_id": None, field: file_id})
    # insert_rows says which rows went in: a second worker drawing the same week reports 0, not 20.
    with transaction.atomic():
        return len(bulk.insert_rows(FileAudit, rows, skip_conflicts=True))


def file_audits_sample_week(*, week: dt.date, stores: QuerySet[Store] | None = None) -> dict[str, int]:
    """Every (active) store's sample of the week: {store code: audits created}."""
    stores = Store.objects.filter(is_active=True) if stores is None else stores
    return {store.code: file_audit_sample(store=store, week=week) for store in stores.order_by("code")}


def file_audit_record(
    *,
    audit: FileAudit,
    user: User,
    status: str,
    abnormal_description: str = "",
    improvement_measure: str = "",
    responsible: Staff | None = None,
) -> FileAudit:
    """Record what the agent found. 异常 needs a description; the person responsible must be a staff
    member of the audit's store."""
    if status not in AuditStatus.values:
        raise ValidationError(_("请选择检核状态。"))
    if status == AuditStatus.ABNORMAL and not abnormal_description.strip():
        raise ValidationError(_("检核状态为异常时请填写异常状态描述。"))
    if responsible is not None and responsible.store_id != audit.store_id:
        raise ValidationError(_("问题责任人须为本店员工。"))
    audit.status = status
    audit.abnormal_description = abnormal_description.strip()
    audit.improvement_measure = improvement_measure.strip()
    audit.responsible = responsible
    audit.checked_by = user
    audit.checked_at = timezone.now()
    audit.save(
        update_fields=[
            "status",
            "abnormal_description",
            "improvement_measure",
            "responsible",
            "checked_by",
            "checked_at",
        ]
    )
    return audit
