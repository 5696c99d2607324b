"""Report pages open on last month, as the dashboard does, and always show the month in view."""

import datetime as dt

import lxml.html
import pytest
import time_machine
from django.urls import reverse

from reports.dashboard import board as dashboard
from reports.periods import default_month

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI), dt.date(2026, 11, 1)),
        (dt.datetime(2026, 12, 1, 0, 30, tzinfo=SHANGHAI), dt.date(2026, 11, 1)),  # still Nov 30 in UTC
        (dt.datetime(2026, 11, 30, 23, 59, tzinfo=SHANGHAI), dt.date(2026, 10, 1)),
        (dt.datetime(2027, 1, 15, 12, 0, tzinfo=SHANGHAI), dt.date(2026, 12, 1)),  # across the year
    ],
)
def test_default_month_is_last_month_in_shanghai_and_the_dashboard_shares_it(now, expected):
    assert default_month(now) == expected
    assert dashboard.default_month(now) == expected


def _month_field(response) -> str:
    return lxml.html.fromstring(response.content).xpath('//input[@name="month"]')[0].get("value")


@time_machine.travel(dt.datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_a_report_opened_without_filters_shows_last_month_in_the_field_heading_and_download(client_for, cr_manager):
    response = client_for(cr_manager).get(reverse("reports:report", args=["callback_daily"]))
    assert response.status_code == 200
    assert _month_field(response) == "2026-11"
    page = lxml.html.fromstring(response.content)
    assert "2026年11月" in page.xpath("//h2")[0].text_content()
    assert "month=2026-11" in page.xpath('//*[@data-testid="download-xlsx"]')[0].get("href")


@time_machine.travel(dt.datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_a_cleared_month_field_falls_back_to_last_month_and_shows_it(client_for, cr_manager, store_a):
    response = client_for(cr_manager).get(
        reverse("reports:report", args=["callback_daily"]), {"store": store_a.pk, "month": ""}
    )
    assert _month_field(response) == "2026-11"
    assert "2026年11月" in lxml.html.fromstring(response.content).xpath("//h2")[0].text_content()


@time_machine.travel(dt.datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_a_chosen_month_stays(client_for, cr_manager):
    response = client_for(cr_manager).get(reverse("reports:report", args=["callback_daily"]), {"month": "2026-12"})
    assert _month_field(response) == "2026-12"
    assert "2026年12月" in lxml.html.fromstring(response.content).xpath("//h2")[0].text_content()


@time_machine.travel(dt.datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI), tick=False)
def test_the_download_without_a_month_is_last_month(client_for, cr_manager):
    response = client_for(cr_manager).get(reverse("reports:report_xlsx", args=["callback_daily"]))
    assert response.status_code == 200
    assert "callback_daily_2026-11.xlsx" in response["Content-Disposition"]
