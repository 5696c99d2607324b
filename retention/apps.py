from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm.choices import Role

R = Role


class RetentionConfig(AppConfig):
    """Reminders (SPEC §10.2) and lost-customer win-back (§10.3): the work that brings customers back."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "retention"
    verbose_name = _("客户维系")

    role_permissions = {
        # Agents work reminder and win-back calls in the callback queue.
        R.CALLBACK_AGENT: ["retention.view_outreachtask", "retention.add_outreachattempt"],
        R.CR_MANAGER: [
            "retention.view_outreachtask",
            "retention.add_outreachattempt",
            "retention.view_reminder",
            "retention.change_remindersettings",
            "retention.change_festivaldate",
        ],
        R.GENERAL_MANAGER: ["retention.view_reminder", "retention.view_outreachtask"],
    }
    nav_items: list = []  # filled in ready(): crm.roles imports auth models

    def ready(self) -> None:
        from crm.importing.registry import register_post_import
        from crm.roles import NavItem
        from crm.timeline import register_timeline_provider
        from retention.outcomes import reminders_returned_after_import
        from retention.queue import register_outreach_queue
        from retention.timeline import retention_timeline_entries

        self.nav_items = [
            NavItem(
                _("提醒设置"),
                "retention:settings",
                "retention.change_remindersettings",
                "bell",
                93,
                group="settings",
            ),
            NavItem(
                _("节日日历"),
                "retention:festivals",
                "retention.change_festivaldate",
                "calendar-heart",
                94,
                group="settings",
            ),
        ]
        # After every sheet: the ROs of the file decide which service reminders were returned.
        register_post_import(reminders_returned_after_import)
        register_timeline_provider(retention_timeline_entries)
        register_outreach_queue()
        from retention.signals import connect

        connect()
