"""Browser flow (SPEC §10.5): the CR manager records an improvement meeting, opens an EQC action from
one of the five weakest questions the meeting opens with, and the GM — who finds an overdue action
on the dashboard — signs it off. Screenshots at 1400 px and 390 px."""

import datetime as dt

import pytest
import time_machine

from callbacks.choices import CallbackKind
from improvement.models import EqcAction
from tests.improvement.factories import action, answered, local, meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOW = local(2026, 11, 12, 10, 0)


def test_meeting_action_from_weak_item_and_gm_sign_off(
    page, live_server, login, store_a, cr_manager, general_manager, screenshot
):
    with time_machine.travel(NOW, tick=True):
        for day in (3, 4, 5, 6):  # October: nobody was shown the old parts (service Q8)
            answered(store=store_a, kind=CallbackKind.SERVICE, source=local(2026, 10, day, 10), code="Q8", value="否")
        earlier = meeting(store=store_a, held_on=dt.date(2026, 10, 9), chair=cr_manager)
        overdue = action(meeting=earlier, kind="service", code="Q4", due_on=dt.date(2026, 11, 1))

        login(cr_manager)
        page.goto(f"{live_server.url}/improvement/meetings/")
        page.click("[data-testid=meeting-new] summary")
        page.select_option("select[name=store]", str(store_a.pk))
        page.fill("input[name=held_on]", "2026-11-10")
        page.fill("textarea[name=attendees]", "总经理、服务经理、客关部经理")
        page.fill("textarea[name=minutes]", "十月旧件展示为最弱项")
        page.click("[data-testid=meeting-save]")
        page.wait_for_load_state("networkidle")
        weak = page.locator("[data-testid=weak-question]").first
        assert "Q8" in weak.inner_text() and "100.0%" in weak.inner_text()
        weak.locator("[data-testid=open-action]").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("select[name=question]").input_value() == "service:Q8"
        page.fill("textarea[name=cause_analysis]", "交车时服务顾问未主动展示旧件")
        page.fill("textarea[name=measure]", "旧件装袋置于副驾，交车时展示")
        page.fill("input[name=owner]", "服务经理")
        page.fill("input[name=due_on]", "2026-12-10")
        page.click("[data-testid=action-save]")
        page.wait_for_load_state("networkidle")
        row = page.locator("[data-testid=action-row]", has_text="旧件装袋")
        assert row.count() == 1
        # M0 = November: its result is running (the month is in progress); +1..+3 have not begun.
        assert "进行中" in row.locator("[data-testid=result-0]").inner_text()
        assert row.locator("[data-testid=verdict]").inner_text().strip() == ""
        screenshot("improvement_meeting_1400")
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot("improvement_meeting_390")
        page.set_viewport_size({"width": 1400, "height": 900})

        page.context.clear_cookies()
        login(general_manager)  # lands on the dashboard
        banner = page.locator("[data-testid=overdue-actions]")
        assert overdue.question_text[:10] in banner.inner_text()
        page.click("[data-testid=overdue-actions] >> text=查看全部")
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-testid=action-row][data-overdue]").count() == 1
        page.goto(page.url.split("?")[0])
        row = page.locator("[data-testid=action-row]", has_text="旧件装袋")
        row.locator("input[name=note]").fill("同意，月底复查")
        row.locator("[data-testid=sign-off-button]").click()
        page.wait_for_load_state("networkidle")
        row = page.locator("[data-testid=action-row]", has_text="旧件装袋")
        assert "同意，月底复查" in row.locator("[data-testid=sign-off]").inner_text()
        screenshot("improvement_actions_1400")
        page.set_viewport_size({"width": 390, "height": 844})
        screenshot("improvement_actions_390")
    signed = EqcAction.objects.get(measure__startswith="旧件装袋")
    assert signed.signed_off_by == general_manager
