"""Scope permissions: a view names the scope it needs (`required_scope`); the client must hold it."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from api.models import ApiClient


class HasRequiredScope(BasePermission):
    message = _("该接口客户端没有此操作的权限范围")

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        scope = getattr(view, "required_scope", None)
        return scope is not None and client.has_scope(scope)
