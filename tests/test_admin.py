"""Django admin covers every model of our apps, and each changelist and add form opens."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

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
