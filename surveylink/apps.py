from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveyLinkConfig(AppConfig):
    """The customer's own survey link (问卷链接, issue 16 item 4): an SMS with a short link to a
    mobile page, without login, where the customer answers the task's questionnaire himself."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "surveylink"
    verbose_name = _("问卷链接")
    # Configured in the admin (per store), like the callback settings; no page of its own in the menu.
    role_permissions: dict = {}
    nav_items: list = []
