"""Browser flows of the general manager's dashboard and report approval, in headless chromium.

The GM opens the dashboard: the trend charts draw (pixels on the canvas), the flagged advisor shows
with the counts behind the flag, a staff row drills into that person's month. The CR manager
generates and submits the month's package; the GM approves it; the dashboard then says it shows
the approved figures. Screenshots go to var/screenshots/ for a person to look at.
"""

import datetime as dt
from pathlib import Path

import pytest

from reports.models import PackageState, ReportPackage
from tests.reports.factories import local, seed_dashboard_year

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
MARCH = dt.date(2025, 3, 1)

# Counts the canvas pixels that are not fully transparent: a chart that did not draw has none.
PAINTED_PIXELS = """(id) => {
  const canvas = document.getElementById(id);
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  const blank = document.createElement("canvas");
  blank.width = canvas.width; blank.height = canvas.height;
  return {painted, total: data.length / 4, differsFromBlank: canvas.toDataURL() !== blank.toDataURL()};
}"""


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def year_of_data(store_a):
    return seed_dashboard_year(store_a, last_month=MARCH)


def test_gm_reads_dashboard_charts_draw_and_drills_into_staff(page, live_server, login, general_manager, year_of_data):
    login(general_manager)
    page.goto(f"{live_server.url}/reports/dashboard/?month=2025-03")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.locator("[data-testid=figures-source]").get_attribute("data-source") == "live"
    assert "实时数据" in page.locator("[data-testid=figures-source]").inner_text()

    for canvas in ("chart-rates", "chart-complaints"):
        result = page.evaluate(PAINTED_PIXELS, canvas)
        assert result["differsFromBlank"], canvas
        assert result["painted"] > result["total"] * 0.02, (canvas, result)

    tiles = page.locator("[data-testid=kpi-tiles]").inner_text()
    assert "回访成功率" in tiles and "%" in tiles
    flag = page.locator("[data-testid=flag-row]").filter(has_text="钱顾问")
    assert flag.count() >= 1
    texts = flag.all_inner_texts()
    assert any("抱怨率" in t and "/" in t for t in texts), texts
    assert page.locator("[data-testid=weak-question]").count() == 5
    shot(page, "dashboard_gm_live")

    page.locator("[data-testid=ranking-service] [data-testid=staff-link]", has_text="钱顾问").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=staff-name]").inner_text().startswith("钱顾问")
    assert page.locator("[data-testid=staff-callbacks] tbody tr").count() >= 16
    assert page.locator("[data-testid=measure-grumble] .bi-flag-fill").count() == 1
    shot(page, "dashboard_staff_drilldown")


def test_cr_manager_submits_and_gm_approves(page, live_server, login, cr_manager, general_manager, year_of_data):
    login(cr_manager)
    page.goto(f"{live_server.url}/reports/packages/")
    form = page.locator("[data-testid=package-generate]")
    form.locator("input[name=month]").fill("2025-03")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=package-state]").inner_text() == "草稿"
    assert "回访成功率" in page.locator("[data-testid=package-kpis]").inner_text()
    page.locator("[data-testid=action-submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=package-state]").inner_text() == "已提交"
    package = ReportPackage.objects.get(month=MARCH)
    assert package.state == PackageState.SUBMITTED and package.submitted_by == cr_manager

    page.context.clear_cookies()
    login(general_manager)
    page.goto(f"{live_server.url}/reports/packages/{package.pk}/")
    page.locator("[data-testid=action-approve]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=package-state]").inner_text() == "已批准"
    assert "赵总" in page.locator("[data-testid=approved-by]").inner_text()
    shot(page, "package_approved")

    page.goto(f"{live_server.url}/reports/dashboard/?month=2025-03")
    page.wait_for_selector("body[data-charts-ready='1']")
    source = page.locator("[data-testid=figures-source]")
    assert source.get_attribute("data-source") == "approved"
    assert "已批准数据" in source.inner_text() and "赵总" in source.inner_text()
    assert page.evaluate(PAINTED_PIXELS, "chart-rates")["differsFromBlank"]
    shot(page, "dashboard_gm_approved")
    package.refresh_from_db()
    assert package.approved_by == general_manager and package.approved_at > local(2025, 1, 1)
