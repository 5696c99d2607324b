"""Reads of the customer files: search, the customer page, its audit trail and timeline entries."""

import datetime
import re
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from crm.choices import WorkType
from crm.masking import mask_id_number, mask_phone
from crm.models import Customer, Delivery, ImportJob, RepairOrder, Vehicle, VehicleOwnership
from crm.scoping import get_scoped_or_404, scope_for_user, user_store_ids
from crm.timeline import TimelineEntry

_CJK_RE = re.compile(r"[\u4e00-\u9fff]")
_PLATE_START_RE = re.compile(r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-Z]")
# Fewer characters than a trigram would match a large share of 300,000 customers and use no index.
MIN_FRAGMENT = 3


def _normalize_query(query: str) -> str:
    """Drop separators people type or paste (spaces, dashes, the dot of `皖N·12345`) and upper-case."""
    query = (query or "").strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return re.sub(r"[\s\-·.•_]", "", query).upper()


def _matching_customer_ids(query: str) -> QuerySet | None:
    """A `SELECT id ... UNION SELECT owner_id ...` subquery of customers matching `query`.

    Why a union of id subqueries: an `OR` across the customer and vehicle tables (`mobile LIKE … OR
    vehicles.plate LIKE …`) forces PostgreSQL into a join and a sequential scan of 300,000 rows,
    whereas each branch alone is an index scan — the trigram GIN indexes of migration 0002 for
    substrings, prefixes and suffixes (`name LIKE '张伟%'`, `mobile LIKE '%1234'`, `vin LIKE
    '%123456'`), the b-tree indexes for an exact mobile or VIN. Each branch is chosen by what the
    query looks like, so a name is never compared with VINs.

    Returns None when the query cannot match anything (too short to search).
    """
    q = _normalize_query(query)
    if not q:
        return None
    # No ordering inside the union: an ORDER BY there makes PostgreSQL walk the primary key instead
    # of the search index.
    customers = Customer.objects.order_by()
    vehicles = Vehicle.objects.order_by()
    branches: list[QuerySet] = []
    if _PLATE_START_RE.match(q):
        branches.append(vehicles.filter(plate__startswith=q).values("owner_id"))
    elif _CJK_RE.search(q):
        # Names are 2–3 characters: a prefix (`张`, `张伟`) anchors the trigram at the word start,
        # which a substring of two characters could not.
        branches.append(customers.filter(name__startswith=q).values("id"))
    elif q.isdigit():
        if len(q) == 11:
            branches.append(customers.filter(mobile=q).values("id"))
        elif len(q) >= MIN_FRAGMENT:
            branches.append(customers.filter(Q(mobile__startswith=q) | Q(mobile__endswith=q)).values("id"))
        if len(q) >= MIN_FRAGMENT:
            # The digits of a plate (`皖N12345`) or the serial at the end of a VIN (last 6).
            branches.append(vehicles.filter(plate__contains=q).values("owner_id"))
            branches.append(vehicles.filter(vin__endswith=q).values("owner_id"))
    elif q.isalnum() and q.isascii():
        if len(q) == 17:
            branches.append(vehicles.filter(vin=q).values("owner_id"))
        elif len(q) >= MIN_FRAGMENT:
            branches.append(vehicles.filter(plate__contains=q).values("owner_id"))
            branches.append(vehicles.filter(vin__endswith=q).values("owner_id"))
    if not branches:
        return None
    first, *rest = branches
    return first.union(*rest) if rest else first


def customer_search(*, user, query: str = "", card_type: str | None = None, store_id: int | None = None) -> QuerySet:
    """Customers of the user's stores matching a name, mobile, plate or VIN, newest first.

    - name: prefix (`张`, `张伟`); mobile: full, prefix (`1385`) or last digits (`1234`);
      plate: full (`皖N12345`, `皖N·12345`) or any part of 3+ characters (`N123`, `12345`);
      VIN: full or a suffix (last 6, the serial).
    - Search branches run as a union of id subqueries (see `_matching_customer_ids`); the scope,
      card type and store filters apply to the outer query.
    """
    qs = scope_for_user(Customer.objects.select_related("store"), user)
    ordering = F("id").desc()
    if query and query.strip():
        ids = _matching_customer_ids(query)
        if ids is None:
            return qs.none()
        qs = qs.filter(id__in=ids)
        # Newest first, but sorted after the match: PostgreSQL misjudges how many ids the union
        # returns and, for `ORDER BY id DESC LIMIT 25`, walks the primary key backwards over up to
        # 300,000 customers until it meets the one that matched (290 ms for an old customer's
        # mobile on the scale data). `id + 0` is no index order, so it looks the matches up by id
        # and sorts those few rows instead (a few ms).
        ordering = (F("id") + 0).desc()
    if card_type:
        qs = qs.filter(card_type=card_type)
    if store_id:
        qs = qs.filter(store_id=store_id)
    return qs.order_by(ordering, "-id")


