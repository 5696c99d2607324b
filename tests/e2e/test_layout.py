"""Layout in headless chromium: every role's main page at 1400 px (and the CR manager's at 1280 px)
keeps its menu on one line, list pages at 390 px become cards without sideways scrolling, the
navbar search finds a customer, the dispatch form's handlers follow the department, and the 404
page keeps the navigation. Screenshots go to test-artifacts/screenshots/layout_*.png."""

import datetime

import pytest
from django.utils import timezone

from callbacks.models import HotAlert
from complaints.choices import Category, Channel
from complaints.services import case_receive
from crm.choices import DepartmentKind, Role, StaffRole
from tests.callbacks.factories import SalesTaskFactory
from tests.factories import CustomerFactory, DepartmentFactory, StaffFactory, UserFactory, VehicleFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The menu's links and toggles: each must stay one line high, the whole bar one row.
MENU_GEOMETRY = """() => {
  const bar = document.querySelector("nav.app-navbar");
  const links = [...bar.querySelectorAll("[data-testid=main-menu] > li > .nav-link")];
  const heights = links.map((a) => a.getBoundingClientRect().height);
  const tops = new Set(links.map((a) => Math.round(a.getBoundingClientRect().top)));
  return {bar: bar.getBoundingClientRect().height, tallest: Math.max(...heights), rows: tops.size, links: links.length};
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def world(store_a, agent, cr_manager, department_manager):
    service = DepartmentFactory(store=store_a, kind=DepartmentKind.SERVICE, manager=department_manager)
    sales = DepartmentFactory(store=store_a, kind=DepartmentKind.SALES)
    seller = UserFactory(username="sc1", display_name="销售甲", roles=[Role.CONSULTANT], stores=[store_a])
    StaffFactory(store=store_a, name="销售甲", role=StaffRole.SALES_CONSULTANT, department=sales, user=seller)
    names = ["张伟", "李娜", "王芳", "刘洋", "陈静怡"]
    for n, name in enumerate(names):
        customer = CustomerFactory(store=store_a, name=name, mobile=f"1395550{n:04d}")
        VehicleFactory(store=store_a, owner=customer, plate=f"皖N8{n:04d}")
        task = SalesTaskFactory(delivery__store=store_a, delivery__customer=customer)
        if n < 3:
            HotAlert.objects.create(
                task=task,
                raised_at=timezone.now() - datetime.timedelta(hours=n),
                reasons=["Q3 否：交车时没有讲解保养", "客户抱怨：等待时间太长，休息区没有空调"],
            )
        case_receive(
            user=agent, store=store_a, customer=customer, channel=Channel.PHONE, category=Category.REPAIR_QUALITY,
            content="保养后发动机异响，要求免费检修。", demand="免费检修",
        )  # fmt: skip
    return {"service": service, "sales": sales, "seller": seller}


def _menu_fits(page, name, screenshot):
    geometry = page.evaluate(MENU_GEOMETRY)
    screenshot(name)
    assert geometry["rows"] == 1, geometry
    assert geometry["tallest"] < 48, geometry  # a label that wraps doubles its link's height
    return geometry


@pytest.mark.parametrize("width", [1400, 1280])
def test_main_pages_keep_the_menu_on_one_line(
    page, live_server, login, screenshot, world, width, agent, cr_manager, department_manager, general_manager
):
    page.set_viewport_size({"width": width, "height": 900})
    for user, path in [
        (cr_manager, "/"),
        (agent, "/"),
        (department_manager, "/"),
        (world["seller"], "/"),
        (general_manager, "/callbacks/"),  # the dashboard has its own flow test; its menu is this one
    ]:
        login(user)
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        geometry = _menu_fits(page, f"layout_{width}_{user.username}", screenshot)
        if user == cr_manager:
            assert geometry["links"] <= 7
            page.click("[data-group=callbacks] > a")
            assert page.locator("[data-group=callbacks] .dropdown-item").count() >= 3
            screenshot(f"layout_{width}_{user.username}_menu_open")
        page.context.clear_cookies()


@pytest.mark.parametrize(
    ("user_fixture", "path", "rows"),
    [
        ("cr_manager", "/complaints/cases/", "[data-testid=case-row]"),
        ("cr_manager", "/customers/", "[data-testid=customer-row]"),
        ("agent", "/callbacks/", "[data-testid=queue-row]"),
        ("cr_manager", "/callbacks/hot-alerts/", "[data-testid=alert-row]"),
        ("cr_manager", "/callbacks/all/", "tbody tr:has(input[name=task])"),  # labels from the headers (app.js)
    ],
)
def test_list_pages_are_cards_on_a_phone(
    page, live_server, login, screenshot, world, request, user_fixture, path, rows
):
    user = request.getfixturevalue(user_fixture)
    page.set_viewport_size({"width": 390, "height": 844})
    login(user)
    page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    screenshot(f"layout_390{path.strip('/').replace('/', '_')}")
    assert page.evaluate(OVERFLOW) <= 0
    # No card is wider than the screen either (a table-responsive wrapper would hide it in a scroller).
    wider = page.eval_on_selector_all(rows, "(rows) => rows.filter((r) => r.scrollWidth > r.clientWidth + 1).length")
    assert wider == 0
    first = page.locator(rows).first
    assert first.evaluate("(row) => getComputedStyle(row).display") == "block"
    # Each cell is labelled; a customer's name is on one line, not one character a line.
    assert first.locator("td[data-label]").count() >= 3
    name_cell = first.locator("td[data-label]").nth(1)
    box = name_cell.bounding_box()
    assert box["width"] > 250 and box["height"] < 60, box


def test_search_from_the_navbar(page, live_server, login, screenshot, world, cr_manager):
    login(cr_manager)
    page.goto(f"{live_server.url}/complaints/cases/")
    page.fill("[data-testid=nav-search]", "皖N80001")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    screenshot("layout_search")
    customers = page.locator("section[data-key=customers]")
    assert "李娜" in customers.inner_text()
    customers.locator("[data-testid=search-hit]").first.click()
    page.wait_for_url("**/customers/*/")


def test_dispatch_handlers_follow_the_department(page, live_server, login, screenshot, world, cr_manager):
    from complaints.models import Case

    case = Case.objects.order_by("id").first()
    login(cr_manager)
    page.goto(f"{live_server.url}/complaints/cases/{case.pk}/")
    form = page.locator("[data-testid=action-dispatch]")
    form.locator("select[name=department]").select_option(str(world["sales"].pk))
    visible = form.locator("select[name=handler] option:not([hidden])").all_inner_texts()
    assert any("销售甲" in text for text in visible)
    assert not any("孙经理" in text for text in visible)  # the service manager is not in sales
    form.locator("select[name=department]").select_option(str(world["service"].pk))
    visible = form.locator("select[name=handler] option:not([hidden])").all_inner_texts()
    assert any("孙经理" in text for text in visible) and not any("销售甲" in text for text in visible)
    screenshot("layout_dispatch")


def test_bulk_close_of_hot_alerts(page, live_server, login, screenshot, world, cr_manager):
    login(cr_manager)
    page.goto(f"{live_server.url}/callbacks/hot-alerts/")
    page.check("#select-all")
    page.fill("#bulk-close input[name=note]", "已逐一电话致歉")
    screenshot("layout_hot_alerts_bulk")
    page.click("#bulk-close button")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=alert-row]").count() == 0
    assert HotAlert.objects.filter(closed_at__isnull=True).count() == 0


def test_404_page_keeps_the_navigation(page, live_server, login, screenshot, world, agent, settings):
    login(agent)
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    assert page.locator("[data-testid=error-page]").is_visible()
    assert page.locator("[data-testid=main-menu] a").count() >= 1
    screenshot("layout_404")
