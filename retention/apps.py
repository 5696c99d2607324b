from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """Reminders (SPEC §10.2) and lost-customer win-back (§10.3): the work that brings customers back."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "retention"
    verbose_name = _("客户维系")
