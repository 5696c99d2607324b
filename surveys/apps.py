from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm.choices import Role

R = Role
READ = ["surveys.view_template", "surveys.view_callscript"]
EDIT = [
    "surveys.view_template",
    "surveys.add_template",
    "surveys.change_template",
    "surveys.view_callscript",
    "surveys.add_callscript",
    "surveys.change_callscript",
]


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"
    verbose_name = _("问卷与话术")

    # The CR manager edits questionnaires and scripts (SPEC §1); agents and managers read them.
    # The administrator holds every permission (crm.roles).
    role_permissions = {
        R.CR_MANAGER: EDIT,
        R.CALLBACK_AGENT: READ,
        R.RECEPTION: READ,
        R.GENERAL_MANAGER: READ,
    }
    nav_items: list = []

    def ready(self) -> None:
        from crm.roles import NavItem

        self.nav_items = [NavItem(_("问卷与话术"), "surveys:template_list", "surveys.change_template", "ui-checks", 60)]
