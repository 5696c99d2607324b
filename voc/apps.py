from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm.choices import Role

R = Role

# The CR manager reads the VOC page and keeps the topic list; agents make the suggestions' feedback
# calls; the GM and department managers read the VOC page (verbatims masked as their role requires).
ROLE_PERMISSIONS = {
    R.CALLBACK_AGENT: ["voc.view_vocentry", "voc.record_feedback_vocentry"],
    R.CR_MANAGER: [
        "voc.view_vocentry",
        "voc.record_feedback_vocentry",
        "voc.view_voctopic",
        "voc.add_voctopic",
        "voc.change_voctopic",
    ],
    R.GENERAL_MANAGER: ["voc.view_vocentry"],
    R.DEPARTMENT_MANAGER: ["voc.view_vocentry"],
}


class VocConfig(AppConfig):
    """The voice of the customer (客户之声, VOC; issue 14 item 1): verbatims segmented and tagged with
    topics, the VOC page, and the feedback calls of suggestions.

    An app of its own rather than inside `improvement`: it reads five apps' records (surveys,
    callbacks, retention, complaints) and owns four tables, a beat task, a command and four pages —
    improvement has fourteen modules already, and the meeting record only reads VOC's figures."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "voc"
    verbose_name = _("客户之声")

    role_permissions = ROLE_PERMISSIONS
    nav_items: list = []

    def ready(self) -> None:
        from crm.roles import NavItem

        self.nav_items = [
            NavItem(_("客户之声"), "voc:page", "voc.view_vocentry", "chat-quote", 74, group="reports"),
            NavItem(
                _("建议反馈回访"),
                "voc:feedback_list",
                "voc.record_feedback_vocentry",
                "chat-left-dots",
                28,
                group="callbacks",
            ),
            NavItem(_("VOC话题"), "voc:topic_list", "voc.change_voctopic", "tags", 95, group="settings"),
        ]
