"""Browser flow (issue 14 item 1): the CR manager reads the month's voice of the customer, drills from
a keyword down to the verbatims; the GM reads the same verbatims with the numbers masked; an agent
records a suggestion's feedback call and that it was adopted. Screenshots in Chinese and English at
1400 px and 390 px."""

import pytest
import time_machine

from crm.choices import StaffRole
from tests.factories import CustomerFactory, StaffFactory
from tests.voc.conftest import ensure_default_topics
from tests.voc.factories import call_note, complaint, local, suggestion
from voc import tasks
from voc.models import VocEntry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOW = local(2026, 11, 20, 10, 0)


def _voices(store):
    ensure_default_topics()
    advisors = [StaffFactory(store=store, name=n, role=StaffRole.SERVICE_ADVISOR) for n in ("钱顾问", "孙顾问")]
    customer = CustomerFactory(store=store, name="张伟", mobile="13812345678")
    texts = ["洗车不干净，请回电13912345678", "等了2个小时", "休息区很舒服", "价格太贵了", "希望能提供代步车"]
    for month, days in ((9, (3, 9)), (10, (2, 5, 8, 11)), (11, (2, 4, 6, 8, 10, 12))):
        for i, day in enumerate(days):
            text = texts[(i + month) % len(texts)]
            suggestion(
                store=store,
                text=text,
                source=local(2026, month, day, 10),
                staff=advisors[i % 2],
                customer=customer if text == texts[0] else None,
            )
    call_note(store=store, text="客户说服务顾问态度很好", at=local(2026, 11, 9, 10), staff=advisors[0])
    complaint(store=store, content="配件等了两周还没到货", demand="尽快到货", received_at=local(2026, 11, 7, 9))
    tasks.voc_tag_new()


def test_voc_page_drill_down_masked_for_gm_and_feedback_call(
    page, live_server, login, store_a, cr_manager, general_manager, agent, screenshot
):
    with time_machine.travel(NOW, tick=True):
        _voices(store_a)
        login(cr_manager)
        page.goto(f"{live_server.url}/voc/?month=2026-11")
        page.wait_for_function("document.body.dataset.chartsReady === '1'")
        wash = page.locator("[data-testid=voc-topic-row][data-topic=洗车]")
        assert wash.locator("[data-testid=topic-count]").inner_text() == "1"
        screenshot("voc_page_zh_1400")
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot("voc_page_zh_390")
        page.set_viewport_size({"width": 1400, "height": 900})
        wash.locator("[data-testid=keyword]", has_text="洗车").click()
        page.wait_for_load_state("networkidle")
        texts = page.locator("[data-testid=verbatim-text]").all_inner_texts()
        assert texts == ["洗车不干净，请回电13912345678"]
        drill_url = page.url
        screenshot("voc_verbatims_zh_1400")

        page.context.clear_cookies()
        login(general_manager)
        page.goto(drill_url)
        assert page.locator("[data-testid=verbatim-text]").first.inner_text() == "洗车不干净，请回电139****5678"
        assert "13812345678" not in page.content() and "138****5678" in page.content()
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        page.goto(drill_url)
        screenshot("voc_verbatims_en_1400")
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot("voc_verbatims_en_390")
        page.goto(f"{live_server.url}/voc/?month=2026-11")
        page.wait_for_function("document.body.dataset.chartsReady === '1'")
        screenshot("voc_page_en_390")
        page.set_viewport_size({"width": 1400, "height": 900})
        page.goto(f"{live_server.url}/voc/?month=2026-11")
        page.wait_for_function("document.body.dataset.chartsReady === '1'")
        screenshot("voc_page_en_1400")

        page.context.clear_cookies()
        login(agent)
        page.goto(f"{live_server.url}/voc/feedback/")
        rows = page.locator("[data-testid=feedback-row]")
        waiting = rows.count()
        assert waiting >= 1
        screenshot("voc_feedback_zh_1400")
        rows.first.locator("textarea[name=note]").fill("已增加两台代步车，客户表示感谢")
        rows.first.locator("[data-testid=feedback-adopted]").check()
        rows.first.locator("[data-testid=feedback-save]").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-testid=feedback-row]").count() == waiting - 1
        assert "客户不是有效会员，未加积分。" in page.locator(".alert-success").inner_text()
        done = VocEntry.objects.get(feedback_at__isnull=False)
        assert done.feedback_by == agent and done.feedback_note == "已增加两台代步车，客户表示感谢"
        assert done.adopted
        page.goto(f"{live_server.url}/voc/feedback/?state=done")
        assert "已增加两台代步车" in page.locator("[data-testid=feedback-done]").first.locator("xpath=..").inner_text()
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot("voc_feedback_zh_390")
