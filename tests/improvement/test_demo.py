"""The improvement seed_demo step: four weeks of audits (older weeks checked), two meetings with
actions at different stages (signed off, overdue), idempotent."""

import datetime as dt
import io
import random

import time_machine

from demo.context import DemoContext
from demo.improvement import seed_improvement_demo
from improvement.models import EqcAction, FileAudit, ImprovementMeeting
from improvement.selectors import overdue_filter
from tests.factories import DeliveryFactory, StaffFactory
from tests.improvement.factories import local


def test_demo_audits_and_meetings_at_different_stages(store_a, agent, cr_manager, general_manager):
    with time_machine.travel(local(2026, 11, 12, 10), tick=False):
        StaffFactory.create_batch(3, store=store_a)
        for day in range(28):
            DeliveryFactory(store=store_a, delivered_on=dt.date(2026, 10, 12) + dt.timedelta(days=day))
        ctx = DemoContext(rng=random.Random(1), stdout=io.StringIO(), data={"stores": [store_a]})
        seed_improvement_demo(ctx)
        counts = (FileAudit.objects.count(), ImprovementMeeting.objects.count(), EqcAction.objects.count())
        seed_improvement_demo(ctx)
        assert (FileAudit.objects.count(), ImprovementMeeting.objects.count(), EqcAction.objects.count()) == counts
        assert FileAudit.objects.values("week").distinct().count() == 4
        latest = FileAudit.objects.order_by("-week").first().week
        assert FileAudit.objects.filter(status="").exclude(week=latest).count() == 0
        assert FileAudit.objects.filter(week=latest, status="").exists()
        assert counts[1] == 2
        assert EqcAction.objects.filter(signed_off_by=general_manager).count() == 2
        assert EqcAction.objects.filter(overdue_filter(dt.date(2026, 11, 12))).count() == 1
