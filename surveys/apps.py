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

        self.nav_items = [
            NavItem(
                _("问卷与话术"), "surveys:template_list", "surveys.change_template", "ui-checks", 60, group="settings"
            )
        ]

        from django.db.models.signals import post_migrate

        post_migrate.connect(builtin_ensure, sender=self, dispatch_uid="surveys.builtin_ensure")


def builtin_ensure(*, using: str = "default", **_kwargs) -> None:
    """Re-create the built-in questionnaires and scripts if they are missing (never changes them).

    The data migration creates them once; a database flush (a transactional test, `manage.py
    flush`) empties the tables and emits post_migrate, and the call page must not be left with no
    questionnaire. The migration's own function is reused so the data is written down once.
    """
    import importlib

    from django.apps import apps as global_apps
    from django.db import connections

    if "surveys_template" not in connections[using].introspection.table_names():
        return  # migrated back to zero
    migration = importlib.import_module("surveys.migrations.0002_builtin_templates_and_scripts")
    migration.create(global_apps, None)
