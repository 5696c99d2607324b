"""Printing (issue 14 item 7): the monthly report package, the meeting record and the report pages
carry a print button and the print stylesheet (A4, no menu, no buttons or forms, header rows
repeated); the meeting's minutes print as text where the page shows their form. The printed
look itself is proven in tests/e2e/test_printing.py (Chromium, print media)."""

import datetime as dt

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from improvement import services as improvement_services
from reports.packages.approval import report_package_generate
from tests.reports.factories import local, make_task, service_advisor

pytestmark = pytest.mark.django_db
MARCH = dt.date(2025, 3, 1)


def _printable(body: str) -> None:
    assert 'data-testid="print-button"' in body
    assert "css/print.css" in body


def test_package_page_prints(client_for, store_a, cr_manager):
    make_task(staff=service_advisor(store_a, "周顾问"), source=local(2025, 3, 10, 10))
    package = report_package_generate(store=store_a, month=MARCH, user=cr_manager, now=local(2025, 4, 3, 10, 0))
    response = client_for(cr_manager).get(reverse("reports:package_detail", args=[package.pk]))
    assert response.status_code == 200
    _printable(response.content.decode())


def test_meeting_page_prints_its_minutes_as_text(client_for, store_a, cr_manager):
    meeting = improvement_services.meeting_create(
        store=store_a, user=cr_manager, held_on=dt.date(2026, 11, 5), attendees="经理们", minutes="讨论洗车质量"
    )
    body = client_for(cr_manager).get(reverse("improvement:meeting_detail", args=[meeting.pk])).content.decode()
    _printable(body)
    assert 'data-testid="minutes-print"' in body and "讨论洗车质量" in body


def test_report_pages_print(client_for, cr_manager):
    body = client_for(cr_manager).get(reverse("reports:report", args=["complaints_monthly"])).content.decode()
    _printable(body)


def test_print_stylesheet_hides_the_menu_and_repeats_table_headers():
    with open(finders.find("css/print.css"), encoding="utf-8") as handle:
        css = handle.read()
    rules = css[css.index("@media print") :]
    assert "size: A4" in css
    assert ".app-navbar" in rules and ".btn" in rules and "main form" in rules
    assert "thead { display: table-header-group; }" in rules
    assert "break-inside: avoid" in rules
