"""crm.authentication: the same permissions as Django's ModelBackend, read in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from crm.authentication import ModelBackendOneQuery
from crm.choices import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    return type(user).objects.get(pk=user.pk)  # no permission cache


def test_user_and_group_permissions_in_one_query_equal_model_backend(store_a, django_assert_num_queries):
    user = UserFactory(roles=[Role.CALLBACK_AGENT], stores=[store_a])
    user.user_permissions.add(Permission.objects.get(codename="delete_case", content_type__app_label="complaints"))
    expected = ModelBackend().get_all_permissions(_fresh(user))
    assert "complaints.delete_case" in expected and "callbacks.add_callattempt" in expected

    user = _fresh(user)
    with django_assert_num_queries(1):
        assert ModelBackendOneQuery().get_all_permissions(user) == expected
        assert user.has_perm("callbacks.add_callattempt") and not user.has_perm("crm.delete_store")


def test_superuser_has_every_permission_and_an_inactive_user_none(store_a):
    admin = UserFactory(is_superuser=True)
    assert ModelBackendOneQuery().get_all_permissions(_fresh(admin)) == ModelBackend().get_all_permissions(
        _fresh(admin)
    )
    assert len(ModelBackendOneQuery().get_all_permissions(_fresh(admin))) == Permission.objects.count()
    idle = UserFactory(roles=[Role.CR_MANAGER], stores=[store_a], is_active=False)
    assert ModelBackendOneQuery().get_all_permissions(_fresh(idle)) == set()
