from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm.choices import Role

R = Role


class WinbackConfig(AppConfig):
    """Lost customers and win-back (流失客户, SPEC §10.3): the monthly scan, contacts, recovery, table 16."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "winback"
    verbose_name = _("流失客户挽回")

    # view_winbackentry: the list and the entry page; change_winbackentry: record contacts;
    # view_reasons: the monthly reason summary the service department reads (SPEC §10.3).
    role_permissions = {
        R.CALLBACK_AGENT: ["winback.view_winbackentry", "winback.change_winbackentry", "winback.view_reasons"],
        R.CR_MANAGER: [
            "winback.view_winbackentry",
            "winback.change_winbackentry",
            "winback.view_reasons",
            "winback.view_winbacksettings",
            "winback.change_winbacksettings",
        ],
        R.GENERAL_MANAGER: ["winback.view_winbackentry", "winback.view_reasons"],
        R.DEPARTMENT_MANAGER: ["winback.view_reasons"],
    }
    nav_items: list = []

    def ready(self) -> None:
        from crm.roles import NavItem

        self.nav_items = [
            NavItem(
                _("流失客户"), "winback:entry_list", "winback.view_winbackentry", "person-x", 26, group="callbacks"
            ),
            NavItem(_("流失原因"), "winback:reasons", "winback.view_reasons", "pie-chart", 27, group="callbacks"),
            NavItem(
                _("流失客户设置"), "winback:settings", "winback.change_winbacksettings", "gear", 94, group="settings"
            ),
        ]
        from crm.card_flags import register_card_flag
        from crm.importing.registry import register_post_import
        from crm.timeline import register_timeline_provider
        from winback.selectors import customer_winback_flags
        from winback.services import RECOVERY_ORDER, winback_recover_after_import
        from winback.timeline import winback_timeline_entries

        register_post_import(winback_recover_after_import, order=RECOVERY_ORDER)
        register_card_flag(customer_winback_flags)
        register_timeline_provider(winback_timeline_entries)
