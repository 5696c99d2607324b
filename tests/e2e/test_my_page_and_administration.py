"""Browser flows at 1400 px: a service advisor lands on 我的满意度 and reads their month against the
store (the trend chart draws, dissatisfied customers with masked phones); the administrator creates
a user with a role and a store on the app's own page, and that user signs in."""

import datetime as dt

import pytest

from crm.choices import Role
from crm.models import User
from tests.factories import UserFactory
from tests.reports.factories import seed_dashboard_year

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MARCH = dt.date(2025, 3, 1)
WIDE = {"width": 1400, "height": 900}


def test_advisor_lands_on_my_satisfaction(page, live_server, login, screenshot, store_a):
    staff = seed_dashboard_year(store_a, last_month=MARCH)["钱顾问"]
    advisor = UserFactory(username="qian", display_name="钱顾问", roles=[Role.CONSULTANT], stores=[store_a])
    staff.user = advisor
    staff.save(update_fields=["user"])
    page.set_viewport_size(WIDE)

    login(advisor)
    assert page.url.endswith("/reports/me/")  # the landing page
    assert page.locator("a.nav-link", has_text="我的满意度").count() == 1
    page.fill("[data-testid=month-picker]", "2025-03")
    page.locator("[data-testid=month-form] button[type=submit]").click()
    page.wait_for_selector("body[data-charts-ready='1']")

    assert page.locator("[data-testid=staff-name]").inner_text().startswith("钱顾问")
    summary = page.locator("[data-testid=staff-summary]").inner_text()
    assert "本店" in summary and "抱怨率" in summary
    assert page.locator("[data-testid=measure-grumble] .bi-flag-fill").count() == 1  # as on the GM's page
    assert page.evaluate("() => document.getElementById('chart-my-trend').toDataURL().length") > 5000
    phones = page.locator("[data-testid=unhappy-phone]").all_inner_texts()
    assert phones and all("****" in p for p in phones)
    # The page fits the width: no horizontal scrollbar at 1400 px.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("my_satisfaction_1400")
    # On a phone the customer and complaint tables are cards: nothing runs off the screen, even with
    # the longer English headers.
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("my_satisfaction_390")


def test_administrator_creates_a_user_who_signs_in(
    page, live_server, login, screenshot, administrator, store_a, store_b
):
    page.set_viewport_size(WIDE)
    login(administrator)
    page.click("[data-group=settings] > a")  # 用户管理 sits in the 设置 menu
    page.locator("[data-group=settings] .dropdown-item", has_text="用户管理").click()
    page.locator("[data-testid=user-create]").click()
    page.fill("input[name=username]", "zhangli")
    page.fill("input[name=display_name]", "张丽")
    page.fill("input[name=password1]", "Xin-bao-2026!")
    page.fill("input[name=password2]", "Xin-bao-2026!")
    page.locator("[data-testid=roles]").get_by_label("回访专员").check()
    page.locator("[data-testid=stores]").get_by_label(str(store_a)).check()
    screenshot("admin_user_create_1400")
    page.locator("[data-testid=save]").click()
    page.wait_for_load_state("networkidle")

    row = page.locator("[data-testid=user-row][data-username=zhangli]")
    assert "回访专员" in row.inner_text() and store_a.name in row.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    screenshot("admin_user_list_1400")
    created = User.objects.get(username="zhangli")
    assert created.role_codes == {Role.CALLBACK_AGENT} and list(created.stores.all()) == [store_a]

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "zhangli")
    page.fill("input[name=password]", "Xin-bao-2026!")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/callbacks/" in page.url  # the agent's landing page
    assert page.locator("[data-testid=user-menu]").inner_text().strip().endswith("张丽")
