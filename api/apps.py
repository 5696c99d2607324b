from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API for the DMS, the telephone system and reporting tools (issue 16, SPEC §10).

    Integrations authenticate as an ApiClient (a named client with a hashed token, its stores and
    scopes), created and revoked by the administrator; no role of the staff holds its permissions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = _("接口")
    role_permissions: dict = {}
    nav_items: list = []

    def ready(self) -> None:
        from api import audit, schema  # noqa: F401  (ApiClient's audit trail; the schema's bearer scheme)
