"""Calls to customers about to be lost (即将流失, issue 10 item 6): the agents' queue, not only the
card and the win-back page, so that contact starts while the customer can still be kept.

The nightly scan (winback.tasks, the same beat entry as the lost-customer scan) opens one outreach
task of kind `at_risk` per customer and at-risk spell — the idempotency key names the customer and
the last visit that put him at risk (`at_risk:<customer>:<last visit>`), so a rerun, a second worker
or the next night opens nothing twice, and a customer who came back and drifts away again gets a new
call. The task's window closes the day he would be lost (`rules.lost_on`: last visit + the store's
lost months, the lost rule's own boundary), and
the scan closes the open ones whose customer is no longer at risk: he came back (also closed by the
DMS import's post-step at once), or he is lost (then the win-back call takes over). A customer who
refuses calls gets no task. Worked from the queue's win-back filter, with the win-back results.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from crm.importing import bulk
from crm.locks import advisory_xact_lock
from crm.models import Customer, Delivery, RepairOrder, Store
from retention.choices import OutreachKind, OutreachState
from retention.models import OutreachTask
from winback import rules
from winback.selectors import customers_at_risk

KEY_PREFIX = "at_risk:"


def _at_risk_rows(*, store_ids: list[int], on: dt.date, customers: QuerySet | None = None) -> list[tuple]:
    """(customer id, store id, may call, last visit date) of the customers at risk on `on`."""
    ros = RepairOrder.objects.filter(customer=OuterRef("pk")).order_by("-opened_at")
    deliveries = Delivery.objects.filter(customer=OuterRef("pk")).order_by("-delivered_on")
    rows = (
        customers_at_risk(customers=customers, store_ids=store_ids, on=on)
        .annotate(
            last_ro_at=Subquery(ros.values("opened_at")[:1]),
            last_delivery_on=Subquery(deliveries.values("delivered_on")[:1]),
        )
        .order_by("id")
        .values_list("id", "store_id", "may_call", "last_ro_at", "last_delivery_on")
    )
    return [
        (customer_id, store_id, may_call, rules.last_visit_on(last_ro_at=ro_at, last_delivery_on=delivery_on))
        for customer_id, store_id, may_call, ro_at, delivery_on in rows
    ]


def _close(task_ids: list[int], now: dt.datetime) -> int:
    if not task_ids:
        return 0
    return OutreachTask.objects.filter(id__in=bulk.ids_in(task_ids), state=OutreachState.OPEN).update(
        state=OutreachState.CLOSED, completed_at=now, claimed_by=None, claimed_at=None
    )


def at_risk_scan(*, on: dt.date, store_ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Open the at-risk calls of the customers at risk on `on` and close those of customers no
    longer at risk. Idempotent. Returns (opened, closed)."""
    stores = Store.objects.filter(is_active=True)
    if store_ids is not None:
        stores = stores.filter(id__in=list(store_ids))
    ids = list(stores.order_by("id").values_list("id", flat=True))
    if not ids:
        return 0, 0
    conf = rules.store_settings(ids)
    now = timezone.now()
    opens = rules.local_midnight(on)
    with transaction.atomic():
        advisory_xact_lock("winback.at_risk")  # one scan at a time; a second worker then finds nothing to do
        at_risk = _at_risk_rows(store_ids=ids, on=on)
        keep = {row[0] for row in at_risk}
        open_tasks = OutreachTask.objects.filter(
            kind=OutreachKind.AT_RISK, state=OutreachState.OPEN, store_id__in=ids
        ).values_list("id", "customer_id")
        closed = _close([task for task, customer in open_tasks if customer not in keep], now)
        tasks = []
        for customer_id, store_id, may_call, last_visit in at_risk:
            lost_on = rules.lost_on(last_visit, conf[store_id].lost_after_months)
            closes = rules.local_midnight(lost_on) - dt.timedelta(microseconds=1)
            if not may_call or closes < opens:
                continue
            tasks.append(
                {
                    "store_id": store_id,
                    "kind": OutreachKind.AT_RISK,
                    "customer_id": customer_id,
                    "vehicle_id": None,
                    "window_opens_at": opens,
                    "window_closes_at": closes,
                    "state": OutreachState.OPEN,
                    "key": f"{KEY_PREFIX}{customer_id}:{last_visit.isoformat()}",
                }
            )
        opened = len(bulk.insert_rows(OutreachTask, tasks, returning=("id",), skip_conflicts=True))
    return opened, closed


def at_risk_close_returned(*, customer_ids) -> int:
    """Close the open at-risk calls of these customers who are no longer at risk today (the DMS
    import's post-step: an RO just imported means the customer came back)."""
    tasks = list(
        OutreachTask.objects.filter(
            kind=OutreachKind.AT_RISK, state=OutreachState.OPEN, customer_id__in=customer_ids
        ).values_list("id", "customer_id", "store_id")
    )
    if not tasks:
        return 0
    store_ids = sorted({store for _task, _customer, store in tasks})
    still = {
        row[0]
        for row in _at_risk_rows(
            store_ids=store_ids,
            on=timezone.localdate(),
            customers=Customer.objects.filter(id__in=[c for _t, c, _s in tasks]),
        )
    }
    return _close([task for task, customer, _store in tasks if customer not in still], timezone.now())
