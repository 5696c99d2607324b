from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from crm.choices import Role

R = Role


class CrmConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "crm"
    verbose_name = _("客户档案")

    role_permissions = {
        R.CALLBACK_AGENT: ["crm.view_customer", "crm.change_customer", "crm.view_vehicle", "crm.view_full_phone"],
        R.RECEPTION: ["crm.view_customer", "crm.view_vehicle", "crm.view_full_phone"],
        R.CR_MANAGER: [
            "crm.view_customer",
            "crm.change_customer",
            "crm.view_vehicle",
            "crm.change_vehicle",
            "crm.view_full_phone",
            "crm.add_importjob",
            "crm.view_importjob",
            "crm.view_staff",
            "crm.view_smsmessage",
            "crm.change_smsmessage",
            "crm.view_smstemplate",
            "crm.change_smstemplate",
        ],
        R.DEPARTMENT_MANAGER: ["crm.view_customer", "crm.view_vehicle"],
        R.CONSULTANT: ["crm.view_customer", "crm.view_vehicle"],
        R.GENERAL_MANAGER: ["crm.view_customer", "crm.view_vehicle", "crm.view_staff"],
    }

    # Built in ready() (NavItem lives in crm.roles, which imports models). One line per page so
    # that helpers adding their own pages (DMS import) touch separate lines.
    nav_items: list = []

    def ready(self) -> None:
        from crm import audit, beat  # noqa: F401  (register models with auditlog; the beat schedule check)
        from crm.administration.access import is_administrator
        from crm.operations import heartbeats as _heartbeats  # noqa: F401  (connects the Celery signals)
        from crm.operations.stuck import crm_stuck_probes, register_stuck_probe
        from crm.roles import NavItem, sync_role_permissions
        from crm.selectors import crm_timeline_entries
        from crm.timeline import register_timeline_provider

        self.nav_items = [
            *self.nav_items,
            NavItem(_("客户档案"), "crm:customer_list", "crm.view_customer", "people", 20),
            NavItem(_("短信"), "crm:sms_outbox", "crm.view_smsmessage", "chat-dots", 70, group="callbacks"),
            NavItem(_("DMS导入"), "crm:import_upload", "crm.add_importjob", "upload", 90, group="settings"),
            NavItem(
                _("用户管理"), "crm:user_list", "crm.change_user", "person-gear", 95, is_administrator, group="settings"
            ),
            NavItem(
                _("门店与部门"), "crm:store_list", "crm.change_store", "shop", 96, is_administrator, group="settings"
            ),
            NavItem(
                _("运行状态"),
                "crm:operations",
                "crm.view_serviceheartbeat",
                "activity",
                97,
                visible_to=is_administrator,
                group="settings",
            ),
        ]
        register_timeline_provider(crm_timeline_entries)
        for probe in crm_stuck_probes():
            register_stuck_probe(probe)

        from crm.search import customer_search_section, register_search_provider

        register_search_provider(customer_search_section)

        from crm.importing.handlers import crm_sheets
        from crm.importing.registry import register_sheet

        for sheet in crm_sheets():
            register_sheet(sheet)

        from crm.sms import tasks as _sms_tasks  # noqa: F401  (registers the Celery tasks)
        from crm.sms.timeline import sms_timeline_entries

        register_timeline_provider(sms_timeline_entries)

        post_migrate.connect(sync_role_permissions, dispatch_uid="crm.sync_role_permissions")
