"""Tables 14 and 15 on the report pages (`/reports/<name>/`): their query counts do not grow with
the rows (the audits with their files and responsible staff, the actions with their sign-off and
their results)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from callbacks.choices import CallbackKind
from improvement import audits, services
from improvement.choices import AuditStatus
from improvement.models import FileAudit
from tests.factories import DeliveryFactory, RepairOrderFactory, StaffFactory
from tests.improvement.factories import action, answered, local, meeting

pytestmark = pytest.mark.django_db

WEEK = dt.date(2026, 10, 5)  # a Monday of October


def _audited_week(store, week: dt.date, n: int):
    for i in range(n):
        DeliveryFactory(store=store, delivery_no=f"D{week:%m%d}{i:02d}", delivered_on=week + dt.timedelta(days=i % 7))
        opened = local(week.year, week.month, week.day, 8) + dt.timedelta(days=i % 7)
        RepairOrderFactory(
            store=store, ro_no=f"R{week:%m%d}{i:02d}", opened_at=opened, delivered_at=opened + dt.timedelta(hours=8)
        )
    audits.file_audit_sample(store=store, week=week)
    for audit in FileAudit.objects.filter(store=store, week=week, status=""):
        audits.file_audit_record(
            audit=audit,
            user=None,
            status=AuditStatus.ABNORMAL,
            abnormal_description="缺签字",
            improvement_measure="补签",
            responsible=StaffFactory(store=store),
        )


def test_the_file_audits_page_queries_do_not_grow_with_rows(
    client_for, cr_manager, store_a, django_assert_max_num_queries
):
    client, url = client_for(cr_manager), reverse("reports:report", args=["file_audits"])
    _audited_week(store_a, WEEK, 1)
    client.get(url, {"month": "2026-10"})
    with django_assert_max_num_queries(30) as few:
        assert len(client.get(url, {"month": "2026-10"}).context["display"].rows) == 2
    _audited_week(store_a, WEEK + dt.timedelta(days=7), 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url, {"month": "2026-10"})
    assert len(page.context["display"].rows) == 14


def test_the_eqc_actions_page_queries_do_not_grow_with_rows(
    client_for, cr_manager, general_manager, store_a, django_assert_max_num_queries
):
    for month in (8, 9, 10):
        answered(store=store_a, kind=CallbackKind.SERVICE, source=local(2026, month, 3, 10), code="Q9", value=7)
        answered(store=store_a, kind=CallbackKind.SALES, source=local(2026, month, 3, 10), code="Q3", value="是")
    held = meeting(store=store_a, held_on=dt.date(2026, 9, 10))
    client, url = client_for(cr_manager), reverse("reports:report", args=["eqc_actions"])
    with time_machine.travel(local(2026, 11, 20, 10), tick=False):
        # One of each questionnaire kind from the start: the results cost one query per kind.
        services.eqc_action_sign_off(action=action(meeting=held), user=general_manager, note="同意")
        action(meeting=held, kind="sales", code="Q3")
        client.get(url, {"month": "2026-09"})
        with django_assert_max_num_queries(30) as few:
            assert len(client.get(url, {"month": "2026-09"}).context["display"].rows) == 2
        for i in range(5):
            act = action(meeting=held, kind="sales" if i % 2 else "service", code="Q3" if i % 2 else "Q9")
            services.eqc_action_sign_off(action=act, user=general_manager, note=f"同意{i}")
        with django_assert_max_num_queries(len(few.captured_queries)):
            page = client.get(url, {"month": "2026-09"})
    assert len(page.context["display"].rows) == 7
