"""Dashboard, staff drill-down and package pages: permissions, store scope, approved vs live figures,
and query counts that do not grow with rows."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from callbacks.choices import TaskState
from reports.dashboard import figures
from reports.models import PackageState, ReportPackage, StoreMonthFigures
from reports.packages.approval import report_package_approve, report_package_generate, report_package_submit
from reports.tasks import warm_dashboard
from tests.reports.factories import local, make_case, make_task, sales_consultant, service_advisor

pytestmark = pytest.mark.django_db


MONTH = "2025-03"
MARCH = dt.date(2025, 3, 1)


def time_machine_month():
    """Early April 2025: the dashboard (and its beat) open on March."""
    return time_machine.travel(local(2025, 4, 2, 9), tick=False)


def dashboard_url(**params):
    query = "&".join(f"{k}={v}" for k, v in {"month": MONTH, **params}.items())
    return f"{reverse('reports:dashboard')}?{query}"


def fill_march(store, advisors: int, tasks_each: int, prefix: str = ""):
    for i in range(advisors):
        sa = service_advisor(store, f"{prefix}服务{i}")
        sc = sales_consultant(store, f"{prefix}销售{i}")
        for j in range(tasks_each):
            task = make_task(staff=sa, source=local(2025, 3, 3 + j, 10), grumble=j == 0)
            make_task(staff=sc, kind="sales", source=local(2025, 3, 3 + j, 10))
            if j == 1:
                make_case(store=store, customer=task.customer, received_at=local(2025, 3, 20, 9))


def test_gm_sees_live_dashboard(client_for, general_manager, store_a):
    fill_march(store_a, advisors=1, tasks_each=2)
    response = client_for(general_manager).get(dashboard_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-source="live"' in page and "实时数据" in page
    assert "服务0" in page and "销售0" in page
    assert 'id="dashboard-charts"' in page and "chart.umd.min.js" in page
    data = response.context["data"]
    assert data["kpis"]["tasks"] == 4 and data["kpis"]["complaints_received"] == 1
    assert len(data["charts"]["labels"]) == 12 and data["charts"]["labels"][-1] == MONTH


def test_default_month_is_last_month(client_for, general_manager, time_machine):
    time_machine.move_to(local(2025, 4, 2, 9))
    response = client_for(general_manager).get(reverse("reports:dashboard"))
    assert response.context["month_value"] == "2025-03"


def test_dashboard_permissions(client_for, agent, cr_manager, store_a):
    assert client_for(agent).get(dashboard_url()).status_code == 403
    assert client_for(cr_manager).get(dashboard_url()).status_code == 200


def test_other_store_filter_is_404(client_for, general_manager, store_b):
    assert client_for(general_manager).get(dashboard_url(store=store_b.pk)).status_code == 404


def test_group_level_gm_sees_every_store_and_filters(client_for, store_a, store_b):
    from crm.choices import Role
    from tests.factories import UserFactory

    group_gm = UserFactory(username="ggm", roles=[Role.GENERAL_MANAGER], is_group_level=True)
    make_task(staff=service_advisor(store_a, "甲店顾问"), source=local(2025, 3, 5, 10))
    make_task(staff=service_advisor(store_b, "乙店顾问"), source=local(2025, 3, 5, 10))
    client = client_for(group_gm)
    page = client.get(dashboard_url()).content.decode()
    assert "甲店顾问" in page and "乙店顾问" in page and 'data-testid="store-filter"' in page
    page = client.get(dashboard_url(store=store_b.pk)).content.decode()
    assert "乙店顾问" in page and "甲店顾问" not in page


def test_dashboard_shows_approved_snapshot_not_later_data(client_for, general_manager, cr_manager, store_a):
    sa = service_advisor(store_a, "周顾问")
    make_task(staff=sa, source=local(2025, 3, 5, 10))
    package = report_package_generate(store=store_a, month=MARCH, user=cr_manager)
    report_package_submit(package=package, user=cr_manager)
    report_package_approve(package=package, user=general_manager)
    # Late data for March after approval.
    make_task(staff=sa, source=local(2025, 3, 6, 10), state=TaskState.CLOSED_UNSUCCESSFUL)

    response = client_for(general_manager).get(dashboard_url())
    page = response.content.decode()
    assert 'data-source="approved"' in page and "已批准数据" in page and str(general_manager) in page
    assert response.context["data"]["kpis"]["tasks"] == 1  # the frozen figure, not 2


def test_dashboard_query_count_does_not_grow(client_for, general_manager, store_a, django_assert_max_num_queries):
    """As deployed (beat stored the figures) the page reads them in one query, whatever the rows; a
    first visit of a month nobody computed adds one batch of GROUP BY queries, whatever the rows."""
    client = client_for(general_manager)
    with time_machine_month():
        fill_march(store_a, advisors=1, tasks_each=1)
        warm_dashboard()
        client.get(dashboard_url())  # warm the session and permission caches
        # ~9 for the page frame (session, user, permissions, roles, stores, bell) + stores, the
        # month's packages and the stored figures.
        with django_assert_max_num_queries(12) as stored:
            client.get(dashboard_url())
        StoreMonthFigures.objects.all().delete()
        # + complaints, 2 staff and 2 staff-question GROUP BYs (in a savepoint that switches JIT off)
        # the 客户维系 counts (reminders, win-back entries) and the upsert.
        with django_assert_max_num_queries(len(stored.captured_queries) + 11) as first_visit:
            client.get(dashboard_url())

        fill_march(store_a, advisors=4, tasks_each=3, prefix="新")
        StoreMonthFigures.objects.all().delete()
        with django_assert_max_num_queries(len(first_visit.captured_queries)):
            response = client.get(dashboard_url())
        assert len(response.context["data"]["ranking"]["service"]) == 5
        warm_dashboard()
        with django_assert_max_num_queries(len(stored.captured_queries)):
            response = client.get(dashboard_url())
        assert len(response.context["data"]["ranking"]["service"]) == 5


def test_figures_are_stored_until_beat_refreshes_them(client_for, general_manager, store_a):
    sa = service_advisor(store_a, "周顾问")
    make_task(staff=sa, source=local(2025, 3, 5, 10))
    client = client_for(general_manager)
    with time_machine_month() as traveller:
        assert client.get(dashboard_url()).context["data"]["kpis"]["tasks"] == 1  # computed and stored
        make_task(staff=sa, source=local(2025, 3, 6, 10))
        traveller.shift(dt.timedelta(minutes=10))
        response = client.get(dashboard_url())
        assert response.context["data"]["kpis"]["tasks"] == 1  # minutes old, and the page says when
        assert '<span class="text-muted ms-1" data-testid="computed-at">截至 09:00</span>' in response.content.decode()
        # March and April rewritten, and the history's months before March's trend filled in (the
        # page's visit stored the rest of March's trend).
        assert warm_dashboard() == 2 + figures.HISTORY_MONTHS - figures.TREND_MONTHS - 1
        response = client.get(dashboard_url())
        assert response.context["data"]["kpis"]["tasks"] == 2
        page = response.content.decode()
        assert "截至 09:10" in page and "（趋势中较早月份截至 09:00）" in page


def test_staff_page_lists_callbacks_and_complaints(client_for, general_manager, store_a, django_assert_max_num_queries):
    sa = service_advisor(store_a, "周顾问")
    task = make_task(staff=sa, source=local(2025, 3, 5, 10), grumble=True)
    make_task(staff=sa, source=local(2025, 4, 5, 10))  # April: not listed
    case = make_case(store=store_a, customer=task.customer, received_at=local(2025, 3, 9, 10))
    client = client_for(general_manager)
    url = f"{reverse('reports:dashboard_staff', args=[sa.pk])}?month={MONTH}&kind=service"
    client.get(url)
    with django_assert_max_num_queries(18):
        response = client.get(url)
    # More of the advisor's callbacks and complaints in the month: not one query more.
    for day in (10, 11, 12, 13):
        more = make_task(staff=sa, source=local(2025, 3, day, 10))
        make_case(store=store_a, customer=more.customer, received_at=local(2025, 3, day + 5, 10))
    with django_assert_max_num_queries(18):
        assert len(client.get(url).context["page_obj"].object_list) == 5
    page = response.content.decode()
    assert response.status_code == 200
    assert task.customer.name in page and case.case_no in page
    assert len(response.context["page_obj"].object_list) == 1
    summary = response.context["summary"]
    assert summary["row"]["tasks"] == 1 and summary["row"]["complained"] == 1
    assert "抱怨率" in page  # the measures, by their labels
    # In English the measures' labels are translated (they are stored as Chinese msgids).
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url).content.decode()
    assert "Grievance rate" in page and "Dissatisfied rate" in page and "抱怨率" not in page


def test_staff_page_of_other_store_is_404(client_for, general_manager, store_b):
    sa = service_advisor(store_b, "乙店顾问")
    url = reverse("reports:dashboard_staff", args=[sa.pk])
    assert client_for(general_manager).get(url).status_code == 404


def test_package_pages_flow_and_permissions(client_for, client, cr_manager, general_manager, store_a):
    make_task(staff=service_advisor(store_a, "周顾问"), source=local(2025, 3, 5, 10))
    generate = reverse("reports:package_generate")
    # The GM cannot generate; the CR manager can.
    assert client_for(general_manager).post(generate, {"store": store_a.pk, "month": MONTH}).status_code == 403
    client.logout()
    response = client_for(cr_manager).post(generate, {"store": store_a.pk, "month": MONTH})
    package = ReportPackage.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:package_detail", args=[package.pk])
    assert client.get(reverse("reports:package_list")).status_code == 200
    detail = client.get(reverse("reports:package_detail", args=[package.pk])).content.decode()
    assert 'data-testid="action-submit"' in detail and 'data-testid="action-approve"' not in detail
    # The CR manager may not approve even by posting directly.
    client.post(reverse("reports:package_action", args=[package.pk, "submit"]))
    client.post(reverse("reports:package_action", args=[package.pk, "approve"]))
    package.refresh_from_db()
    assert package.state == PackageState.SUBMITTED

    client.logout()
    client = client_for(general_manager)
    detail = client.get(reverse("reports:package_detail", args=[package.pk])).content.decode()
    assert 'data-testid="action-approve"' in detail and 'data-testid="action-submit"' not in detail
    client.post(reverse("reports:package_action", args=[package.pk, "return"]), {"comment": ""})
    package.refresh_from_db()
    assert package.state == PackageState.SUBMITTED  # a return needs a comment
    client.post(reverse("reports:package_action", args=[package.pk, "approve"]))
    package.refresh_from_db()
    assert package.state == PackageState.APPROVED and package.approved_by == general_manager
    detail = client.get(reverse("reports:package_detail", args=[package.pk])).content.decode()
    assert 'data-testid="approved-by"' in detail and str(general_manager) in detail


def test_package_of_other_store_is_404(client_for, cr_manager, store_b):
    package = ReportPackage.objects.create(store=store_b, month=MARCH)
    client = client_for(cr_manager)
    assert client.get(reverse("reports:package_detail", args=[package.pk])).status_code == 404
    assert client.post(reverse("reports:package_action", args=[package.pk, "submit"])).status_code == 404
    response = client.post(reverse("reports:package_generate"), {"store": store_b.pk, "month": MONTH})
    assert response.status_code == 404


def test_package_list_query_count(client_for, cr_manager, store_a, django_assert_max_num_queries):
    client = client_for(cr_manager)
    ReportPackage.objects.create(store=store_a, month=dt.date(2025, 1, 1))
    client.get(reverse("reports:package_list"))
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("reports:package_list"))
    for m in range(2, 12):
        ReportPackage.objects.create(store=store_a, month=dt.date(2024, m, 1), generated_by=cr_manager)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("reports:package_list"))


def test_kpi_tiles_show_the_change_against_last_month(client_for, general_manager, store_a):
    sa = service_advisor(store_a, "周顾问")
    make_task(staff=sa, source=local(2025, 2, 5, 10))  # February: 1 of 2 successful (50 %)
    make_task(staff=sa, source=local(2025, 2, 6, 10), state=TaskState.CLOSED_UNSUCCESSFUL)
    for day in (5, 6, 7, 10):  # March: 3 of 4 successful (75 %)
        make_task(staff=sa, source=local(2025, 3, day, 10), state=TaskState.DONE if day != 10 else TaskState.OPEN)
    with time_machine_month():
        page = client_for(general_manager).get(dashboard_url()).content.decode()
    tile = page.split('data-testid="kpi-success-rate"')[1].split('data-testid="kpi-sales-full"')[0]
    assert 'class="text-success" data-testid="delta"' in tile and "+25.0" in tile


def test_package_page_previews_each_frozen_table(client_for, cr_manager, store_a):
    from django.conf import settings

    fill_march(store_a, advisors=1, tasks_each=2)
    package = report_package_generate(store=store_a, month=MARCH, user=cr_manager)
    client = client_for(cr_manager)
    page = client.get(reverse("reports:package_detail", args=[package.pk])).content.decode()
    assert page.count('data-testid="package-table-snapshot"') == len(package.tables)
    assert "服务顾问满意率统计表" in page and "<th>交车数</th>" in page and "<td>合计</td>" in page
    # The frozen rows stay as they are; title, headers and the total label follow the user's language.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("reports:package_detail", args=[package.pk])).content.decode()
    assert "Service advisor satisfaction" in page and "<th>Deliveries</th>" in page and "<td>Total</td>" in page
    assert "服务0" in page  # a frozen row


def test_package_buttons_follow_the_roles_the_services_check(client_for, administrator, cr_manager, store_a):
    """A superuser administrator holds every permission but is neither CR manager nor GM: the page
    offers none of the steps the approval services would refuse them."""
    administrator.is_superuser = True
    administrator.save()
    package = report_package_generate(store=store_a, month=MARCH, user=cr_manager)
    report_package_submit(package=package, user=cr_manager)
    page = client_for(administrator).get(reverse("reports:package_detail", args=[package.pk])).content.decode()
    assert 'data-testid="action-approve"' not in page and 'data-testid="action-return"' not in page
    assert "已提交，等待总经理审批。" in page
    listing = client_for(administrator).get(reverse("reports:package_list")).content.decode()
    assert 'data-testid="package-generate"' not in listing
