"""The CR manager's SLA calendar page: permissions and store scoping."""

import datetime as dt

import pytest
from django.urls import reverse

from complaints.calendar import policy_for_store
from complaints.models.calendar import CalendarDay, WorkingPeriod
from crm.choices import Role
from tests.factories import UserFactory


@pytest.fixture
def manager_b(store_b):
    return UserFactory(username="carol_b", roles=[Role.CR_MANAGER], stores=[store_b])


@pytest.mark.django_db
def test_cr_manager_sees_own_store_calendar(client_for, cr_manager, store_a, django_assert_max_num_queries):
    client = client_for(cr_manager)
    assert client.get(reverse("complaints:calendar_store_list")).url == reverse(
        "complaints:calendar_detail", args=[store_a.id]
    )
    policy = policy_for_store(store_a.id)
    CalendarDay.objects.bulk_create(
        CalendarDay(policy=policy, date=dt.date(2026, 10, d), kind="holiday", name="国庆节") for d in range(1, 8)
    )
    with django_assert_max_num_queries(20):
        response = client.get(reverse("complaints:calendar_detail", args=[store_a.id]))
    assert response.status_code == 200
    assert "国庆节" in response.content.decode()


@pytest.mark.django_db
def test_other_roles_are_forbidden(client_for, agent, department_manager, store_a):
    for user in (agent, department_manager):
        assert client_for(user).get(reverse("complaints:calendar_detail", args=[store_a.id])).status_code == 403


@pytest.mark.django_db
def test_other_store_is_404(client_for, cr_manager, store_b):
    client = client_for(cr_manager)
    assert client.get(reverse("complaints:calendar_detail", args=[store_b.id])).status_code == 404
    response = client.post(reverse("complaints:calendar_policy_update", args=[store_b.id]), {})
    assert response.status_code == 404
    assert not policy_for_store(store_b.id).business_hours_enabled


@pytest.mark.django_db
def test_turning_business_hours_on_creates_default_week(client_for, cr_manager, store_a):
    data = {
        "business_hours_enabled": "on",
        "dispatch_minutes": 30,
        "first_contact_warning_minutes": 1200,
        "first_contact_minutes": 1440,
        "feedback_minutes": 2880,
    }
    response = client_for(cr_manager).post(reverse("complaints:calendar_policy_update", args=[store_a.id]), data)
    assert response.status_code == 302
    policy = policy_for_store(store_a.id)
    assert policy.business_hours_enabled
    assert WorkingPeriod.objects.filter(policy=policy).count() == 12


@pytest.mark.django_db
def test_warning_must_precede_deadline(client_for, cr_manager, store_a):
    data = {
        "dispatch_minutes": 30,
        "first_contact_warning_minutes": 1500,
        "first_contact_minutes": 1440,
        "feedback_minutes": 2880,
    }
    response = client_for(cr_manager).post(reverse("complaints:calendar_policy_update", args=[store_a.id]), data)
    assert response.status_code == 400
    assert policy_for_store(store_a.id).first_contact_warning_minutes == 1200


@pytest.mark.django_db
def test_paste_days_and_delete(client_for, cr_manager, manager_b, store_a, store_b):
    client = client_for(cr_manager)
    lines = "2026-10-01 holiday 国庆节\n# comment\n2026-10-02 休 国庆节\n2026-09-26 班 国庆调休\n"
    url = reverse("complaints:calendar_days_add", args=[store_a.id])
    assert client.post(url, {"lines": lines, "works_like": 0}).status_code == 302
    # Pasting the same date again replaces it instead of failing.
    assert client.post(url, {"lines": "2026-10-02 holiday 国庆节（二）", "works_like": 0}).status_code == 302
    days = {d.date: d for d in CalendarDay.objects.filter(policy__store=store_a)}
    assert len(days) == 3
    assert days[dt.date(2026, 9, 26)].kind == "workday" and days[dt.date(2026, 10, 2)].name == "国庆节（二）"
    bad = client.post(url, {"lines": "2026-13-01 holiday x\n2026-10-03 maybe", "works_like": 0})
    assert bad.status_code == 400 and CalendarDay.objects.count() == 3
    # Store B's manager cannot delete store A's day, even through his own store's URL.
    day = days[dt.date(2026, 10, 1)]
    other = client_for(manager_b).post(reverse("complaints:calendar_day_delete", args=[store_b.id, day.id]))
    assert other.status_code == 404
    client = client_for(cr_manager)
    assert client.post(reverse("complaints:calendar_day_delete", args=[store_a.id, day.id])).status_code == 302
    assert CalendarDay.objects.count() == 2


@pytest.mark.django_db
def test_periods_formset_adds_and_deletes(client_for, cr_manager, store_a):
    policy = policy_for_store(store_a.id)
    existing = WorkingPeriod.objects.create(policy=policy, weekday=0, starts_at=dt.time(8, 30), ends_at=dt.time(12))
    data = {
        "form-TOTAL_FORMS": 3,
        "form-INITIAL_FORMS": 1,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "form-0-id": existing.id,
        "form-0-weekday": 0,
        "form-0-starts_at": "08:30",
        "form-0-ends_at": "12:00",
        "form-0-DELETE": "on",
        "form-1-weekday": 5,
        "form-1-starts_at": "09:00",
        "form-1-ends_at": "16:00",
        "form-2-weekday": "",
        "form-2-starts_at": "",
        "form-2-ends_at": "",
    }
    url = reverse("complaints:calendar_periods_update", args=[store_a.id])
    response = client_for(cr_manager).post(url, data)
    assert response.status_code == 302
    assert list(WorkingPeriod.objects.filter(policy=policy).values_list("weekday", "starts_at")) == [(5, dt.time(9, 0))]
    data.update({"form-INITIAL_FORMS": 0, "form-0-id": "", "form-0-DELETE": "", "form-0-ends_at": "08:00"})
    assert client_for(cr_manager).post(url, data).status_code == 400