def customer_list_page(*, customers: QuerySet) -> QuerySet:
    """The list's rows with their current vehicles in one extra query, whatever the page size."""
    return customers.prefetch_related(
        Prefetch("vehicles", queryset=Vehicle.objects.only("id", "owner_id", "plate", "model", "series").order_by("id"))
    )


def customer_get(*, user, pk: int) -> Customer:
    """One customer of the user's stores (404 otherwise), with its visit figures of table 10.

    The counts of visits in the last 6 / 12 / 36 months, first-maintenance-here, repeat purchase:
    aggregated in the database in the same query.
    """
    now = timezone.now()
    ros = RepairOrder.objects.filter(customer=OuterRef("pk"))
    qs = Customer.objects.select_related("store").annotate(
        visits_6m=Count(
            "repair_orders", filter=Q(repair_orders__opened_at__gte=now - datetime.timedelta(days=183)), distinct=True
        ),
        visits_12m=Count(
            "repair_orders", filter=Q(repair_orders__opened_at__gte=now - datetime.timedelta(days=365)), distinct=True
        ),
        visits_36m=Count(
            "repair_orders", filter=Q(repair_orders__opened_at__gte=now - datetime.timedelta(days=1096)), distinct=True
        ),
        delivery_count=Count("deliveries", distinct=True),
        first_maintenance_here=Exists(ros.filter(work_type=WorkType.FIRST_MAINTENANCE)),
    )
    return get_scoped_or_404(qs, user, pk=pk)


def customer_vehicles(*, customer: Customer) -> list[Vehicle]:
    """Vehicles the customer owns or owned, each with its ownership history (2 queries in all)."""
    owned = VehicleOwnership.objects.filter(customer=customer).values("vehicle_id")
    return list(
        Vehicle.objects.filter(Q(owner=customer) | Q(id__in=owned))
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "ownerships",
                queryset=VehicleOwnership.objects.select_related("customer").order_by("-started_on", "-id"),
            )
        )
        .order_by("-purchase_date", "-id")
    )


@dataclass(frozen=True)
class AuditChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditRow:
    at: datetime.datetime
    actor: str
    action: str
    changes: list[AuditChange]


_MASKED_FIELDS = {"mobile": "phone", "landline": "phone", "id_number": "id"}


def _masked(name: str, value: str) -> str:
    """A customer field's value through the one masking rule (crm.masking)."""
    return mask_phone(value) if _MASKED_FIELDS[name] == "phone" else mask_id_number(value)


def _display(field, value) -> str:
    if value in (None, "None", ""):
        return "—"
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.get_internal_type() == "BooleanField":
        return _("是") if str(value) in ("True", "true", "1") else _("否")
    return str(value)


_AUDIT_ACTIONS = {
    LogEntry.Action.CREATE: pgettext_lazy("change log action", "建档"),
    LogEntry.Action.UPDATE: pgettext_lazy("change log action", "修改"),
    LogEntry.Action.DELETE: pgettext_lazy("change log action", "删除"),
}


def customer_audit_trail(*, customer: Customer, full_numbers: bool = False, limit: int = 50) -> list[AuditRow]:
    """Who changed what on the customer file and when (django-auditlog), newest first; one query.
    Old and new phone and id numbers are masked unless `full_numbers`, as on the card itself."""
    content_type = ContentType.objects.get_for_model(Customer)  # cached by Django after the first call
    entries = (
        LogEntry.objects.filter(content_type=content_type, object_pk=str(customer.pk))
        .select_related("actor")
        .order_by("-timestamp", "-id")[:limit]
    )
    rows = []
    for entry in entries:
        changes = []
        # A creation lists every field; the card itself shows those values, so only edits list fields.
        changed = {} if entry.action == LogEntry.Action.CREATE else (entry.changes_dict or {})
        for name, values in changed.items():
            try:
                field = Customer._meta.get_field(name)
                label = str(field.verbose_name)
            except (FieldDoesNotExist, AttributeError):
                field, label = None, name
            old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
            if name in _MASKED_FIELDS and not full_numbers:
                old, new = (_masked(name, v) if v not in (None, "None") else v for v in (old, new))
            changes.append(AuditChange(label, _display(field, old), _display(field, new)))
        rows.append(
            AuditRow(
                at=entry.timestamp,
                actor=str(entry.actor) if entry.actor else _("系统"),
                action=str(_AUDIT_ACTIONS.get(entry.action, entry.get_action_display())),
                changes=changes,
            )
        )
    return rows


