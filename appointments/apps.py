from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm.choices import Role

R = Role


class AppointmentsConfig(AppConfig):
    """Service appointments (预约, issue 15 item 2): booking, day board, arrival, no-shows."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "appointments"
    verbose_name = _("预约")

    # view_appointment: the day board and the advisor's day; add_appointment: book; change_appointment:
    # arrived / cancelled / no-show; change_appointmentsettings: the store's slots.
    role_permissions = {
        R.CALLBACK_AGENT: [
            "appointments.view_appointment",
            "appointments.add_appointment",
            "appointments.change_appointment",
        ],
        R.RECEPTION: [
            "appointments.view_appointment",
            "appointments.add_appointment",
            "appointments.change_appointment",
        ],
        R.CR_MANAGER: [
            "appointments.view_appointment",
            "appointments.add_appointment",
            "appointments.change_appointment",
            "appointments.change_appointmentsettings",
        ],
        R.CONSULTANT: ["appointments.view_appointment", "appointments.change_appointment"],
        R.GENERAL_MANAGER: ["appointments.view_appointment"],
    }
    nav_items: list = []

    def ready(self) -> None:
        from appointments.sweeps import ARRIVAL_ORDER, appointments_arrived_after_import
        from appointments.timeline import appointment_timeline_entries
        from crm.importing.registry import register_post_import
        from crm.roles import NavItem
        from crm.timeline import register_timeline_provider

        self.nav_items = [
            NavItem(
                _("预约看板"),
                "appointments:board",
                "appointments.view_appointment",
                "calendar-check",
                35,
                group="callbacks",
            ),
            NavItem(
                _("我的预约"),
                "appointments:my_day",
                "appointments.view_appointment",
                "calendar-event",
                36,
                visible_to=lambda user: user.has_role(R.CONSULTANT),
                group="callbacks",
            ),
            NavItem(
                _("预约设置"),
                "appointments:settings",
                "appointments.change_appointmentsettings",
                "calendar-week",
                86,
                group="settings",
            ),
        ]
        register_post_import(appointments_arrived_after_import, order=ARRIVAL_ORDER)
        register_timeline_provider(appointment_timeline_entries)
