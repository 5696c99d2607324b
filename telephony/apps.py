from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm.choices import Role

R = Role


class TelephonyConfig(AppConfig):
    """The telephone system (CTI, issue 16 items 2–3): click-to-call, call events, talk time, recordings."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "telephony"
    verbose_name = _("电话系统")

    # add_dialrequest: click-to-call (and the inbound screen pop); add_callrecord: upload a recording;
    # view_callrecord: the calls on the call pages; listen_recording: play any call of the stores
    # (others hear only the calls of complaints they may see).
    role_permissions = {
        R.CALLBACK_AGENT: [
            "telephony.add_dialrequest",
            "telephony.add_callrecord",
            "telephony.view_callrecord",
            "telephony.listen_recording",
        ],
        R.CR_MANAGER: [
            "telephony.add_dialrequest",
            "telephony.add_callrecord",
            "telephony.view_callrecord",
            "telephony.listen_recording",
            "telephony.change_storerecordingsettings",
        ],
        R.GENERAL_MANAGER: ["telephony.view_callrecord", "telephony.listen_recording"],
    }
    nav_items: list = []  # filled in ready(): crm.roles imports auth models

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from callbacks.agent_day_figures import AgentDayFigure, register_agent_day_figure
        from crm.page_panels import register_page_panel
        from crm.roles import NavItem
        from crm.timeline import register_timeline_provider
        from telephony import panels
        from telephony.models import StoreRecordingSettings
        from telephony.selectors import TALK_TIME_FIGURE, format_talk_time, talk_time_per_agent_day
        from telephony.timeline import call_timeline_entries

        # Who changed a store's recording retention period, from what to what (the purge deletes by it).
        auditlog.register(StoreRecordingSettings)

        self.nav_items = [
            NavItem(
                _("录音保存期"),
                "telephony:settings",
                "telephony.change_storerecordingsettings",
                "mic",
                95,
                group="settings",
            ),
        ]
        register_page_panel("callback_call", panels.callback_call_panel)
        register_page_panel("outreach_call", panels.outreach_call_panel)
        register_page_panel("customer", panels.customer_panel)
        register_page_panel("complaint", panels.complaint_panel)
        register_page_panel("base", panels.pop_poll_panel)
        register_timeline_provider(call_timeline_entries)
        # Talk time (通话时长) on the agent daily report, the page and the report table alike.
        register_agent_day_figure(
            AgentDayFigure(TALK_TIME_FIGURE, _("通话时长"), talk_time_per_agent_day, format_talk_time)
        )
