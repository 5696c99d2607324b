"""The complaints seed_demo step: cases in every state and colour, idempotent."""

import io
import random

from django.utils import timezone

from complaints.choices import CaseState
from complaints.demo import seed_complaints_demo
from complaints.models import Case
from complaints.selectors import with_sla_colour
from crm.choices import DepartmentKind
from crm.demo import DemoContext
from tests.factories import CustomerFactory, DepartmentFactory


def test_demo_cases_cover_every_state_and_colour(store_a, department_manager):
    DepartmentFactory(store=store_a, kind=DepartmentKind.SERVICE, manager=department_manager)
    CustomerFactory.create_batch(40, store=store_a)
    ctx = DemoContext(rng=random.Random(1), stdout=io.StringIO())
    seed_complaints_demo(ctx)
    seed_complaints_demo(ctx)
    assert Case.objects.count() == 40
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    colours = set(with_sla_colour(Case.objects.all(), timezone.now()).values_list("sla_colour", flat=True))
    assert colours == {"white", "yellow", "red", "grey"}
