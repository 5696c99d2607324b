"""Browser: the CR manager's bell with unread notifications, and the SLA calendar page."""

import pytest

from complaints.calendar import calendar_days_upsert, parse_calendar_lines, policy_for_store, sla_policy_update
from complaints.notifications import notify

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_bell_and_calendar(page, live_server, login, cr_manager, store_a, screenshot):
    titles = [
        ("投诉 TS-2026-0012 首次联系即将超时", "客户张先生：保养后异响，距24小时时限还剩4小时"),
        ("投诉 TS-2026-0009 已超时（红色）", "首次联系已超过24小时，请督促处理人"),
        ("投诉 TS-2026-0007 派发超时", "受理已超过30分钟仍未派发"),
    ]
    for i, (title, body) in enumerate(titles):
        notify(
            recipients=[cr_manager],
            kind="sla",
            title=title,
            body=body,
            url="/complaints/calendar/",
            dedup_key=f"e2e-{i}",
            email=False,
        )
    login(cr_manager)
    page.goto(live_server.url + "/complaints/notifications/")
    assert page.locator("[data-testid=bell-count]").inner_text() == "3"
    page.click("[data-testid=notification-bell] > a")
    page.wait_for_timeout(300)
    screenshot("notifications_bell")

    policy = policy_for_store(store_a.id)
    sla_policy_update(policy=policy, business_hours_enabled=True)
    lines, _errors = parse_calendar_lines(
        "\n".join(f"2026-10-0{d} holiday 国庆节" for d in range(1, 8)) + "\n2026-09-26 workday 国庆调休"
    )
    calendar_days_upsert(policy=policy, lines=lines)
    page.goto(live_server.url + "/complaints/calendar/")
    assert "国庆调休" in page.content()
    screenshot("sla_calendar")

    # Open a notification: it is marked read and the badge counts down.
    page.goto(live_server.url + "/complaints/notifications/")
    page.locator("[data-testid=notification-row]").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=bell-count]").inner_text() == "2"
