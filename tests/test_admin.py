"""Django admin covers every model of our apps, and each changelist and add form opens."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

OUR_APPS = ("crm", "surveys", "callbacks", "complaints", "reports")


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
