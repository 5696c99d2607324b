"""The complaints seed_demo step: a year of cases through the real services, every state and
colour, 8–20 a month, idempotent."""

import io
import random

from django.utils import timezone

from complaints.choices import CaseState
from complaints.models import Case, CaseEvent
from complaints.selectors import with_sla_colour
from crm import periods
from crm.choices import DepartmentKind
from demo.complaints import PER_MONTH, seed_complaints_demo
from demo.context import DemoContext, demo_clock
from reports.dashboard import kpis
from tests.factories import CustomerFactory, DepartmentFactory


def test_demo_cases_cover_every_state_and_colour_over_a_year(store_a, department_manager):
    DepartmentFactory(store=store_a, kind=DepartmentKind.SERVICE, manager=department_manager)
    CustomerFactory.create_batch(40, store=store_a)
    ctx = DemoContext(rng=random.Random(1), stdout=io.StringIO())
    seed_complaints_demo(ctx)
    made = Case.objects.count()
    events = CaseEvent.objects.count()
    seed_complaints_demo(ctx)
    assert (Case.objects.count(), CaseEvent.objects.count()) == (made, events)
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    now = timezone.now()
    colours = set(with_sla_colour(Case.objects.all(), now).values_list("sla_colour", flat=True))
    assert colours == {"white", "yellow", "red", "grey"}
    # 8–20 a month over the twelve months of the dashboard's trend (the current one is partial).
    trend = kpis.monthly_counts(
        store_ids=[store_a.pk], last_month=periods.add_months(timezone.localdate(now).replace(day=1), -1)
    )
    received = [m["complaints"]["received"] for m in trend]
    assert all(PER_MONTH[0] - 3 <= n <= PER_MONTH[1] for n in received), received
    # The service clock ran at each step's moment: received, dispatched, contacted in order.
    for case in Case.objects.exclude(dispatched_at=None):
        assert case.received_at < case.dispatched_at < now
        events = list(case.events.order_by("id").values_list("at", flat=True))
        assert events == sorted(events) and events[0] == case.received_at


def test_demo_clock_sets_the_time_of_services():
    at = timezone.now() - timezone.timedelta(days=100)
    with demo_clock(at):
        assert timezone.now() == at
        assert timezone.localdate() == timezone.localtime(at).date()
    assert timezone.now() > at
