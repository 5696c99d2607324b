"""SPEC §9 "one figure, one rule" for the API's lists: a month is parsed as the pages parse it, and
a record falls in a month by the rule its report counts it by; the schema speaks English."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from complaints.choices import Category, Channel
from complaints.reports import cases_received
from complaints.services import case_receive
from crm.periods import month_bounds, parse_month
from reports.tables.callbacks import tasks_of_month
from retention.choices import OutreachKind, ReminderChannel
from retention.models import Reminder
from retention.selectors import reminders_in_month
from tests.api.conftest import WORLD_NOW
from tests.callbacks.factories import SalesTaskFactory, ServiceTaskFactory
from tests.factories import CustomerFactory, DeliveryFactory, RepairOrderFactory

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)
LIST_URLS = ["/api/v1/callback-tasks/", "/api/v1/complaints/", "/api/v1/reminders/"]


def _ids(api, url: str, month: str) -> list[int]:
    response = api.get(url, {"month": month, "page_size": 500})
    assert response.status_code == 200
    return sorted(r["id"] for r in response.json()["results"])


# --- the month parameter --------------------------------------------------------------------------


def _parses(text: str) -> bool:
    try:
        parse_month(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("url", [*LIST_URLS, "/api/v1/reports/complaints/"])
@pytest.mark.parametrize("value", ["2026-10", "2026-1", "1999-12", "9999-12", "2026-13", "２０２６-１０", "oct"])
def test_the_month_is_parsed_by_crm_periods(api_a, world_a, url, value):
    """A month the pages accept the API accepts, and one they refuse is a 400 with a readable reason
    (before: its own strptime refused every year outside 2000–2100)."""
    response = api_a.get(url, {"month": value})
    if _parses(value):
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert "YYYY-MM" in response.json()["detail"]


# --- the month of a record --------------------------------------------------------------------------


@time_machine.travel(WORLD_NOW, tick=False)
def test_a_callback_task_falls_in_the_month_of_its_source_event(api_a, store_a, world_a):
    """A delivery of 30 September, or an RO delivered at 23:00 local time on 30 September, is
    called in October: its task counts in September, as in tables 3, 7 and 8."""
    sales = SalesTaskFactory(
        delivery=DeliveryFactory(store=store_a, delivered_on=dt.date(2026, 9, 30)),
        window_opens_at=dt.datetime(2026, 10, 2, tzinfo=dt.UTC),
        window_closes_at=dt.datetime(2026, 10, 9, tzinfo=dt.UTC),
    )
    late_evening = dt.datetime(2026, 9, 30, 15, tzinfo=dt.UTC)  # 23:00 in Asia/Shanghai
    service = ServiceTaskFactory(
        repair_order=RepairOrderFactory(
            store=store_a, opened_at=late_evening - dt.timedelta(hours=6), delivered_at=late_evening
        ),
        window_opens_at=dt.datetime(2026, 10, 2, tzinfo=dt.UTC),
        window_closes_at=dt.datetime(2026, 10, 9, tzinfo=dt.UTC),
    )
    url = "/api/v1/callback-tasks/"
    assert _ids(api_a, url, "2026-09") == sorted([sales.pk, service.pk])
    assert _ids(api_a, url, "2026-10") == [world_a.task.pk]
    for month in (dt.date(2026, 9, 1), OCTOBER):
        table_rule = sorted(tasks_of_month(store_ids=[store_a.pk], month=month).values_list("id", flat=True))
        assert _ids(api_a, url, month.strftime("%Y-%m")) == table_rule


@time_machine.travel(WORLD_NOW, tick=False)
def test_a_complaint_falls_in_the_local_month_it_was_received(api_a, store_a, world_a):
    """Received at 00:30 local time on 1 October (16:30 UTC on 30 September): an October case, as in
    the monthly complaint report."""
    case = case_receive(
        user=None,
        store=store_a,
        customer=CustomerFactory(store=store_a),
        channel=Channel.PHONE,
        category=Category.REPAIR_QUALITY,
        content="等待时间太长",
        received_at=dt.datetime(2026, 9, 30, 16, 30, tzinfo=dt.UTC),
    )
    assert _ids(api_a, "/api/v1/complaints/", "2026-10") == sorted([case.pk, world_a.case.pk])
    assert _ids(api_a, "/api/v1/complaints/", "2026-09") == []
    start, end = month_bounds(OCTOBER)
    report_rule = sorted(cases_received(start=start, end=end, store_ids=[store_a.pk]).values_list("id", flat=True))
    assert _ids(api_a, "/api/v1/complaints/", "2026-10") == report_rule


def test_a_reminder_falls_in_the_month_of_its_send_date_as_in_the_report(api_a, store_a, world_a):
    """The month's first and last send dates are in, the next month's first is not: the reminder
    report's own selection (retention.selectors.reminders_in_month)."""
    made = {}
    for send_on in (dt.date(2026, 10, 1), dt.date(2026, 10, 31), dt.date(2026, 11, 1)):
        made[send_on] = Reminder.objects.create(
            store=store_a,
            kind=OutreachKind.BIRTHDAY,
            customer=CustomerFactory(store=store_a),
            due_on=send_on,
            send_on=send_on,
            channel=ReminderChannel.SMS,
        )
    october = _ids(api_a, "/api/v1/reminders/", "2026-10")
    assert october == sorted([world_a.reminder.pk, made[dt.date(2026, 10, 1)].pk, made[dt.date(2026, 10, 31)].pk])
    assert october == sorted(reminders_in_month(store_ids=[store_a.pk], month=OCTOBER).values_list("id", flat=True))
    assert _ids(api_a, "/api/v1/reminders/", "2026-11") == [made[dt.date(2026, 11, 1)].pk]


# --- the schema's language ---------------------------------------------------------------------------

# CJK ideographs, CJK punctuation and full-width forms (（必填）, ；).
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# A push field names the DMS sheet's column, whose header is Chinese (SPEC §5): that name is data.
DMS_COLUMN = re.compile(r"^DMS column \S+")


def _descriptions(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                yield value
            else:
                yield from _descriptions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _descriptions(item)


def test_the_schema_descriptions_are_english_in_the_default_language():
    """api.serializers keeps the schema English on purpose: no Chinese help text, no DRF text
    translated into the site's language, and no internal docstring published as a description."""
    with translation.override(settings.LANGUAGE_CODE):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    texts = list(_descriptions(schema))
    assert any(t.startswith("DMS column ") for t in texts)
    assert [t for t in texts if CJK.search(DMS_COLUMN.sub("", t))] == []
    assert not any("Mixed into" in t for t in texts)
