"""The GM dashboard's 客户维系 section in the browser: its tiles and both trend charts draw, in
Chinese and English, at desktop and phone widths. Screenshots go to var/screenshots/."""

import datetime as dt

import pytest

from tests.e2e.test_dashboard import PAINTED_PIXELS, shot
from tests.reports.factories import seed_dashboard_year
from tests.reports.test_retention_dashboard import fill

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MARCH = dt.date(2025, 3, 1)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_gm_reads_the_retention_section(page, live_server, login, general_manager, store_a, language):
    seed_dashboard_year(store_a, last_month=MARCH)
    fill(store_a, seed=5, per_month=6, last=MARCH)
    login(general_manager)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/reports/dashboard/?month=2025-03")
        page.wait_for_selector("body[data-charts-ready='1']")
        section = page.locator("[data-testid=retention-section]")
        text = section.inner_text()
        assert ("客户维系" if language == "zh-hans" else "Retention") in text
        assert ("回厂率" if language == "zh-hans" else "Return rate") in text
        for canvas in ("chart-retention-rates", "chart-retention-counts"):
            result = page.evaluate(PAINTED_PIXELS, canvas)
            assert result["differsFromBlank"], canvas
        section.scroll_into_view_if_needed()
        shot(page, f"dashboard_retention_{language}_{width}")
