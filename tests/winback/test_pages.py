"""Win-back pages: the list (filters, query count, scoping), an entry's contact form, the summary,
the customer card's flag, and table 16's export (SPEC §10.3)."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from appointments.choices import Source
from appointments.models import Appointment
from crm.choices import Role, StaffRole
from retention.choices import OutreachChannel, OutreachResult, OutreachState, ReasonCategory
from tests.factories import StaffFactory, UserFactory
from tests.winback.factories import SH, customer_with_ro, local
from winback.models import WinbackEntry
from winback.selectors import reason_summary
from winback.services import winback_contact_record, winback_scan

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 8, 10, 0, tzinfo=SH)  # a weekday morning of the scanned month
TABLE16 = [
    "客户姓名",
    "联系电话",
    "最近来店时间",
    "服务顾问",
    "联络时间",
    "联络担当",
    "联络结果",
    "客户意见",
    "是否挽回",
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def lost_entries(store, n, advisor=None):
    for i in range(n):
        customer_with_ro(store, local(dt.date(2025, 1, 2) + dt.timedelta(days=i)), advisor=advisor)
    winback_scan(on=ON, store_ids=[store.id])
    return list(WinbackEntry.objects.filter(store=store).order_by("last_visit_on", "id"))


def contact(entry, user, result, words="", reason="", at=None, **kw):
    return winback_contact_record(
        entry=entry, user=user, result=result, customer_words=words, reason_category=reason, contacted_at=at, **kw
    )


def test_list_shows_the_month_with_latest_contact_and_constant_queries(
    client_for, agent, store_a, store_b, django_assert_max_num_queries
):
    entries = lost_entries(store_a, 3)
    lost_entries(store_b, 2)
    contact(entries[0], agent, OutreachResult.UNREACHABLE, at=NOW - dt.timedelta(days=2))
    contact(entries[0], agent, OutreachResult.NOT_INTERESTED, "离家太远，在附近修了", ReasonCategory.DISTANCE)
    client = client_for(agent)
    # Session, user, permissions (2), roles, stores, advisors, latest month, count, rate, rows, bell (2).
    with django_assert_max_num_queries(13) as few:
        page = client.get(reverse("winback:entry_list"))
    assert page.status_code == 200
    assert page.text.count('data-testid="winback-row"') == 3
    assert "离家太远，在附近修了" in page.text and "无意向" in page.text
    small = len(few.captured_queries)
    lost_entries(store_a, 20)  # 20 more rows on the same page
    for entry in WinbackEntry.objects.filter(store=store_a)[:10]:
        contact(entry, agent, OutreachResult.INTERESTED, "考虑一下")
    with django_assert_max_num_queries(small) as many:
        page = client.get(reverse("winback:entry_list"))
    assert page.text.count('data-testid="winback-row"') == 23
    assert len(many.captured_queries) == small


def test_list_filters_by_advisor_result_recovered_and_month(client_for, cr_manager, agent, store_a):
    advisor = StaffFactory(store=store_a, role=StaffRole.SERVICE_ADVISOR, name="梁诚")
    mine = lost_entries(store_a, 2, advisor=advisor)
    others = [e for e in lost_entries(store_a, 2) if e.service_advisor_id != advisor.id]
    contact(mine[0], agent, OutreachResult.BOOKED, booked_on=dt.date(2026, 12, 20))
    WinbackEntry.objects.filter(pk=others[0].pk).update(recovered_on=dt.date(2026, 12, 5))
    client = client_for(cr_manager)
    url = reverse("winback:entry_list")

    def names(**params):
        page = client.get(url, params)
        assert page.status_code == 200
        return {e.customer.name for e in WinbackEntry.objects.all() if e.customer.name in page.text}

    assert names(service_advisor=advisor.id) == {e.customer.name for e in mine}
    assert names(result=OutreachResult.BOOKED) == {mine[0].customer.name}
    assert names(result="none") == {mine[1].customer.name, *(e.customer.name for e in others)}
    assert names(recovered="yes") == {others[0].customer.name}
    assert names(month="2026-11") == set()
    assert names(month="2026-12") == {e.customer.name for e in [*mine, *others]}


def test_another_stores_entry_is_404_and_its_rows_are_not_listed(client_for, agent_b, agent, store_a):
    entry = lost_entries(store_a, 1)[0]
    assert client_for(agent_b).get(reverse("winback:entry_detail", args=[entry.pk])).status_code == 404
    page = client_for(agent_b).get(reverse("winback:entry_list"))
    assert entry.customer.name not in page.text
    response = client_for(agent_b).post(
        reverse("winback:entry_detail", args=[entry.pk]), {"channel": "call", "result": "interested"}
    )
    assert response.status_code == 404
    assert not entry.task.attempts.exists()


def test_an_agent_records_a_contact_on_the_entry_page(client_for, agent, store_a):
    entry = lost_entries(store_a, 1)[0]
    url = reverse("winback:entry_detail", args=[entry.pk])
    client = client_for(agent)
    refused = client.post(url, {"channel": "call", "result": OutreachResult.BOOKED})
    assert refused.status_code == 400 and "已预约须填写预约日期" in refused.text
    response = client.post(
        url,
        {
            "channel": OutreachChannel.CALL,
            "result": OutreachResult.BOOKED,
            "booked_on": "2026-12-20",
            "reason_category": ReasonCategory.PRICE,
            "customer_words": "保养太贵，这次有优惠就来",
        },
    )
    assert response.status_code == 302
    attempt = entry.task.attempts.get()
    assert (attempt.user, attempt.result, attempt.booked_on, attempt.reason_category) == (
        agent,
        OutreachResult.BOOKED,
        dt.date(2026, 12, 20),
        ReasonCategory.PRICE,
    )
    entry.task.refresh_from_db()
    assert (entry.task.state, entry.task.result, entry.task.booked_on) == (
        OutreachState.DONE,
        OutreachResult.BOOKED,
        dt.date(2026, 12, 20),
    )
    page = client.get(url)
    assert "保养太贵，这次有优惠就来" in page.text


def test_the_general_manager_reads_but_cannot_record(client_for, general_manager, store_a):
    entry = lost_entries(store_a, 1)[0]
    client = client_for(general_manager)
    assert client.get(reverse("winback:entry_detail", args=[entry.pk])).status_code == 200
    assert client.post(reverse("winback:entry_detail", args=[entry.pk]), {"result": "interested"}).status_code == 403


def test_an_unreachable_call_stays_open_for_a_retry(agent, store_a):
    entry = lost_entries(store_a, 1)[0]
    contact(entry, agent, OutreachResult.UNREACHABLE)
    entry.task.refresh_from_db()
    assert (entry.task.state, entry.task.failed_attempts) == (OutreachState.OPEN, 1)
    assert entry.task.next_attempt_at == NOW + dt.timedelta(hours=2)


def test_the_reason_summary_counts_the_latest_contact_per_entry(client_for, department_manager, agent, store_a):
    entries = lost_entries(store_a, 4)
    contact(entries[0], agent, OutreachResult.INTERESTED, "再看看", ReasonCategory.PRICE, at=NOW - dt.timedelta(days=1))
    contact(entries[0], agent, OutreachResult.ELSEWHERE, "朋友的修理厂便宜", ReasonCategory.PRICE)
    contact(entries[1], agent, OutreachResult.NOT_INTERESTED, "上次修完还漏油", ReasonCategory.QUALITY)
    contact(entries[2], agent, OutreachResult.SOLD, "车卖了")
    contact(entries[3], agent, OutreachResult.UNREACHABLE)  # not reached: no reason to count
    groups = {g.category: g for g in reason_summary(store_ids=[store_a.id], month=ON)}
    assert {k: g.count for k, g in groups.items() if g.count} == {"price": 1, "quality": 1, "sold": 1}
    assert [w["words"] for w in groups["price"].words] == ["朋友的修理厂便宜"]
    page = client_for(department_manager).get(reverse("winback:reasons"), {"month": "2026-12"})
    assert page.status_code == 200
    assert "上次修完还漏油" in page.text and "再看看" not in page.text
    # The department manager reads the summary, not the list.
    assert client_for(department_manager).get(reverse("winback:entry_list")).status_code == 403


def test_table16_export_has_the_headers_and_one_row_per_entry_with_the_latest_contact(agent, store_a, tmp_path):
    entries = lost_entries(store_a, 2)
    contact(entries[0], agent, OutreachResult.UNREACHABLE, at=NOW - dt.timedelta(days=3))
    contact(entries[0], agent, OutreachResult.NOT_INTERESTED, "服务态度差", ReasonCategory.SERVICE)
    WinbackEntry.objects.filter(pk=entries[1].pk).update(recovered_on=dt.date(2026, 12, 6))
    out = tmp_path / "t16.xlsx"
    call_command("export_report", "lost_customers", "--month", "2026-12", "--out", str(out))
    ws = load_workbook(out).active
    assert [c.value for c in ws[2]] == TABLE16
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=4)]
    first, second = entries[0], entries[1]
    assert rows[0][:4] == [
        first.customer.name,
        first.customer.mobile,
        dt.datetime.combine(first.last_visit_on, dt.time()),
        first.service_advisor.name,
    ]
    assert rows[0][4] == NOW.replace(tzinfo=None)
    assert rows[0][5:] == [agent.display_name, "无意向", "服务：服务态度差", "否"]  # 客户意见 with its reason category
    assert rows[1][0] == second.customer.name and rows[1][4:8] == [None, None, None, None]
    assert rows[1][8] == "是"
    assert ws.max_row == 2 + 2 + 1  # title, headers, rows, 合计


def test_the_page_downloads_the_same_table_with_masked_numbers_for_a_role_without_full_numbers(client_for, store_a):
    entry = lost_entries(store_a, 1)[0]
    gm = UserFactory(username="gm2", roles=[Role.GENERAL_MANAGER], stores=[store_a])
    download = client_for(gm).get(reverse("reports:report_xlsx", args=["lost_customers"]), {"month": "2026-12"})
    assert download.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert [c.value for c in ws[2]] == TABLE16
    assert ws["A3"].value == entry.customer.name
    assert ws["B3"].value != entry.customer.mobile and ws["B3"].value.endswith(entry.customer.mobile[-4:])


def test_the_customer_card_flags_lost_and_at_risk_customers(client_for, agent, store_a):
    at_risk = customer_with_ro(store_a, local(dt.date(2026, 2, 10)))
    lost = customer_with_ro(store_a, local(dt.date(2025, 11, 1)))
    recent = customer_with_ro(store_a, local(dt.date(2026, 11, 1)))
    client = client_for(agent)

    def flags(customer):
        page = client.get(reverse("crm:customer_detail", args=[customer.pk]))
        assert page.status_code == 200
        # The win-back flags only (the club adds its own 入会 / member card flag to every customer).
        text = page.text
        return text.count('data-testid="card-flag"') - text.count(reverse("club:enrol", args=[customer.pk])), text

    count, text = flags(at_risk)
    assert count == 1 and "即将流失" in text
    count, text = flags(lost)
    assert count == 1 and "流失客户" in text
    assert flags(recent)[0] == 0
    winback_scan(on=ON)
    count, text = flags(lost)
    entry = WinbackEntry.objects.get(customer=lost)
    assert count == 1 and reverse("winback:entry_detail", args=[entry.pk]) in text
    assert "列入流失客户名单（2026-12）" in text  # the timeline's entry


def test_the_at_risk_tab_lists_the_customers_nine_to_twelve_months_away(
    client_for, agent, store_a, store_b, django_assert_max_num_queries
):
    inside = [customer_with_ro(store_a, local(dt.date(2026, 2, 1) + dt.timedelta(days=i))) for i in range(3)]
    customer_with_ro(store_a, local(dt.date(2026, 6, 1)))
    customer_with_ro(store_b, local(dt.date(2026, 2, 1)))
    client = client_for(agent)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("winback:at_risk"))
    assert page.status_code == 200
    assert page.text.count('data-testid="at-risk-row"') == 3
    assert all(c.name in page.text for c in inside)


def test_the_cr_manager_sets_a_stores_months_and_the_rules_follow(client_for, cr_manager, agent, store_a, store_b):
    url = reverse("winback:settings")
    client = client_for(cr_manager)
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"store": store_a.pk, f"s{store_a.pk}-lost_after_months": 6, f"s{store_a.pk}-at_risk_after_months": 6}
    )
    assert bad.status_code == 400 and "即将流失月数须小于流失月数" in bad.text
    ok = client.post(
        url, {"store": store_a.pk, f"s{store_a.pk}-lost_after_months": 6, f"s{store_a.pk}-at_risk_after_months": 3}
    )
    assert ok.status_code == 302
    assert client.post(url, {"store": store_b.pk}).status_code == 404  # not the manager's store
    assert client_for(agent).get(url).status_code == 403
    half_year = customer_with_ro(store_a, local(dt.date(2026, 5, 20)))
    assert winback_scan(on=ON) == {store_a.id: 1, store_b.id: 0}
    assert WinbackEntry.objects.get().customer == half_year


def test_a_booked_contact_books_the_slot_and_service_the_agent_chose(client_for, agent, store_a):
    entry = lost_entries(store_a, 1)[0]
    advisor = StaffFactory(store=store_a, name="梁诚", role=StaffRole.SERVICE_ADVISOR)
    url = reverse("winback:entry_detail", args=[entry.pk])
    client = client_for(agent)
    page = client.get(url).text
    assert 'name="booked_slot"' in page and 'name="service_type"' in page and "梁诚" in page
    assert reverse("appointments:slot_options") in page  # the date reloads the slot options
    data = {
        "channel": OutreachChannel.CALL,
        "result": OutreachResult.BOOKED,
        "booked_on": "2026-12-20",
        "booked_slot": "14:30",
        "service_type": "body_paint",
        "booked_advisor": str(advisor.pk),
    }
    response = client.post(url, data, follow=True)
    appointment = Appointment.objects.get()
    assert (appointment.day, appointment.slot, appointment.service_type, appointment.advisor) == (
        dt.date(2026, 12, 20),
        dt.time(14, 30),
        "body_paint",
        advisor,
    )
    assert appointment.source == Source.WINBACK
    assert "已预约 2026-12-20 14:30" in response.text
