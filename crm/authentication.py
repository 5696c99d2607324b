"""The permission backend: Django's ModelBackend, reading a user's permissions in one query.

Every page asks for permissions (the menu, the view's own check), and ModelBackend reads them in two
queries — the user's own and the groups' — on every request. Here both come from one query, cached on
the user object for the request exactly as ModelBackend caches them (`_perm_cache`), so `has_perm`,
`get_all_permissions` and the admin behave as before (issue 17: CPU per request).
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class ModelBackendOneQuery(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            perms = Permission.objects.all()
            if not user_obj.is_superuser:
                perms = perms.filter(Q(user=user_obj) | Q(group__user=user_obj))
            pairs = perms.values_list("content_type__app_label", "codename").order_by().distinct()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in pairs}
        return user_obj._perm_cache
