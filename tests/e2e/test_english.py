"""The English UI in the browser: switch the language from the user menu, the main pages follow."""

import pytest

from tests.callbacks.factories import SalesTaskFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_agent_switches_to_english_and_works_the_queue(page, live_server, login, agent, store_a, screenshot):
    task = SalesTaskFactory(delivery__store=store_a, delivery__customer__name="张伟", delivery__customer__gender="M")
    SalesTaskFactory.create_batch(2, delivery__store=store_a)
    login(agent)
    page.click("[data-testid=user-menu]")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"

    page.goto(f"{live_server.url}/customers/")
    assert page.locator("h1").first.inner_text().strip() == "Customers"
    assert "3 customers" in page.locator("[data-testid=result-count]").inner_text()
    screenshot("en_customer_list")

    page.goto(f"{live_server.url}/callbacks/")
    body = page.locator("body").inner_text()
    assert "Today's callbacks" in body and "Next callback" in body and "今日回访" not in body
    assert page.locator(f"a[href='/callbacks/tasks/{task.pk}/']").inner_text() == "Call"
    screenshot("en_callbacks_queue")

    page.goto(f"{live_server.url}/callbacks/tasks/{task.pk}/")
    screenshot("en_callbacks_call")
    body = page.locator("body").inner_text()
    assert "Past callbacks" in body and "Overall satisfaction" in body
    # the disposition buttons show their English label (the value posted stays the Chinese code)
    assert page.locator("#dispositions [data-disposition='无人接听']").inner_text().startswith("No answer")
    assert page.locator("#save-success").inner_text().startswith("Success")
    # yes/no answers read Yes / No (the value saved stays 是 / 否)
    assert page.locator("#q-Q3 .answer-btn[data-value='是']").inner_text().startswith("Yes")


def test_cr_manager_reads_a_report_in_english(page, live_server, login, cr_manager, store_a, agent, screenshot):
    import datetime as dt

    from callbacks.choices import TaskState
    from tests.reports.builders import consultant, sales_task

    sc = consultant(store_a, "张销售")
    for day, state, attempts in ((3, TaskState.CLOSED_UNSUCCESSFUL, ["拒访"]), (4, TaskState.DONE, ["成功"])):
        sales_task(
            store=store_a, consultant=sc, state=state, attempts=attempts, delivered_on=dt.date(2026, 10, day),
            agent=agent, score=10 if state == TaskState.DONE else None,
        )  # fmt: skip
    login(cr_manager)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/reports/r/sc_satisfaction/?month=2026-10")
    table = page.locator("[data-testid=report-table]")
    headers = table.locator("thead th").all_inner_texts()
    assert headers[:3] == ["Sales consultant", "Deliveries", "Called"]
    assert table.locator("[data-testid=report-total] td").first.inner_text() == "Total"
    assert "2026-10" in page.locator("h2").first.inner_text()
    screenshot("en_report_sc_satisfaction")
