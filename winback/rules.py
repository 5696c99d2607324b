"""THE rules of lost and about-to-be-lost customers (SPEC §10.3, issue 10 item 6), once.

A customer's **last visit** (`last_visit_on`) is the latest of their repair orders' 进厂时间 (as a
local date, Asia/Shanghai: an RO opened at 00:30 local on a day belongs to that day) and their
deliveries' dates. A customer is **lost** on day D when the last visit is on or before D − N months
(N = the store's `lost_after_months`, default 12; "+/− N months" keeps the day of the month, clamped
to the month's last day), and **at risk** (即将流失) when it is on or before D − M months (default 9) but
not lost; the first day he is lost is `lost_on` (where the at-risk call's window ends). A customer
with no visit at all has no last visit and is neither.

The rules are written as ORM conditions over the visits: `crm.Customer.last_visit_at` counts repair
orders only (not deliveries) and is kept by the import's card refresh, not by every writer, so it is
not this rule. It is used only to narrow the customers the rule is evaluated for (the `*_candidates_q`
below, answered by the (store, last_visit_at) index): a customer whose stored value is empty or
older than their real last RO is still a candidate and the exact rule decides; only a stored value
*later* than every RO the customer has would hide them, and nothing lowers an RO's 进厂时间 without
the import refreshing the card. The conditions compare `opened_at` with aware local midnights, so
that the (customer, opened_at) index answers them without converting every row's time zone.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from crm.models import Customer, Delivery, RepairOrder
from crm.periods import add_months
from winback.models import WinbackSettings

DEFAULTS = WinbackSettings()  # unsaved: the defaults for a store without a row


def months_before(day: dt.date, months: int) -> dt.date:
    """`day` − `months` calendar months, the day of the month clamped (31 Mar − 1 month = 28/29 Feb):
    crm.periods.add_months backwards."""
    return add_months(day, -months)


def lost_on(last_visit: dt.date, months: int) -> dt.date:
    """The first day a customer with this last visit is lost (`lost_q`, `visit_status`): the last
    visit + `months` months — or the day after, when the target month's end clamped it (a last visit
    on 31 March, with 11 months, is still not lost on 28 February: 28 Feb − 11 months = 28 March)."""
    day = add_months(last_visit, months)
    return day if months_before(day, months) >= last_visit else day + dt.timedelta(days=1)


def last_visit_on(*, last_ro_at: dt.datetime | None, last_delivery_on: dt.date | None) -> dt.date | None:
    """THE last visit of a customer from his latest RO 进厂时间 and latest delivery date: the later
    of the RO's local date (Asia/Shanghai, the default time zone — not the request's) and the
    delivery date; None with neither. The at-risk scan, the card's flag and the at-risk page read it."""
    tz = timezone.get_default_timezone()
    days = [d for d in (timezone.localdate(last_ro_at, tz) if last_ro_at else None, last_delivery_on) if d is not None]
    return max(days) if days else None


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, timezone.get_default_timezone())


def store_settings(store_ids) -> dict[int, WinbackSettings]:
    """Settings per store id (unsaved defaults for a store without a row); one query."""
    ids = set(store_ids)
    found = {s.store_id: s for s in WinbackSettings.objects.filter(store_id__in=ids)}
    return {sid: found.get(sid, DEFAULTS) for sid in ids}


def _ros(**filters) -> QuerySet:
    return RepairOrder.objects.filter(customer=OuterRef("pk"), **filters).order_by()


def _deliveries(**filters) -> QuerySet:
    return Delivery.objects.filter(customer=OuterRef("pk"), **filters).order_by()


def visited_q() -> Q:
    """The customer has a last visit (at least one RO or delivery)."""
    return Q(Exists(_ros())) | Q(Exists(_deliveries()))


def visited_after_q(day: dt.date) -> Q:
    """The last visit is after `day` (a visit on a later local day)."""
    return Q(Exists(_ros(opened_at__gte=local_midnight(day + dt.timedelta(days=1))))) | Q(
        Exists(_deliveries(delivered_on__gt=day))
    )


def lost_candidates_q(*, on: dt.date, months: int) -> Q:
    """Customers who may be lost on `on` (an index range on the stored last RO time; see the module)."""
    boundary = local_midnight(months_before(on, months) + dt.timedelta(days=1))
    return Q(last_visit_at__isnull=True) | Q(last_visit_at__lt=boundary)


def at_risk_candidates(*, store_ids: list[int], on: dt.date, at_risk_months: int, lost_months: int) -> QuerySet:
    """The ids of the customers who may be at risk on `on`: a stored last RO time in the window (the
    (store, last_visit_at) index) or a delivery in it (the deliveries' (store, date) index)."""
    recent_cut, lost_cut = months_before(on, at_risk_months), months_before(on, lost_months)
    start, end = local_midnight(lost_cut + dt.timedelta(days=1)), local_midnight(recent_cut + dt.timedelta(days=1))
    by_ro = Customer.objects.filter(store_id__in=store_ids, last_visit_at__gte=start, last_visit_at__lt=end)
    by_delivery = Delivery.objects.filter(
        store_id__in=store_ids, delivered_on__gt=lost_cut, delivered_on__lte=recent_cut
    )
    return by_ro.order_by().values("pk").union(by_delivery.order_by().values("customer_id"), all=True)


def lost_q(*, on: dt.date, months: int) -> Q:
    """Lost on `on`: a last visit on or before `on` − `months` months."""
    return visited_q() & ~visited_after_q(months_before(on, months))


def at_risk_q(*, on: dt.date, at_risk_months: int, lost_months: int) -> Q:
    """At risk on `on`: a last visit on or before `on` − `at_risk_months` months, after `on` − `lost_months`."""
    return ~visited_after_q(months_before(on, at_risk_months)) & visited_after_q(months_before(on, lost_months))


@dataclass(frozen=True)
class VisitStatus:
    last_visit_on: dt.date | None
    lost: bool
    at_risk: bool


def visit_status(
    *, last_ro_at: dt.datetime | None, last_delivery_on: dt.date | None, on: dt.date, settings: WinbackSettings
) -> VisitStatus:
    """Where a customer with this last RO time and last delivery date stands on `on`."""
    last = last_visit_on(last_ro_at=last_ro_at, last_delivery_on=last_delivery_on)
    if last is None:
        return VisitStatus(None, False, False)
    lost = last <= months_before(on, settings.lost_after_months)
    at_risk = not lost and last <= months_before(on, settings.at_risk_after_months)
    return VisitStatus(last, lost, at_risk)
