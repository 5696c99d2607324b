"""相关责任人 (table 6): the staff member complained about, apart from the handler — at intake, as a
case action, on the case page and in the complaints export."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from complaints.choices import Action, Category, Channel
from complaints.models import Case
from complaints.reports import COMPLAINTS_HEADERS, complaints_rows, month_range
from complaints.services import CaseError, case_dispatch, case_set_complained_staff
from tests.factories import StaffFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def technician(store_a):
    return StaffFactory(store=store_a, name="李技师")


def test_intake_names_the_complained_staff(client_for, agent, customer_a, technician, store_b):
    client = client_for(agent)
    url = reverse("complaints:case_create")
    data = {
        "customer_id": customer_a.pk,
        "channel": Channel.PHONE,
        "category": Category.ATTITUDE,
        "content": "技师态度差",
        "complained_staff": technician.pk,
    }
    assert client.post(url, data).status_code == 302
    assert Case.objects.get().complained_staff == technician
    # another store's staff is not a choice
    other = StaffFactory(store=store_b, name="别店技师")
    response = client.post(url, {**data, "complained_staff": other.pk})
    assert response.status_code == 200 and Case.objects.count() == 1


def test_set_staff_is_recorded_and_kept_apart_from_the_handler(
    make_case, cr_manager, advisor, service_department, technician, client_for, store_b
):
    case = case_dispatch(case=make_case(), user=cr_manager, department=service_department, handler=advisor)
    client = client_for(cr_manager)
    response = client.post(
        reverse("complaints:case_action", args=[case.pk, Action.SET_STAFF]),
        {"staff": technician.pk, "memo": "调查确认"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.complained_staff, case.handler) == (technician, advisor)
    event = case.events.get(action=Action.SET_STAFF)
    assert event.changes_display == [{"field": "相关责任人", "old": None, "new": "李技师"}]
    page = client.get(reverse("complaints:case_detail", args=[case.pk]))
    assert 'data-testid="case-complained-staff">李技师<' in page.text
    with pytest.raises(CaseError, match="不属于该门店"):
        case_set_complained_staff(case=case, user=cr_manager, staff=StaffFactory(store=store_b, name="别店"))


def test_agent_may_not_set_the_staff(make_case, agent, technician):
    with pytest.raises(CaseError, match="无权执行"):
        case_set_complained_staff(case=make_case(), user=agent, staff=technician)


def test_complaints_export_has_the_complained_staff_column(make_case, technician):
    with time_machine.travel(dt.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI), tick=False):
        make_case(complained_staff=technician)
        make_case(content="第二件")
    start, end = month_range(dt.date(2026, 10, 1))
    rows = list(complaints_rows(start=start, end=end, store_ids=None, now=end))
    column = COMPLAINTS_HEADERS.index("相关责任人")
    assert COMPLAINTS_HEADERS[column - 1] == "处理人"
    assert [r[column] for r in rows] == ["李技师", ""]
