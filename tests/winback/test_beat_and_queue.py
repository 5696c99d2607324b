"""The nightly beat entry and its task (idempotent, as of the 1st), and the queue's side: a contact
recorded on the win-back call by another path (the queue's call page) shows the same way here."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from crm.beat import beat_schedule_problems, beat_schedule_sync
from crm.models import Customer
from retention.choices import OutreachResult, ReasonCategory
from retention.models import OutreachAttempt
from tests.winback.factories import SH, customer_with_ro, local
from winback.models import WinbackEntry
from winback.selectors import customers_at_risk, table16_rows
from winback.tasks import winback_scan_monthly

pytestmark = pytest.mark.django_db


def test_the_beat_entry_is_declared_with_an_expiry_and_written():
    entry = settings.CELERY_BEAT_SCHEDULE["winback-scan-monthly"]
    assert entry["task"] == "winback.tasks.winback_scan_monthly"
    assert entry["options"]["expire_seconds"] > 0
    beat_schedule_sync()
    assert [p for p in beat_schedule_problems() if p.name == "winback-scan-monthly"] == []


def test_the_nightly_task_scans_as_of_the_first_and_adds_each_customer_once(store_a):
    customer = customer_with_ro(store_a, local(dt.date(2025, 11, 15)))
    with time_machine.travel(dt.datetime(2026, 12, 20, 2, 20, tzinfo=SH), tick=False):
        # Lost on 15 Nov 2026, but the list is made as of 1 Dec: 15 Nov 2025 is 12 months before it.
        assert winback_scan_monthly() == 1
        assert winback_scan_monthly() == 0
    entry = WinbackEntry.objects.get(customer=customer)
    assert (entry.month, entry.lost_on) == (dt.date(2026, 12, 1), dt.date(2026, 12, 1))
    late = customer_with_ro(store_a, local(dt.date(2025, 12, 10)))
    with time_machine.travel(dt.datetime(2026, 12, 21, 2, 20, tzinfo=SH), tick=False):
        assert winback_scan_monthly() == 0  # lost on 10 Dec: next month's list
    with time_machine.travel(dt.datetime(2027, 1, 1, 2, 20, tzinfo=SH), tick=False):
        assert winback_scan_monthly() == 1
    assert WinbackEntry.objects.get(customer=late).month == dt.date(2027, 1, 1)


def test_a_contact_recorded_on_the_task_by_the_queue_shows_on_the_list_and_in_table16(client_for, agent, store_a):
    customer = customer_with_ro(store_a, local(dt.date(2025, 1, 5)))
    with time_machine.travel(dt.datetime(2026, 12, 8, 10, tzinfo=SH), tick=False):
        winback_scan_monthly()
        entry = WinbackEntry.objects.get(customer=customer)
        OutreachAttempt.objects.create(
            task=entry.task,
            user=agent,
            contacted_at=dt.datetime(2026, 12, 8, 9, 30, tzinfo=SH),
            result=OutreachResult.ELSEWHERE,
            customer_words="在4S店附近的快修店做保养",
            reason_category=ReasonCategory.PRICE,
        )
        page = client_for(agent).get(reverse("winback:entry_list"))
    assert "在4S店附近的快修店做保养" in page.text and "已在他店" in page.text
    row = table16_rows(store_ids=[store_a.id], month=dt.date(2026, 12, 1)).get()
    assert (row.latest_result, row.latest_by) == (OutreachResult.ELSEWHERE, agent.display_name)


def test_customers_at_risk_is_a_queryset_the_queue_can_narrow_and_filter_with(store_a):
    risky = customer_with_ro(store_a, local(dt.date(2026, 2, 15)))
    fine = customer_with_ro(store_a, local(dt.date(2026, 10, 15)))
    ids = [risky.id, fine.id]
    on = dt.date(2026, 12, 1)
    narrowed = customers_at_risk(customers=Customer.objects.filter(id__in=ids), on=on)
    assert list(narrowed.values_list("id", flat=True)) == [risky.id]
    # As a filter of another queryset: WinbackEntry-free, one subquery.
    flagged = Customer.objects.filter(id__in=ids, pk__in=customers_at_risk(on=on).values("pk"))
    assert list(flagged.values_list("id", flat=True)) == [risky.id]
