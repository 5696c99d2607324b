"""Report pages: who sees which reports, own rows for SC/SA, masking, scope, nav, query counts."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from callbacks.choices import TaskState
from crm.choices import Role, StaffRole
from crm.roles import nav_items_for
from tests.factories import RepairOrderFactory, UserFactory
from tests.reports.builders import consultant, local, sales_task, sms

pytestmark = pytest.mark.django_db


def listed(response) -> set[str]:
    import re

    return set(re.findall(r'data-testid="report-link" data-name="([a-z_]+)"', response.text))


def test_index_by_role(client_for, cr_manager, agent, general_manager, department_manager):
    everything = listed(client_for(cr_manager).get(reverse("reports:index")))
    assert {
        "unsuccessful_callbacks", "uncertain_customers", "callback_daily", "complaints", "complaints_monthly",
        "complaints_weekly", "card_analysis_sales", "card_analysis_service", "service_kpis", "sc_satisfaction",
        "sa_satisfaction", "team_satisfaction",
    } <= everything  # fmt: skip
    agent_sees = listed(client_for(agent).get(reverse("reports:index")))
    # Agents check the weekly file audits (table 14, improvement app), work the win-back list,
    # record grumbles (table 5) and book the appointments whose arrivals they read.
    assert agent_sees == {
        "unsuccessful_callbacks", "uncertain_customers", "callback_daily", "sms_log",
        "lost_customers", "winback_reasons", "file_audits", "grumbles",
        "appointments_by_source", "appointments_by_advisor",
    }  # fmt: skip
    dm_sees = listed(client_for(department_manager).get(reverse("reports:index")))
    assert "complaints_monthly" in dm_sees and "unsuccessful_callbacks" not in dm_sees
    # The service department reads the lost customers' reasons (SPEC §10.3), not the contact list.
    assert "winback_reasons" in dm_sees and "lost_customers" not in dm_sees
    # The service manager reads the weekly callback report (issue 14 item 6) without the callback tables.
    assert "callbacks_weekly" in dm_sees


def test_nav_item_in_reports_app(cr_manager, store_a, client_for):
    assert "reports:index" in [i.url_name for i in nav_items_for(cr_manager)]
    # A reception specialist files complaints (holds complaints.view_case) but has no report to
    # open: no Reports item in the menu, and the index, opened by hand, lists nothing.
    reception = UserFactory(username="rita", roles=[Role.RECEPTION], stores=[store_a])
    assert reception.has_perm("complaints.view_case")
    assert "reports:index" not in [i.url_name for i in nav_items_for(reception)]
    assert listed(client_for(reception).get(reverse("reports:index"))) == set()


@pytest.fixture
def advisors(store_a):
    sam = UserFactory(username="sam", display_name="周顾问", roles=[Role.CONSULTANT], stores=[store_a])
    mine = consultant(store_a, "周顾问", StaffRole.SERVICE_ADVISOR)
    mine.user = sam
    mine.save()
    other = consultant(store_a, "吴顾问", StaffRole.SERVICE_ADVISOR)
    for advisor in (mine, other):
        RepairOrderFactory(
            store=store_a, service_advisor=advisor, opened_at=local(2026, 10, 5, 8, 0),
            delivered_at=local(2026, 10, 5, 12, 0), is_rework=advisor is other,
        )  # fmt: skip
    return sam, mine, other


def test_consultant_sees_only_own_rows(client_for, advisors):
    sam, _mine, _other = advisors
    client = client_for(sam)
    assert listed(client.get(reverse("reports:index"))) == {"service_kpis", "sc_satisfaction", "sa_satisfaction"}
    page = client.get(reverse("reports:report", args=["service_kpis"]), {"month": "2026-10"})
    assert page.status_code == 200
    assert "周顾问" in page.text and "吴顾问" not in page.text
    assert "仅显示本人数据" in page.text
    download = client.get(reverse("reports:report_xlsx", args=["service_kpis"]), {"month": "2026-10"})
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    names = [ws.cell(row=r, column=1).value for r in range(3, ws.max_row + 1)]
    assert names == ["周顾问", "合计"]
    assert client.get(reverse("reports:report", args=["complaints"])).status_code == 404


def test_consultant_without_staff_record_sees_no_rows(client_for, advisors, store_a):
    stranger = UserFactory(username="nobody", roles=[Role.CONSULTANT], stores=[store_a])
    page = client_for(stranger).get(reverse("reports:report", args=["service_kpis"]), {"month": "2026-10"})
    assert page.status_code == 200
    assert "周顾问" not in page.text and "吴顾问" not in page.text


def test_manager_sees_every_advisor(client_for, cr_manager, advisors):
    page = client_for(cr_manager).get(reverse("reports:report", args=["service_kpis"]), {"month": "2026-10"})
    assert "周顾问" in page.text and "吴顾问" in page.text


def test_phone_numbers_masked_for_roles_without_full_phone(client_for, general_manager, cr_manager, store_a, agent):
    task = sales_task(
        store=store_a, consultant=consultant(store_a, "张销售"), state=TaskState.CLOSED_UNSUCCESSFUL,
        attempts=["拒访"], delivered_on=dt.date(2026, 10, 3), agent=agent,
    )  # fmt: skip
    mobile = task.customer.mobile
    url = reverse("reports:report", args=["unsuccessful_callbacks"])
    gm_page = client_for(general_manager).get(url, {"month": "2026-10"})
    assert mobile not in gm_page.text and f"{mobile[:3]}****{mobile[-4:]}" in gm_page.text
    assert mobile in client_for(cr_manager).get(url, {"month": "2026-10"}).text
    # The page's Excel download masks the same way.
    xlsx_url = reverse("reports:report_xlsx", args=["unsuccessful_callbacks"])
    for user, expected in ((general_manager, f"{mobile[:3]}****{mobile[-4:]}"), (cr_manager, mobile)):
        download = client_for(user).get(xlsx_url, {"month": "2026-10"})
        cells = {
            str(c) for row in load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values for c in row
        }
        assert expected in cells and (mobile not in cells or expected == mobile)


def test_other_store_never_shows(client_for, store_a, store_b, agent):
    sales_task(
        store=store_a, consultant=consultant(store_a, "张销售"), state=TaskState.CLOSED_UNSUCCESSFUL,
        attempts=["拒访"], delivered_on=dt.date(2026, 10, 3), agent=agent,
    )  # fmt: skip
    manager_b = UserFactory(username="carol_b", roles=[Role.CR_MANAGER], stores=[store_b])
    client = client_for(manager_b)
    url = reverse("reports:report", args=["unsuccessful_callbacks"])
    assert client.get(url, {"month": "2026-10", "store": store_a.id}).status_code == 404
    page = client.get(url, {"month": "2026-10"})
    assert page.status_code == 200 and "张销售" not in page.text
    assert 'data-testid="report-row"' not in page.text


def test_group_level_user_sees_every_store(client_for, administrator, store_a, store_b, agent):
    sales_task(
        store=store_a, consultant=consultant(store_a, "张销售"), state=TaskState.CLOSED_UNSUCCESSFUL,
        attempts=["拒访"], delivered_on=dt.date(2026, 10, 3), agent=agent,
    )  # fmt: skip
    page = client_for(administrator).get(
        reverse("reports:report", args=["unsuccessful_callbacks"]), {"month": "2026-10"}
    )
    assert "全部门店" in page.text and "张销售" in page.text


@pytest.mark.parametrize(
    "name",
    ["unsuccessful_callbacks", "uncertain_customers", "callback_daily", "service_kpis", "card_analysis_sales",
     "card_analysis_service", "sc_satisfaction", "sa_satisfaction", "team_satisfaction", "sms_log"],
)  # fmt: skip
def test_page_queries_do_not_grow_with_rows(client_for, cr_manager, store_a, agent, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sc = consultant(store_a, "张销售")

    def add(n):
        for i in range(n):
            sales_task(
                store=store_a, consultant=sc, state=TaskState.CLOSED_UNSUCCESSFUL, attempts=["拒访"],
                delivered_on=dt.date(2026, 10, 3 + i), agent=agent,
            )  # fmt: skip
            sms(store_a, at=local(2026, 10, 3 + i, 10, 0), reply="9")  # table 13's rows, each its customer

    client = client_for(cr_manager)
    url = reverse("reports:report", args=[name])
    add(1)
    client.get(url, {"month": "2026-10"})
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"month": "2026-10"})
    add(4)
    with CaptureQueriesContext(connection) as five:
        response = client.get(url, {"month": "2026-10"})
    assert response.status_code == 200
    assert len(five) == len(one) <= 20


def test_english_page_translates_the_table_while_the_download_keeps_spec_chinese(
    client_for, cr_manager, store_a, agent
):
    from django.conf import settings

    sc = consultant(store_a, "张销售")
    sales_task(
        store=store_a, consultant=sc, state=TaskState.CLOSED_UNSUCCESSFUL, attempts=["拒访"],
        delivered_on=dt.date(2026, 10, 3), agent=agent,
    )  # fmt: skip
    client = client_for(cr_manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("reports:report", args=["sc_satisfaction"]), {"month": "2026-10"}).content.decode()
    # Headers, title, month, total label and a row label in English; no SPEC header left in Chinese.
    assert '<th class="text-nowrap">Deliveries</th>' in page and "Refused" in page
    assert "Sales consultant satisfaction (" in page and "2026-10)" in page
    assert ">Total<" in page
    assert "交车数" not in page and "合计" not in page and "2026年10月" not in page
    # The same user's download: SPEC §9's Chinese headers, 合计 and the Chinese month.
    response = client.get(reverse("reports:report_xlsx", args=["sc_satisfaction"]), {"month": "2026-10"})
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0].startswith("销售顾问满意率统计表") and "2026年10月" in rows[0][0]
    assert rows[1][:3] == ("销售顾问", "交车数", "回访数")
    assert rows[-1][0] == "合计"
    # The page is still in English afterwards (the export's language does not leak).
    assert ">Total<" in client.get(reverse("reports:report", args=["sc_satisfaction"]), {"month": "2026-10"}).text


def test_english_complaints_report_shows_first_or_repeat_in_english(client_for, cr_manager, store_a):
    from django.conf import settings

    from tests.reports.factories import make_case

    make_case(store=store_a, received_at=local(2026, 10, 5, 9, 0))
    client = client_for(cr_manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("reports:report", args=["complaints"]), {"month": "2026-10"}).content.decode()
    assert ">First<" in page and "首次" not in page


def test_gm_lands_on_the_dashboard_and_the_menu_follows_the_role(
    client_for, general_manager, cr_manager, agent, department_manager
):
    response = client_for(general_manager).get(reverse("crm:home"))
    assert response.status_code == 302 and response.url == reverse("reports:dashboard")
    menus = {
        user.username: {i.url_name for i in nav_items_for(user)}
        for user in (general_manager, cr_manager, agent, department_manager)
    }
    assert {"reports:dashboard", "reports:package_list"} <= menus[general_manager.username]
    assert {"reports:dashboard", "reports:package_list"} <= menus[cr_manager.username]
    assert not {"reports:dashboard", "reports:package_list"} & menus[agent.username]
    assert not {"reports:dashboard", "reports:package_list"} & menus[department_manager.username]
