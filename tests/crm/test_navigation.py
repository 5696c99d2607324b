"""The top navigation folded into menus, the search box and results page, and the styled 403/404 pages."""

import lxml.html
import pytest
from django.urls import reverse

from complaints.models import Case
from crm.choices import Role
from crm.roles import NAV_GROUPS, nav_items_for, nav_menu_for
from tests.factories import CustomerFactory, UserFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def _tree(response):
    return lxml.html.fromstring(response.content)


def test_the_cr_manager_menu_folds_a_dozen_pages_into_at_most_seven_entries(cr_manager):
    items = nav_items_for(cr_manager)
    menu = nav_menu_for(cr_manager)
    assert len(items) >= 12
    assert len(menu) <= 7
    # Nothing is lost: every page is reachable once, through a link or a menu.
    assert sorted(url for entry in menu for url in entry.url_names) == sorted(i.url_name for i in items)
    groups = {entry.group.key: entry.url_names for entry in menu if entry.group}
    assert {"callbacks", "reports", "settings"} <= set(groups)
    assert "callbacks:hot_alert_list" in groups["callbacks"] and "crm:import_upload" in groups["settings"]
    assert [entry.order for entry in menu] == sorted(entry.order for entry in menu)


def test_a_group_with_one_visible_item_is_a_plain_link(agent, store_a):
    # The agent sees two pages of the 回访 menu (the queue, the hot alerts): a dropdown. The reception
    # specialist sees one page of the 投诉 menu: that page's link, not a dropdown of one.
    callbacks = [entry for entry in nav_menu_for(agent) if "callbacks:queue" in entry.url_names]
    assert len(callbacks) == 1 and callbacks[0].group == NAV_GROUPS["callbacks"]
    reception = UserFactory(username="rita", roles=[Role.RECEPTION], stores=[store_a])
    menu = nav_menu_for(reception)
    grouped = [item for entry in menu for item in entry.items if item.group]
    assert grouped, menu
    assert all(entry.group is None for entry in menu if len(entry.items) == 1)


def test_base_renders_menus_as_dropdowns_and_marks_the_current_page(client_for, cr_manager):
    page = _tree(client_for(cr_manager).get(reverse("callbacks:hot_alert_list")))
    dropdowns = page.xpath('//li[@data-testid="nav-group"]')
    assert {d.get("data-group") for d in dropdowns} >= {"callbacks", "settings"}
    callbacks = next(d for d in dropdowns if d.get("data-group") == "callbacks")
    assert "active" in callbacks.xpath("./a")[0].get("class")
    assert callbacks.xpath('.//a[contains(@class, "dropdown-item") and contains(@class, "active")]')
    assert str(NAV_GROUPS["callbacks"].label) in callbacks.text_content()
    assert page.xpath('//input[@data-testid="nav-search"]')
    assert page.xpath('//link[@rel="icon"]')[0].get("href").endswith("favicon.svg")


def test_search_finds_customers_by_name_mobile_and_plate_and_cases_by_number(client_for, cr_manager, store_a, agent):

    customer = CustomerFactory(store=store_a, name="张伟", mobile="13955501234")
    VehicleFactory(store=store_a, owner=customer, plate="皖N12345")
    client = client_for(cr_manager)
    for query in ("张", "13955501234", "1234", "皖N12345"):
        page = _tree(client.get(reverse("crm:search"), {"q": query}))
        section = page.xpath('//section[@data-key="customers"]')[0]
        assert "张伟" in section.text_content(), query
    from complaints.choices import Category, Channel
    from complaints.services import case_receive

    case = case_receive(
        user=agent, store=store_a, customer=customer, channel=Channel.PHONE, category=Category.REPAIR_QUALITY,
        content="异响", demand="检修",
    )  # fmt: skip
    page = _tree(client.get(reverse("crm:search"), {"q": case.case_no[-6:]}))
    complaints = page.xpath('//section[@data-key="complaints"]')[0]
    assert case.case_no in complaints.text_content()
    assert reverse("complaints:case_detail", args=[case.pk]) in [a.get("href") for a in complaints.xpath(".//a")]


def test_search_is_scoped_to_the_users_stores(client_for, agent_b, store_a):
    CustomerFactory(store=store_a, name="张伟", mobile="13955501234")
    page = _tree(client_for(agent_b).get(reverse("crm:search"), {"q": "张伟"}))
    assert "张伟" not in page.xpath('//section[@data-key="customers"]')[0].text_content()


def test_search_shows_only_the_sections_the_role_may_open(client_for, store_a):
    from crm.choices import Role

    reception = UserFactory(username="rita", roles=[Role.RECEPTION], stores=[store_a])
    consultant = UserFactory(username="con", roles=[Role.CONSULTANT], stores=[store_a])
    nobody = UserFactory(username="nobody", roles=[], stores=[store_a])
    keys = lambda user: {  # noqa: E731
        s.get("data-key") for s in _tree(client_for(user).get(reverse("crm:search"), {"q": "张伟"})).xpath("//section")
    }
    assert keys(reception) == {"customers", "complaints"}
    assert keys(consultant) == {"customers", "complaints"}
    assert keys(nobody) == set()
    assert not _tree(client_for(nobody).get(reverse("crm:search"))).xpath('//input[@data-testid="nav-search"]')


def test_search_query_count_does_not_grow_with_hits(
    client_for, cr_manager, store_a, agent, django_assert_max_num_queries
):
    from complaints.choices import Category, Channel
    from complaints.services import case_receive

    def add(n):
        for _ in range(n):
            customer = CustomerFactory(store=store_a, name="张三")
            VehicleFactory(store=store_a, owner=customer)
            case_receive(
                user=agent, store=store_a, customer=customer, channel=Channel.PHONE,
                category=Category.REPAIR_QUALITY, content="异响", demand="检修",
            )  # fmt: skip

    client = client_for(cr_manager)
    add(1)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("crm:search"), {"q": "张三"})
    add(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = _tree(client.get(reverse("crm:search"), {"q": "张三"}))
    assert len(page.xpath('//section[@data-key="customers"]//a[@data-testid="search-hit"]')) == 10
    assert len(page.xpath('//section[@data-key="complaints"]//a[@data-testid="search-hit"]')) == 10
    assert Case.objects.count() == 13


def test_an_empty_or_too_short_query_searches_nothing(client_for, cr_manager, store_a):
    CustomerFactory(store=store_a, name="张伟", mobile="13955501234")
    client = client_for(cr_manager)
    assert not _tree(client.get(reverse("crm:search"))).xpath("//section")
    page = _tree(client.get(reverse("crm:search"), {"q": "12"}))
    assert not page.xpath('//a[@data-testid="search-hit"]')


def test_404_and_403_pages_carry_the_navigation(client_for, agent, settings):
    settings.DEBUG = False
    client = client_for(agent)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    page = _tree(missing)
    assert page.xpath('//*[@data-testid="error-page"]')[0].get("data-status") == "404"
    assert page.xpath('//ul[@data-testid="main-menu"]//a')
    forbidden = client.get(reverse("crm:import_upload"))
    assert forbidden.status_code == 403
    page = _tree(forbidden)
    assert page.xpath('//*[@data-testid="error-page"]')[0].get("data-status") == "403"
    assert page.xpath('//ul[@data-testid="main-menu"]//a')


def test_the_favicon_is_served(client):
    from django.contrib.staticfiles import finders

    assert finders.find("favicon.svg")
