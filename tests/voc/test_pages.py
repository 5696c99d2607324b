"""The VOC page and its drill-down: counts by topic, keyword, department and staff, the verbatims
behind them masked for the GM, store scoping, constant query counts; the topic list page."""

import pytest
import time_machine
from django.urls import reverse

from crm.choices import StaffRole
from crm.models import Customer, Staff
from tests.factories import CustomerFactory, StaffFactory
from tests.voc.factories import call_note, complaint, local, suggestion
from voc import tasks
from voc.models import VocTopic

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 10, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _month_of_voices(store, n: int = 1):
    advisor = Staff.objects.filter(store=store, name="钱顾问").first() or StaffFactory(
        store=store, name="钱顾问", role=StaffRole.SERVICE_ADVISOR
    )
    customer = Customer.objects.filter(store=store, name="张伟").first() or CustomerFactory(
        store=store, name="张伟", mobile="13812345678"
    )
    for i in range(n):
        suggestion(
            store=store,
            text="洗车不干净，请回电13912345678",
            source=local(2026, 11, 2 + i % 20, 10),
            staff=advisor,
            customer=customer,
        )
        call_note(store=store, text="休息区很舒服", at=local(2026, 11, 3 + i % 20, 10), staff=advisor)
    complaint(store=store, content="等了2个小时", received_at=local(2026, 10, 10, 10))
    tasks.voc_tag_new()
    return advisor


def _row(page, name):
    return next(r for r in page.context["figures"]["rows"] if r["topic"].name == name)


def test_the_month_by_topic_keyword_department_and_staff(store_a, cr_manager, client_for):
    advisor = _month_of_voices(store_a, n=2)
    page = client_for(cr_manager).get(reverse("voc:page"), {"month": "2026-11"})
    wash = _row(page, "洗车")
    assert (wash["total"], wash["negative"], wash["positive"]) == (2, 2, 0)
    assert [(k["keyword"], k["total"]) for k in wash["keywords"]] == [("洗车", 2)]
    lounge = _row(page, "环境")
    assert (lounge["total"], lounge["positive"]) == (2, 2)
    waiting = _row(page, "等待时间")
    assert waiting["total"] == 0 and waiting["trend"][-2] == 1  # October's complaint, in the trend
    assert [d["key"] for d in page.context["figures"]["by_department"]] == ["service"]
    staff = page.context["figures"]["by_staff"]
    assert [(s["name"], s["total"], s["negative"]) for s in staff] == [("钱顾问", 4, 2)]
    assert staff[0]["staff_id"] == advisor.pk
    assert page.context["figures"]["totals"]["suggestions"] == 2


def test_the_drill_down_shows_the_verbatims_masked_for_the_gm(store_a, cr_manager, general_manager, client_for):
    _month_of_voices(store_a)
    wash = VocTopic.objects.get(name="洗车")
    query = {"month": "2026-11", "topic": wash.pk}
    gm_page = client_for(general_manager).get(reverse("voc:verbatims"), query)
    rows = gm_page.context["rows"]
    assert len(rows) == 1 and rows[0]["customer_name"] == "张伟"
    assert rows[0]["text"] == "洗车不干净，请回电139****5678" and rows[0]["mobile"] == "138****5678"
    body = gm_page.content.decode()
    assert "13912345678" not in body and "13812345678" not in body
    cr_rows = client_for(cr_manager).get(reverse("voc:verbatims"), query).context["rows"]
    assert cr_rows[0]["text"] == "洗车不干净，请回电13912345678" and cr_rows[0]["mobile"] == "13812345678"


def test_another_stores_user_sees_none_of_it(store_a, store_b, agent_b, client_for):
    _month_of_voices(store_a)
    client = client_for(agent_b)
    page = client.get(reverse("voc:page"), {"month": "2026-11", "store": store_a.pk})
    assert all(r["total"] == 0 for r in page.context["figures"]["rows"])
    assert page.context["figures"]["totals"]["verbatims"] == 0
    drill = client.get(reverse("voc:verbatims"), {"month": "2026-11", "store": store_a.pk})
    assert drill.context["rows"] == []


def test_query_counts_do_not_grow_with_the_verbatims(store_a, cr_manager, client_for, django_assert_max_num_queries):
    _month_of_voices(store_a, n=1)
    client = client_for(cr_manager)
    page_url, drill_url = reverse("voc:page"), reverse("voc:verbatims")
    with django_assert_max_num_queries(20) as few:
        client.get(page_url, {"month": "2026-11"})
    with django_assert_max_num_queries(20) as few_drill:
        client.get(drill_url, {"month": "2026-11"})
    _month_of_voices(store_a, n=12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(page_url, {"month": "2026-11"})
    with django_assert_max_num_queries(len(few_drill.captured_queries)):
        assert len(client.get(drill_url, {"month": "2026-11"}).context["rows"]) == 26


def test_the_cr_manager_edits_the_topic_list_and_the_gm_may_not(cr_manager, general_manager, client_for):
    wash = VocTopic.objects.get(name="洗车")
    client = client_for(general_manager)
    assert client.get(reverse("voc:topic_list")).status_code == 403
    assert client.post(reverse("voc:topic_edit", args=[wash.pk]), {"name": "洗车"}).status_code == 403
    client = client_for(cr_manager)
    assert "洗车" in client.get(reverse("voc:topic_list")).content.decode()
    data = {"name": "洗车美容", "keywords": "洗车、打蜡、镀晶", "department": "service", "is_active": "on", "order": 30}
    assert client.post(reverse("voc:topic_edit", args=[wash.pk]), data).status_code == 302
    wash.refresh_from_db()
    assert wash.name == "洗车美容" and wash.keyword_list == ["洗车", "打蜡", "镀晶"]
    data["keywords"] = " 、 "
    page = client.post(reverse("voc:topic_edit", args=[wash.pk]), data)
    assert page.status_code == 200 and "请至少填写一个关键词" in page.content.decode()


def test_the_topic_list_queries_do_not_grow_with_topics(cr_manager, client_for, django_assert_max_num_queries):
    client = client_for(cr_manager)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("voc:topic_list")).status_code == 200
    for i in range(6):
        VocTopic.objects.create(name=f"话题{i}", keywords=f"关键词{i}", order=100 + i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("voc:topic_list"))
    assert "话题5" in page.content.decode()
