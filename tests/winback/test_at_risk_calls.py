"""即将流失 in the agents' queue (issue 10 item 6, leftovers 1 and 9): the nightly scan opens one
at-risk call per customer and at-risk spell, the queue's win-back filter lists it with its badge,
the call page shows its script and records a win-back result, and the call closes when the customer
comes back or is lost. A customer already on the win-back list is not at risk."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from crm.models import Customer
from retention.choices import OutreachKind, OutreachResult, OutreachState
from retention.models import OutreachTask
from tests.winback.factories import SH, add_ro, customer_with_ro, local
from winback.at_risk import at_risk_scan
from winback.models import WinbackEntry
from winback.selectors import customers_at_risk
from winback.services import winback_scan
from winback.tasks import winback_scan_monthly

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 12, 8)


def at_risk_tasks(**kw):
    return OutreachTask.objects.filter(kind=OutreachKind.AT_RISK, **kw)


def test_the_scan_opens_one_call_per_at_risk_customer_idempotently(store_a):
    risky = customer_with_ro(store_a, local(dt.date(2026, 2, 20)))  # 9½ months ago
    customer_with_ro(store_a, local(dt.date(2026, 6, 1)))  # recent
    customer_with_ro(store_a, local(dt.date(2025, 11, 1)))  # lost
    no_calls = customer_with_ro(store_a, local(dt.date(2026, 2, 21)), may_call=False)
    assert at_risk_scan(on=ON) == (1, 0)
    assert at_risk_scan(on=ON) == (0, 0)
    assert at_risk_scan(on=ON + dt.timedelta(days=1)) == (0, 0)  # the next night: same spell, no new call
    task = at_risk_tasks().get()
    assert task.customer == risky and task.state == OutreachState.OPEN
    assert not at_risk_tasks(customer=no_calls).exists()
    # Its window ends the day he would be lost: last visit + 12 months.
    assert task.window_closes_at.astimezone(SH).date() == dt.date(2027, 2, 19)


def test_the_nightly_task_opens_the_at_risk_calls_as_of_today(store_a):
    customer = customer_with_ro(store_a, local(dt.date(2026, 3, 5)))
    with time_machine.travel(dt.datetime(2026, 12, 4, 2, 20, tzinfo=SH), tick=False):
        winback_scan_monthly()  # 4 Dec: not yet 9 months
        assert not at_risk_tasks().exists()
    with time_machine.travel(dt.datetime(2026, 12, 5, 2, 20, tzinfo=SH), tick=False):  # 9 months to the day
        winback_scan_monthly()
    assert at_risk_tasks(customer=customer, state=OutreachState.OPEN).count() == 1


def test_the_command_keeps_its_stable_output_and_opens_the_calls(store_a):
    customer_with_ro(store_a, local(dt.date(2026, 2, 20)))
    out, err = StringIO(), StringIO()
    call_command("scan_lost_customers", "--date", ON.isoformat(), stdout=out, stderr=err)
    assert out.getvalue().strip() == "added 0"
    assert err.getvalue().strip() == "at risk: opened 1, closed 0"


def test_the_call_closes_when_the_customer_returns_by_the_import_step(store_a):
    customer = customer_with_ro(store_a, local(dt.date(2026, 2, 20)))
    with time_machine.travel(dt.datetime(2026, 12, 8, 10, tzinfo=SH), tick=False):
        at_risk_scan(on=ON)
        ro = add_ro(customer, local(dt.date(2026, 12, 8), 9))

        class Ctx:
            touched = {"repair_orders": {ro.pk}}

        from winback.services import winback_recover_after_import

        winback_recover_after_import(Ctx())
    assert at_risk_tasks(customer=customer).get().state == OutreachState.CLOSED


def test_the_call_closes_when_the_customer_is_lost_and_a_new_spell_gets_a_new_call(store_a):
    customer = customer_with_ro(store_a, local(dt.date(2026, 2, 20)))
    at_risk_scan(on=ON)
    assert winback_scan(on=dt.date(2027, 3, 1)) == {store_a.id: 1}
    assert at_risk_scan(on=dt.date(2027, 3, 1)) == (0, 1)
    assert at_risk_tasks(customer=customer).get().state == OutreachState.CLOSED
    # He comes back, then drifts away again: a second spell, a second call.
    add_ro(customer, local(dt.date(2027, 3, 10)))
    winback_scan(on=dt.date(2027, 4, 1))  # recovered
    assert at_risk_scan(on=dt.date(2027, 12, 20)) == (1, 0)
    assert at_risk_tasks(customer=customer).count() == 2


def test_a_customer_with_an_open_winback_entry_is_not_at_risk(store_a):
    customer = customer_with_ro(store_a, local(dt.date(2025, 10, 1)))
    winback_scan(on=dt.date(2026, 11, 1))
    assert WinbackEntry.objects.filter(customer=customer, recovered_on__isnull=True).exists()
    # A car bought since (a delivery, not an RO: the entry stays open) makes his last visit recent;
    # nine months later the rule alone would call him at risk.
    from tests.factories import DeliveryFactory

    DeliveryFactory(store=store_a, customer=customer, delivered_on=dt.date(2026, 11, 20))
    on = dt.date(2027, 9, 1)
    assert not customers_at_risk(customers=Customer.objects.filter(pk=customer.pk), on=on).exists()
    assert at_risk_scan(on=on) == (0, 0)


def test_the_queue_winback_filter_lists_at_risk_calls_and_the_call_page_records_them(client_for, agent, store_a):
    customer = customer_with_ro(store_a, local(dt.date(2026, 2, 20)), name="王小明")
    with time_machine.travel(dt.datetime(2026, 12, 8, 10, tzinfo=SH), tick=False):
        at_risk_scan(on=ON)
        task = at_risk_tasks().get()
        client = client_for(agent)
        page = client.get(reverse("callbacks:queue"), {"kind": OutreachKind.WINBACK}).content.decode()
        assert 'data-kind="at_risk"' in page and "即将流失" in page and "王小明" in page
        # The kind filter offers 流失挽回, not a kind of its own.
        assert '<option value="at_risk"' not in page
        # The header counts it as due.
        assert ">1</div>" in page.split('id="count-due"')[1][:20]
        response = client.post(reverse("callbacks:next_call"), {"kind": OutreachKind.WINBACK})
        assert response.url == reverse("retention:call", args=[task.pk])
        call = client.get(response.url).content.decode()
        assert "年审期、续保期和新的保养期" in call  # seed 001 section 七's text
        assert "有意向" in call and "原因类别" in call  # the win-back results and reasons
        client.post(
            response.url,
            {"result": OutreachResult.NOT_INTERESTED, "customer_words": "离家太远", "reason_category": "distance"},
        )
    task.refresh_from_db()
    assert (task.state, task.result) == (OutreachState.DONE, OutreachResult.NOT_INTERESTED)
    assert task.attempts.get().customer_words == "离家太远"
    assert customer.outreach_tasks.count() == 1


def test_the_calls_window_ends_where_the_lost_rule_starts_at_a_clamped_month_end(store_a):
    """Last visit 29 Feb 2024, lost after 12 months: still at risk on 28 Feb 2025 (28 Feb 2025 − 12
    months = 28 Feb 2024, before his visit), lost on 1 March. The call opened that last day closes at
    its end, the day before the win-back scan lists him."""
    customer = customer_with_ro(store_a, local(dt.date(2024, 2, 29)))
    last_day = dt.date(2025, 2, 28)
    assert customers_at_risk(customers=Customer.objects.filter(pk=customer.pk), on=last_day).exists()
    assert at_risk_scan(on=last_day) == (1, 0)
    task = at_risk_tasks(customer=customer).get()
    assert task.window_closes_at.astimezone(SH).date() == last_day
    assert task.window_closes_at + dt.timedelta(microseconds=1) == local(dt.date(2025, 3, 1), 0)
    assert winback_scan(on=last_day) == {store_a.id: 0}
    assert winback_scan(on=dt.date(2025, 3, 1)) == {store_a.id: 1}
