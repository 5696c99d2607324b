"""Browser flows: a CR manager records a grumble's handling (table 5) and the follow-up call; a
complaint's photo is uploaded on the case page. Screenshots in zh and en, 1400 and 390 px wide."""

import datetime as dt

import pytest
from django.utils import timezone

from callbacks.models import CallAttempt, Grumble, HotAlert
from complaints.models import CaseAttachment
from complaints.services import case_receive
from crm.choices import DepartmentKind
from demo.grumbles import tiny_png
from tests.callbacks.factories import ServiceTaskFactory
from tests.factories import DepartmentFactory, RepairOrderFactory, StaffFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _alert(store, *, hours_ago: float, note: str, reasons: list[str]):
    task = ServiceTaskFactory(repair_order=RepairOrderFactory(store=store, mileage_km=18000))
    at = timezone.now() - dt.timedelta(hours=hours_ago)
    CallAttempt.objects.create(task=task, at=at, disposition="成功", note=note)
    return HotAlert.objects.create(task=task, raised_at=at, reasons=reasons)


def _shots(page, live_server, screenshot, url: str, name: str):
    for language in ("zh-hans", "en"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        for width in (1400, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            page.wait_for_load_state("networkidle")
            screenshot(f"{name}_{language}_{width}")
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page.set_viewport_size({"width": 1440, "height": 900})


def test_cr_manager_records_a_grumbles_handling_and_recall(page, live_server, login, cr_manager, store_a, screenshot):
    service = DepartmentFactory(store=store_a, kind=DepartmentKind.SERVICE)
    advisor = StaffFactory(store=store_a, name="秦立松", department=service)
    alert = _alert(store_a, hours_ago=30, note="洗车不干净，等了2个小时", reasons=["Q10 维修质量 4分"])
    _alert(store_a, hours_ago=5, note="休息区很舒服，但交车晚了", reasons=["Q5 是否按时交车：否"])

    login(cr_manager)
    page.goto(f"{live_server.url}/callbacks/grumbles/?month=")  # every month (it opens on this one)
    assert page.locator("[data-testid=grumble-row]").count() == 2
    page.locator("[data-testid=grumble-row] a").last.click()  # the older one (newest first)
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=grumble-status]").inner_text() == "处理中"
    form = page.locator("[data-testid=grumble-form]")
    # the customer's words from the call are already there
    assert "等了2个小时" in form.locator("textarea[name=content]").input_value()
    form.locator("select[name=category]").select_option("attitude")
    form.locator("textarea[name=handling]").fill("服务经理致电致歉，安排免费重新洗车")
    form.locator("select[name=responsible_staff]").select_option(str(advisor.pk))
    form.locator("input[name=handled_on]").fill(timezone.localdate().isoformat())
    # no summary yet: refused with the reason, nothing saved as done
    form.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert "处理结果总结" in page.locator("[data-testid=grumble-form]").inner_text()
    assert Grumble.objects.filter(handled_on__isnull=False).count() == 0
    page.locator("[data-testid=grumble-form] textarea[name=result_summary]").fill("客户接受致歉，已到店重洗")
    page.locator("[data-testid=grumble-form] button").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=grumble-status]").inner_text() == "已处理完毕"
    grumble = Grumble.objects.get(alert=alert)
    assert (grumble.responsible_staff, grumble.department) == (advisor, service)

    page.locator("[data-testid=recall-form] textarea[name=recall_note]").fill("客户对处理结果满意")
    page.locator("[data-testid=recall-form] button").click()
    page.wait_for_load_state("networkidle")
    assert "客户对处理结果满意" in page.locator("[data-testid=recall-note]").inner_text()
    grumble.refresh_from_db()
    assert grumble.recall_by == cr_manager

    page.goto(f"{live_server.url}/callbacks/grumbles/?status=done")
    assert page.locator("[data-testid=grumble-row]").count() == 1
    _shots(page, live_server, screenshot, f"{live_server.url}/callbacks/grumbles/?month=", "grumble_list")
    _shots(page, live_server, screenshot, f"{live_server.url}/callbacks/grumbles/{alert.pk}/", "grumble_detail")


def test_photo_uploaded_on_the_case_page(page, live_server, login, cr_manager, agent, store_a, screenshot, tmp_path):
    customer = ServiceTaskFactory(repair_order=RepairOrderFactory(store=store_a)).customer
    StaffFactory(store=store_a, name="唐杰")
    case = case_receive(
        user=agent,
        store=store_a,
        customer=customer,
        channel="phone",
        category="repair_quality",
        content="钣喷后车门颜色有色差",
        demand="重新喷漆",
    )
    photo = tmp_path / "车门色差.png"
    photo.write_bytes(tiny_png())
    fake = tmp_path / "报告.pdf"
    fake.write_bytes(tiny_png())
    login(cr_manager)
    page.goto(f"{live_server.url}/complaints/cases/{case.pk}/")
    upload = page.locator("[data-testid=attachment-upload]")
    upload.locator("input[type=file]").set_input_files(str(fake))
    upload.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert "内容与扩展名" in page.locator("[data-testid=attachment-upload]").inner_text()
    upload = page.locator("[data-testid=attachment-upload]")
    upload.locator("input[type=file]").set_input_files(str(photo))
    upload.locator("input[name=note]").fill("客户微信发来的照片")
    upload.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=attachment]").count() == 1
    assert CaseAttachment.objects.get().content_type == "image/png"
    staff_form = page.locator("[data-testid=action-set_staff]")
    staff_form.locator("select[name=staff]").select_option(label="唐杰")
    staff_form.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=case-complained-staff]").inner_text() == "唐杰"
    with page.expect_download() as download:
        page.locator("[data-testid=attachment] a").click()
    assert download.value.suggested_filename == "车门色差.png"
    _shots(page, live_server, screenshot, f"{live_server.url}/complaints/cases/{case.pk}/", "case_attachments")
