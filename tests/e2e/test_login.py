import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_user_logs_in_and_switches_to_english(page, live_server, login, agent, screenshot):
    page.goto(live_server.url + "/")
    assert "/accounts/login/" in page.url
    screenshot("login")
    login(agent)
    assert "/accounts/login/" not in page.url
    assert page.locator("[data-testid=user-menu]").inner_text().strip().endswith("王丽")
    page.click("[data-testid=user-menu]")
    with page.expect_navigation():  # the select submits its form on change
        page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
