from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm.choices import Role

R = Role


class CallbacksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "callbacks"
    verbose_name = _("回访")

    role_permissions = {
        R.CALLBACK_AGENT: [
            "callbacks.view_callbacktask",
            "callbacks.add_callattempt",
            "callbacks.view_datafixrecord",
            "callbacks.change_datafixrecord",
            # SPEC §1: agents open complaints from calls — they read their stores' hot alerts;
            # closing one (change_hotalert) stays the CR manager's.
            "callbacks.view_hotalert",
            # Grumbles (table 5): the CR department records the handling and the re-call.
            "callbacks.view_grumble",
            "callbacks.change_grumble",
        ],
        R.CR_MANAGER: [
            "callbacks.view_callbacktask",
            "callbacks.change_callbacktask",
            "callbacks.add_callattempt",
            "callbacks.view_hotalert",
            "callbacks.change_hotalert",
            "callbacks.view_datafixrecord",
            "callbacks.change_datafixrecord",
            "callbacks.change_storecallbacksettings",
            "callbacks.view_grumble",
            "callbacks.change_grumble",
        ],
        R.GENERAL_MANAGER: ["callbacks.view_callbacktask", "callbacks.view_hotalert", "callbacks.view_grumble"],
        # The department named responsible reads its grumbles (the register filters by department).
        R.DEPARTMENT_MANAGER: ["callbacks.view_grumble"],
    }
    nav_items: list = []  # filled in ready(): crm.roles imports auth models
    role_landing = {R.CALLBACK_AGENT: "callbacks:queue"}

    def ready(self) -> None:
        from crm.roles import NavItem

        self.nav_items = [
            NavItem(_("回访"), "callbacks:queue", "callbacks.view_callbacktask", "telephone", 20, group="callbacks"),
            NavItem(
                _("回访分配"),
                "callbacks:manager_queue",
                "callbacks.change_callbacktask",
                "people",
                22,
                group="callbacks",
            ),
            NavItem(
                _("回访预警"),
                "callbacks:hot_alert_list",
                "callbacks.view_hotalert",
                "exclamation-triangle",
                25,
                group="callbacks",
            ),
            NavItem(
                _("抱怨登记"),
                "callbacks:grumble_list",
                "callbacks.view_grumble",
                "chat-left-dots",
                26,
                group="callbacks",
            ),
        ]
        from callbacks.generation import callback_tasks_generate_after_import
        from callbacks.importing import TASK_GENERATION_ORDER, CallbackResultsSheet
        from crm.importing.registry import register_post_import

        # Between the ROs and the 回访结果 sheet, so a workbook holding both imports in one run.
        register_post_import(callback_tasks_generate_after_import, order=TASK_GENERATION_ORDER)

        from callbacks.timeline import callback_timeline_entries
        from crm.importing.registry import register_sheet
        from crm.timeline import register_timeline_provider

        register_sheet(CallbackResultsSheet())
        register_timeline_provider(callback_timeline_entries)

        from callbacks.grumbles.timeline import grumble_timeline_entries

        register_timeline_provider(grumble_timeline_entries)

        from callbacks.complaint_source import COMPLAINT_CALL_SOURCE
        from complaints.call_source import register_call_source

        register_call_source(COMPLAINT_CALL_SOURCE)

        from callbacks.sms import SMS_SURVEY_REASON, callback_sms_survey_reply
        from crm.sms.registry import register_reply_handler

        register_reply_handler(SMS_SURVEY_REASON, callback_sms_survey_reply)
