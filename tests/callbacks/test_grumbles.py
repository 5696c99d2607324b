"""Grumbles (table 5): the lifecycle of a hot alert not turned into a case, the register (store
scope, filters, constant queries), the timeline and the table-5 export."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from callbacks.grumbles.selectors import grumble_register
from callbacks.grumbles.services import grumble_recall, grumble_save
from callbacks.models import CallAttempt, Grumble, HotAlert
from complaints.choices import Category, Channel
from complaints.services import case_receive
from crm.choices import DepartmentKind, Role
from crm.timeline import customer_timeline
from reports.registry import build_report
from reports.tables.grumbles import GRUMBLE_COLUMNS
from tests.callbacks.factories import ServiceTaskFactory
from tests.concurrency import run_at_once
from tests.factories import DepartmentFactory, RepairOrderFactory, StaffFactory, UserFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
RAISED = dt.datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI)

TABLE5_HEADERS = [
    "受理日期",
    "案例编号",
    "内容分类",
    "车型",
    "VIN号",
    "协议号",
    "车牌号",
    "购买日期",
    "行驶里程KM",
    "用户姓名",
    "性别",
    "车辆使用性质",
    "移动电话",
    "固定电话",
    "Email",
    "地址",
    "邮政编码",
    "用户综合情况介绍",
    "维修工时描述",
    "维修班组",
    "服务顾问",
    "用户抱怨内容和用户要求",
    "处理过程及情况",
    "处理责任人",
    "处理完毕日期",
    "处理责任人签字",
    "处理结果总结",
    "再次回访记录",
]


def make_alert(store, *, raised_at=RAISED, reasons=("Q10 维修质量 4分",), note="洗车不干净，等了2个小时"):
    ro = RepairOrderFactory(store=store, mileage_km=23000)
    task = ServiceTaskFactory(repair_order=ro)
    CallAttempt.objects.create(task=task, at=raised_at, disposition="成功", note=note)
    return HotAlert.objects.create(task=task, raised_at=raised_at, reasons=list(reasons))


@pytest.fixture
def service_dept(store_a):
    return DepartmentFactory(store=store_a, kind=DepartmentKind.SERVICE)


@pytest.fixture
def advisor_staff(store_a, service_dept):
    return StaffFactory(store=store_a, name="秦立松", department=service_dept)


# --- lifecycle ----------------------------------------------------------------------------------


def test_table5_lifecycle_handling_then_done_then_recall(store_a, cr_manager, agent, advisor_staff, service_dept):
    alert = make_alert(store_a)
    assert not Grumble.objects.exists()  # an alert not yet handled has no row: it is "open"
    assert list(grumble_register(user=cr_manager, filters={"status": "open"})) == [alert]

    with time_machine.travel(RAISED + dt.timedelta(hours=2), tick=False):
        grumble = grumble_save(
            alert=alert,
            user=cr_manager,
            category=Category.ATTITUDE,
            content="洗车不干净，等了2个小时",
            handling="服务经理致电致歉，下次保养免费洗车",
            responsible_staff=advisor_staff,
        )
    assert grumble.department == service_dept  # taken from the responsible person
    assert grumble.handled_on is None
    # the re-call comes after the handling is finished
    with pytest.raises(ValidationError, match="处理完毕后"):
        grumble_recall(alert=alert, user=agent, note="客户满意")

    # done needs the summary
    with pytest.raises(ValidationError) as refused:
        grumble_save(
            alert=alert,
            user=cr_manager,
            handling="已致歉",
            responsible_staff=advisor_staff,
            handled_on=dt.date(2026, 10, 13),
        )
    assert "result_summary" in refused.value.message_dict
    grumble_save(
        alert=alert,
        user=cr_manager,
        category=Category.ATTITUDE,
        content="洗车不干净，等了2个小时",
        handling="服务经理致电致歉，下次保养免费洗车",
        responsible_staff=advisor_staff,
        handled_on=dt.date(2026, 10, 13),
        result_summary="客户接受致歉",
    )
    assert list(grumble_register(user=cr_manager, filters={"status": "done"})) == [alert]
    assert list(grumble_register(user=cr_manager, filters={"status": "open"})) == []

    with time_machine.travel(dt.datetime(2026, 10, 16, 15, 0, tzinfo=SHANGHAI), tick=False):
        grumble = grumble_recall(alert=alert, user=agent, note="客户对处理结果满意")
    assert grumble.recall_by == agent and grumble.recall_note == "客户对处理结果满意"
    assert Grumble.objects.count() == 1


def test_handled_date_before_the_alert_and_another_stores_staff_are_refused(store_a, store_b, cr_manager):
    alert = make_alert(store_a)
    with pytest.raises(ValidationError) as refused:
        grumble_save(
            alert=alert,
            user=cr_manager,
            handling="x",
            result_summary="y",
            handled_on=dt.date(2026, 10, 1),
            responsible_staff=StaffFactory(store=store_b, name="别店员工"),
        )
    assert {"handled_on", "responsible_staff"} <= set(refused.value.message_dict)
    assert not Grumble.objects.exists()


def test_an_alert_turned_into_a_case_is_no_grumble(client_for, store_a, cr_manager, agent):
    kept = make_alert(store_a)
    became_case = make_alert(store_a)
    case_receive(
        user=agent,
        store=store_a,
        customer=became_case.task.customer,
        channel=Channel.CALLBACK,
        category=Category.REPAIR_QUALITY,
        content="异响",
        hot_alert_id=became_case.pk,
    )
    assert list(grumble_register(user=cr_manager)) == [kept]
    assert client_for(cr_manager).get(reverse("callbacks:grumble_detail", args=[became_case.pk])).status_code == 404


def test_two_managers_saving_at_once_make_one_row(store_a, cr_manager, transactional_db):
    alert = make_alert(store_a)
    other = UserFactory(roles=[Role.CR_MANAGER], stores=[store_a])

    def save(user, text):
        return grumble_save(alert=alert, user=user, handling=text).pk

    ids = run_at_once(save, [(cr_manager, "甲"), (other, "乙")])
    assert len(set(ids)) == 1
    assert Grumble.objects.get().handling in {"甲", "乙"}


# --- pages --------------------------------------------------------------------------------------


def test_register_is_store_scoped_and_filters(client_for, store_a, store_b, cr_manager, advisor_staff):
    mine = make_alert(store_a)
    october_done = make_alert(store_a)
    november = make_alert(store_a, raised_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))
    theirs = make_alert(store_b)
    grumble_save(
        alert=october_done,
        user=cr_manager,
        handling="致歉",
        result_summary="接受",
        responsible_staff=advisor_staff,
        handled_on=dt.date(2026, 10, 14),
    )
    client = client_for(cr_manager)
    url = reverse("callbacks:grumble_list")
    page = client.get(url, {"month": ""})  # blank: every month
    assert page.status_code == 200
    rows = page.context["page_obj"].object_list
    assert set(rows) == {mine, october_done, november}  # never store B's
    assert theirs not in rows

    def shown(params):
        return set(client.get(url, params).context["page_obj"].object_list)

    assert shown({"month": "2026-10"}) == {mine, october_done}
    # with no filter at all the register opens on this month
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI), tick=False):
        opened = client.get(url)
    assert set(opened.context["page_obj"].object_list) == {november}
    assert opened.context["form"]["month"].value() == "2026-11"
    assert shown({"month": "2026-10", "status": "done"}) == {october_done}
    assert shown({"status": "open"}) == {mine, november}
    assert shown({"department": DepartmentKind.SERVICE}) == {october_done}
    assert shown({"department": DepartmentKind.SALES}) == set()
    # another store's grumble page is a 404
    assert client.get(reverse("callbacks:grumble_detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("callbacks:grumble_update", args=[theirs.pk]), {"handling": "x"}).status_code == 404


def test_register_query_count_is_constant_in_rows(
    client_for, store_a, cr_manager, advisor_staff, django_assert_max_num_queries
):
    client = client_for(cr_manager)
    url = reverse("callbacks:grumble_list") + "?month="
    for _ in range(2):
        alert = make_alert(store_a)
        grumble_save(alert=alert, user=cr_manager, handling="致歉", responsible_staff=advisor_staff)
    client.get(url)  # warm the session and the user's store cache
    with django_assert_max_num_queries(9) as few:
        assert client.get(url).status_code == 200
    for _ in range(8):
        alert = make_alert(store_a)
        grumble_save(alert=alert, user=cr_manager, handling="致歉", responsible_staff=advisor_staff)
        make_alert(store_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert len(page.context["page_obj"].object_list) == 18


def test_agent_records_and_gm_only_reads(client_for, store_a, agent, general_manager, cr_manager, advisor_staff):
    alert = make_alert(store_a)
    url = reverse("callbacks:grumble_update", args=[alert.pk])
    data = {"handling": "致电致歉", "responsible_staff": advisor_staff.pk, "content": "洗车不干净"}
    assert client_for(general_manager).post(url, data).status_code == 403
    detail = client_for(general_manager).get(reverse("callbacks:grumble_detail", args=[alert.pk]))
    assert detail.status_code == 200 and 'data-testid="grumble-form"' not in detail.text
    response = client_for(agent).post(url, data)
    assert response.status_code == 302
    assert Grumble.objects.get().handling == "致电致歉"
    # a handled date without a summary: the form says why, nothing is lost
    response = client_for(agent).post(url, {**data, "handled_on": "2026-10-13"})
    assert response.status_code == 400
    assert "处理结果总结" in response.text
    assert Grumble.objects.get().handled_on is None


def test_detail_prefills_the_customers_words(client_for, store_a, cr_manager):
    alert = make_alert(store_a, note="休息区很舒服，但等了2个小时")
    page = client_for(cr_manager).get(reverse("callbacks:grumble_detail", args=[alert.pk]))
    assert "等了2个小时" in page.context["form"].initial["content"]


# --- timeline and export ------------------------------------------------------------------------


def test_timeline_shows_the_grumble_and_its_handling(store_a, cr_manager, agent_b, advisor_staff):
    alert = make_alert(store_a)
    grumble_save(
        alert=alert,
        user=cr_manager,
        handling="致歉",
        result_summary="客户接受",
        handled_on=dt.date(2026, 10, 13),
        responsible_staff=advisor_staff,
    )
    entries = [e for e in customer_timeline(alert.task.customer, user=cr_manager) if e.kind == "grumble"]
    assert len(entries) == 1
    assert entries[0].title == "抱怨（已处理完毕）" and "客户接受" in entries[0].body
    assert [e for e in customer_timeline(alert.task.customer, user=agent_b) if e.kind == "grumble"] == []


def test_export_has_table5_headers_and_rows(store_a, store_b, cr_manager, advisor_staff, tmp_path):
    assert [str(c.header) for c in GRUMBLE_COLUMNS] == TABLE5_HEADERS
    done = make_alert(store_a)
    make_alert(store_a)
    make_alert(store_b)
    make_alert(store_a, raised_at=dt.datetime(2026, 11, 1, 0, 0, tzinfo=SHANGHAI))
    grumble_save(
        alert=done,
        user=cr_manager,
        category=Category.ATTITUDE,
        content="洗车不干净",
        handling="致歉并免费重洗",
        result_summary="客户接受",
        responsible_staff=advisor_staff,
        handled_on=dt.date(2026, 10, 13),
    )
    grumble_recall(alert=done, user=cr_manager, note="客户满意")
    table = build_report("grumbles", store_ids=[store_a.id], month=dt.date(2026, 10, 1), full_numbers=False)
    rows = list(table.rows)
    assert len(rows) == 2
    first = rows[0]
    assert first["number"].startswith("LA-BY20261012-")
    assert (first["content"], first["handling"], first["responsible"]) == ("洗车不干净", "致歉并免费重洗", "秦立松")
    assert (first["handled_on"], first["summary"], first["recall"]) == (dt.date(2026, 10, 13), "客户接受", "客户满意")
    assert first["mileage"] == 23000
    assert "*" in first["mobile"]  # masked for a role without full numbers
    assert table.total_values()[1] == "合计 2 件，已处理完毕 1 件"

    out = tmp_path / "g.xlsx"
    call_command("export_report", "grumbles", "--month", "2026-10", "--store", "LA", "--out", str(out))
    ws = load_workbook(out).active
    assert [c.value for c in ws[2]] == TABLE5_HEADERS
    assert ws.max_row == 2 + 2 + 1


@pytest.mark.parametrize("written", ["", "客户要求免费重洗"])
def test_every_page_says_the_same_content_and_status(store_a, cr_manager, general_manager, client_for, written):
    """One content rule (the CR staff's words, else the alert's reasons) and one done rule, on the
    register, the grumble page, the customer timeline and table 5."""
    alert = make_alert(store_a, reasons=("Q10 维修质量 4分", "回访专员标记抱怨"))
    if written:
        grumble_save(alert=alert, user=cr_manager, content=written)
    expected = written or "Q10 维修质量 4分；回访专员标记抱怨"
    with time_machine.travel(RAISED, tick=False):
        register = client_for(cr_manager).get(reverse("callbacks:grumble_list"))
    detail = client_for(general_manager).get(reverse("callbacks:grumble_detail", args=[alert.pk]))
    entry = next(e for e in customer_timeline(alert.task.customer, user=cr_manager) if e.kind == "grumble")
    row = next(iter(build_report("grumbles", store_ids=[store_a.id], month=dt.date(2026, 10, 1)).rows))
    assert register.context["page_obj"][0].content == expected and expected in register.content.decode()
    assert detail.context["content"] == expected and expected in detail.content.decode()
    assert entry.body == expected and row["content"] == expected
    assert register.context["page_obj"][0].done is False and detail.context["done"] is False
    assert entry.title == "抱怨（处理中）"


def test_a_number_the_customer_said_is_masked_for_the_gm_wherever_the_grumble_shows(
    client_for, store_a, cr_manager, general_manager
):
    alert = make_alert(store_a, reasons=("Q11 客户原话：洗车不干净，请回电 139 1234 5678",))
    said, masked = "请回电 139 1234 5678", "请回电139****5678"
    pages = [
        reverse("callbacks:grumble_list") + "?month=2026-10",
        reverse("callbacks:grumble_detail", args=[alert.pk]),
        reverse("callbacks:hot_alert_list"),
    ]
    for url in pages:
        gm_page = client_for(general_manager).get(url).text
        assert masked in gm_page and said not in gm_page, url
        assert said in client_for(cr_manager).get(url).text, url
    gm_entries = [e for e in customer_timeline(alert.task.customer, user=general_manager) if e.kind == "grumble"]
    assert masked in gm_entries[0].body and said not in gm_entries[0].body
    table = build_report("grumbles", store_ids=[store_a.pk], month=dt.date(2026, 10, 1), full_numbers=False)
    assert next(iter(table.rows))["content"].endswith(masked)
