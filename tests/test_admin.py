"""Django admin covers every model of our apps, and each changelist and add form opens."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from crm.sms.models import SmsMessage

OUR_APPS = ("crm", "surveys", "callbacks", "complaints", "reports", "retention", "winback")


def test_every_model_of_our_apps_is_in_the_admin():
    missing = [
        f"{model._meta.app_label}.{model.__name__}"
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if model not in admin.site._registry
    ]
    assert missing == []


@pytest.mark.django_db
def test_every_admin_page_opens(client, administrator):
    administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    for model in admin.site._registry:
        if model._meta.app_label not in OUR_APPS:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        assert client.get(reverse(f"admin:{info[0]}_{info[1]}_changelist")).status_code == 200, info
        assert client.get(reverse(f"admin:{info[0]}_{info[1]}_add")).status_code in (200, 403), info


@pytest.mark.django_db
def test_frozen_report_packages_cannot_be_changed_in_the_admin(client, administrator, store_a):
    """Even a superuser cannot add, change or delete a report package there: an approved package
    must never change (reports.admin.ReadOnlyAdmin)."""
    import datetime as dt

    from reports.models import PackageState, ReportPackage

    administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    from django.utils import timezone

    package = ReportPackage.objects.create(
        store=store_a,
        month=dt.date(2025, 3, 1),
        state=PackageState.APPROVED,
        figures={"frozen": 1},
        approved_at=timezone.now(),
        approved_by=administrator,
    )
    change = reverse("admin:reports_reportpackage_change", args=[package.pk])
    assert client.get(reverse("admin:reports_reportpackage_add")).status_code == 403
    assert client.get(change).status_code == 200  # shown, read-only
    client.post(change, {"state": PackageState.DRAFT, "figures": "{}"})
    assert (
        client.post(reverse("admin:reports_reportpackage_delete", args=[package.pk]), {"post": "yes"}).status_code
        == 403
    )
    package.refresh_from_db()
    assert (package.state, package.figures) == (PackageState.APPROVED, {"frozen": 1})


@pytest.mark.django_db
def test_the_appointment_settings_admin_refuses_closing_before_opening(client, administrator, store_a):
    from appointments.models import AppointmentSettings

    administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    url = reverse("admin:appointments_appointmentsettings_add")
    data = {"store": store_a.pk, "opens_at": "17:00", "closes_at": "08:30", "slot_minutes": 30, "capacity": 4}
    refused = client.post(url, data)
    assert refused.status_code == 200 and "停止接车时间须晚于开始接车时间" in refused.content.decode()
    assert client.post(url, {**data, "closes_at": "17:00"}).status_code == 200  # equal: refused too
    assert not AppointmentSettings.objects.exists()
    assert client.post(url, {**data, "opens_at": "08:30", "closes_at": "17:30"}).status_code == 302
    assert AppointmentSettings.objects.get().closes_at.hour == 17


@pytest.mark.django_db
def test_an_activitys_store_and_points_are_fixed_once_a_member_took_part(client, administrator, store_a, store_b):
    import datetime as dt

    from club.services import activity_create, activity_participant_add
    from tests.club.factories import member_card

    administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    activity = activity_create(store=store_a, name="课堂", held_on=dt.date.today(), points=200)
    url = reverse("admin:club_activity_change", args=[activity.pk])
    data = {"store": store_b.pk, "name": "课堂", "held_on": activity.held_on.isoformat(), "points": 300, "note": ""}
    assert client.post(url, data).status_code == 302  # no participant yet: editable
    activity.refresh_from_db()
    assert (activity.store, activity.points) == (store_b, 300)
    activity_participant_add(activity=activity, card=member_card(store_b, issued_on=dt.date.today()), user=None)
    client.post(url, {**data, "store": store_a.pk, "points": 500, "name": "爱车课堂"})
    activity.refresh_from_db()
    assert (activity.store, activity.points, activity.name) == (store_b, 300, "爱车课堂")


def test_the_sms_admin_shows_no_survey_token_and_changes_nothing(client, administrator, store_a):
    """A queued survey-link SMS carries its live token in `body`: the admin neither shows it nor
    lets a search on it read the token out, and no row can be changed (blanking the redacted copy
    would show the token)."""
    administrator.is_superuser = True
    administrator.save()
    client.force_login(administrator)
    message = SmsMessage.objects.create(
        store=store_a,
        mobile="13912345678",
        body="请点击 https://cr.example.com/s/AbCdEfGh12345678/",
        body_redacted="请点击 https://cr.example.com/s/****/",
        reason="survey_link",
        status="queued",
        queued_at=timezone.now(),
    )
    page = client.get(reverse("admin:crm_smsmessage_change", args=[message.pk])).content.decode()
    assert "/s/****/" in page and "AbCdEfGh" not in page
    changelist = reverse("admin:crm_smsmessage_changelist")
    assert list(client.get(changelist, {"q": "/s/AbC"}).context["cl"].result_list) == []
    assert list(client.get(changelist, {"q": "请点击"}).context["cl"].result_list) == [message]
    response = client.post(reverse("admin:crm_smsmessage_change", args=[message.pk]), {"body_redacted": ""})
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.body_redacted == "请点击 https://cr.example.com/s/****/"
