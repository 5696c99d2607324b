"""The GM dashboard's 客户维系 section (issue 10 item 7): one figure, one rule — each figure equals the
report page's for the same data (提醒统计表 `reminder_summary`, table 16 `lost_customers`'s 合计 line,
the win-back page's rate), month by month over the twelve-month trend; another store's rows are not
counted; the query count does not grow with rows."""

import datetime as dt
import random

import pytest
import time_machine
from django.urls import reverse

from crm import periods
from reports.dashboard.figures import figures_refresh_history
from reports.tables.reminders import build_reminder_summary
from reports.tables.winback import build_lost_customers
from reports.tasks import warm_dashboard
from retention.choices import SERVICE_REMINDER_KINDS, OutreachKind, ReminderChannel, ReminderStatus
from retention.models import Reminder
from tests.factories import CustomerFactory
from tests.reports.factories import local
from winback.models import WinbackEntry
from winback.selectors import last_months, winback_rates

pytestmark = pytest.mark.django_db

MONTH = dt.date(2026, 5, 1)
KINDS = [OutreachKind.FIRST_SERVICE, OutreachKind.PERIODIC_SERVICE, OutreachKind.WARRANTY_END, OutreachKind.BIRTHDAY]


def at_dashboard_month():
    return time_machine.travel(local(2026, 6, 3, 9), tick=False)


def fill(store, *, seed: int, per_month: int = 4, last: dt.date = MONTH) -> None:
    """Reminders and win-back entries over the twelve months up to `last` (and one month either side)."""
    rnd = random.Random(seed)
    months = [*last_months(last, 13), periods.add_months(last, 1)]
    for month in months:
        for i in range(per_month):
            customer = CustomerFactory(store=store)
            day = month.replace(day=rnd.choice([1, 15, 28]))
            status = rnd.choice([ReminderStatus.SKIPPED, ReminderStatus.DISPATCHED, ReminderStatus.NEW])
            returned = status != ReminderStatus.SKIPPED and rnd.random() < 0.5
            Reminder.objects.create(
                store=store,
                customer=customer,
                kind=rnd.choice(KINDS),
                due_on=day + dt.timedelta(days=14 + i),
                send_on=day,
                channel=ReminderChannel.SMS,
                status=status,
                returned_on=day + dt.timedelta(days=10) if returned else None,
            )
            if rnd.random() < 0.6:
                WinbackEntry.objects.create(
                    store=store,
                    customer=customer,
                    month=month,
                    lost_on=month,
                    last_visit_on=month - dt.timedelta(days=400),
                    recovered_on=month + dt.timedelta(days=20) if rnd.random() < 0.4 else None,
                )


def dashboard(client, **params):
    query = "&".join(f"{k}={v}" for k, v in {"month": f"{MONTH:%Y-%m}", **params}.items())
    return client.get(f"{reverse('reports:dashboard')}?{query}")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_retention_figure_is_the_reports_figure(client_for, general_manager, store_a, store_b, seed):
    fill(store_a, seed=seed)
    fill(store_b, seed=seed + 100)  # another store's rows: never in store A's figures
    with at_dashboard_month():
        response = dashboard(client_for(general_manager), store=store_a.pk)
    assert response.status_code == 200
    retention = response.context["data"]["retention"]
    charts = retention["charts"]
    months = last_months(MONTH, 12)
    assert charts["labels"] == [f"{m:%Y-%m}" for m in months]
    rates = winback_rates(store_ids=[store_a.pk], months=months)
    for i, month in enumerate(months):
        report = build_reminder_summary(store_ids=[store_a.pk], month=month)
        summary = {row["kind"]: row for row in report.rows}
        labels = dict(OutreachKind.choices)
        by_label = {str(labels[k]): k for k in labels}
        summary = {by_label[name]: row for name, row in summary.items()}
        # 未跳过的提醒 = the report's 合计 of that column = 提醒数 − 跳过 of the report, every kind
        assert charts["made"][i] == report.total_row["made"]
        assert charts["made"][i] == sum(r["reminders"] - r["skipped"] for r in summary.values())
        for kind in SERVICE_REMINDER_KINDS:
            report_rate = summary[kind]["return_rate"]
            assert charts[f"return_{kind}"][i] == (round(report_rate * 100, 1) if report_rate is not None else None)
        lost = build_lost_customers(store_ids=[store_a.pk], month=month)
        rows = list(lost.rows)
        assert charts["lost_added"][i] == len(rows) == rates[i].entries
        recovered = sum(1 for r in rows if r["recovered"] == "是")
        assert charts["recovered"][i] == recovered == rates[i].recovered
        rate = rates[i].rate
        assert charts["winback_rate"][i] == (round(rate * 100, 1) if rate is not None else None)
        assert lost.total_row["words"].endswith(f"{rate * 100:.1f}%" if rate is not None else "—")
    # The month's tiles are the trend's last month, in full precision.
    current = retention["current"]
    summary = {r["kind"]: r for r in build_reminder_summary(store_ids=[store_a.pk], month=MONTH).rows}
    for entry in retention["kinds"]:
        row = summary[str(entry["label"])]
        assert entry["return_rate"] == row["return_rate"]
        assert entry["returned"] == row["returned"]
    assert current["winback_rate"] == rates[-1].rate
    page = response.content.decode()
    assert 'data-testid="retention-section"' in page and "客户维系" in page


def test_another_stores_rows_are_not_counted_and_queries_do_not_grow(
    client_for, general_manager, store_a, store_b, django_assert_max_num_queries
):
    """The GM of store A sees store A's figures only (no store chosen: all of the user's stores),
    and the page's query count is the same with 1 or 5 rows a month."""
    client = client_for(general_manager)
    fill(store_a, seed=11, per_month=1)
    with at_dashboard_month():
        warm_dashboard()  # as deployed: beat stored the figures
        dashboard(client)  # warm the session and permission caches
        with django_assert_max_num_queries(30) as few:
            dashboard(client)
        fill(store_a, seed=12, per_month=5)
        fill(store_b, seed=13, per_month=5)
        figures_refresh_history()  # the nightly beat: older months' rows too
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = dashboard(client)
    charts = response.context["data"]["retention"]["charts"]
    own = winback_rates(store_ids=[store_a.pk], months=last_months(MONTH, 12))
    assert charts["lost_added"] == [r.entries for r in own]
    assert sum(charts["lost_added"]) < WinbackEntry.objects.filter(month__in=last_months(MONTH, 12)).count()
    summary = build_reminder_summary(store_ids=[store_a.pk], month=MONTH).rows
    made = sum(r["reminders"] - r["skipped"] for r in summary)
    assert response.context["data"]["retention"]["current"]["made"] == made