def crm_timeline_entries(customer: Customer, user=None) -> list[TimelineEntry]:
    """Deliveries and repair orders of the customer (a timeline provider: 2 queries, whatever the count)."""
    entries = []
    deliveries = Delivery.objects.filter(customer=customer).select_related("vehicle", "sales_consultant")
    for d in deliveries:
        at = timezone.make_aware(datetime.datetime.combine(d.delivered_on, datetime.time(12)))
        entries.append(
            TimelineEntry(
                at=at,
                kind="delivery",
                title=_("交车 %(no)s") % {"no": d.delivery_no},
                body=" · ".join(
                    filter(
                        None,
                        [
                            d.vehicle.model,
                            d.vehicle.plate,
                            _("销售顾问 %(n)s") % {"n": d.sales_consultant.name},
                            d.get_purchase_type_display(),
                        ],
                    )
                ),
                icon="key",
                tone="primary",
            )
        )
    ros = RepairOrder.objects.filter(customer=customer).select_related("vehicle", "service_advisor", "repair_team")
    for ro in ros:
        parts = [
            ro.get_work_type_display(),
            ro.vehicle.plate or ro.vehicle.vin,
            f"{ro.mileage_km} km" if ro.mileage_km is not None else "",
            _("服务顾问 %(n)s") % {"n": ro.service_advisor.name},
            ro.repair_team.name if ro.repair_team else "",
            f"¥{ro.amount}" if ro.amount is not None else "",
            _("返修") if ro.is_rework else "",
        ]
        entries.append(
            TimelineEntry(
                at=ro.opened_at,
                kind="repair_order",
                title=_("工单 %(no)s") % {"no": ro.ro_no},
                body=" · ".join(filter(None, parts)),
                icon="wrench-adjustable",
                tone="danger" if ro.is_rework else "success",
            )
        )
    return entries


def customer_url(customer: Customer) -> str:
    return reverse("crm:customer_detail", args=[customer.pk])


@dataclass(frozen=True)
class CardSection:
    """A section of the A/C card (seed 001 tables 9–10) and the customer fields it holds."""

    key: str
    title: object  # a lazy translation
    fields: tuple[str, ...]
    editable: bool = True


# The order and grouping of the paper cards: 基本信息, 联系信息, 个人信息, then the relationship
# fields of the C card. Vehicle fields (车辆信息) are shown per vehicle.
CARD_SECTIONS: tuple[CardSection, ...] = (
    CardSection("basic", gettext_lazy("基本信息"), ("name", "gender", "birthday", "ethnicity", "id_number")),
    CardSection(
        "contact",
        gettext_lazy("联系信息"),
        (
            "mobile",
            "landline",
            "email",
            "im_account",
            "province",
            "city",
            "district",
            "address",
            "mailing_address",
            "postcode",
            "preferred_contact",
            "preferred_time",
            "may_call",
            "may_sms",
        ),
    ),
    CardSection(
        "personal",
        gettext_lazy("个人信息"),
        (
            "industry",
            "occupation",
            "position",
            "income_band",
            "hobbies",
            "personality",
            "clubs",
            "marital_status",
            "wedding_anniversary",
            "education",
            "school",
            "license_class",
            "license_review_date",
            "driving_years",
        ),
    ),
    CardSection(
        "relationship",
        gettext_lazy("客户关系"),
        ("info_source", "is_referral", "is_member", "member_level", "is_vip", "notes"),
    ),
)
CARD_SECTION_BY_KEY = {s.key: s for s in CARD_SECTIONS}


@dataclass(frozen=True)
class CardRow:
    label: str
    value: str
    wide: bool = False


def customer_card_sections(*, customer: Customer, full_numbers: bool) -> list[tuple[CardSection, list[CardRow]]]:
    """The card's sections with display values, phone and id numbers masked unless `full_numbers`."""
    out = []
    for section in CARD_SECTIONS:
        rows = []
        for name in section.fields:
            field = Customer._meta.get_field(name)
            raw = getattr(customer, name)
            if name in _MASKED_FIELDS and raw and not full_numbers:
                value = _masked(name, raw)
            elif isinstance(raw, bool):
                value = _("是") if raw else _("否")
            elif field.choices:
                value = getattr(customer, f"get_{name}_display")()
            elif isinstance(raw, datetime.date):
                value = raw.isoformat()
            else:
                value = "" if raw is None else str(raw)
            rows.append(
                CardRow(
                    str(field.verbose_name),
                    value or "—",
                    wide=name in ("address", "mailing_address", "notes", "hobbies"),
                )
            )
        out.append((section, rows))
    return out


# --- DMS import jobs ----------------------------------------------------------------------------


def import_jobs_visible(*, user) -> QuerySet[ImportJob]:
    """Jobs of the user's stores and the user's own uploads (a job without a default store may
    hold rows of several stores; its uploader and group-level users see it)."""
    store_ids = user_store_ids(user)
    jobs = ImportJob.objects.select_related("store", "created_by")
    if store_ids is None:
        return jobs
    return jobs.filter(Q(store_id__in=store_ids) | Q(created_by=user))


def import_jobs_recent(*, user, limit: int = 20) -> list[ImportJob]:
    return list(import_jobs_visible(user=user).defer("problems").order_by("-created_at")[:limit])
