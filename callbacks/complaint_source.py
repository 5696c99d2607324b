"""callbacks' answers to complaints about a case opened from a call (complaints.call_source),
registered in CallbacksConfig.ready(): complaints imports nothing of callbacks."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from callbacks.hot_alerts import hot_alerts_close
from callbacks.selectors import callback_tasks_visible, hot_alerts
from complaints.call_source import CallSource
from complaints.models import Case
from crm.models import User


def hot_alert_visible(user: User, pk: int) -> bool:
    return hot_alerts(user=user, open_only=False).filter(pk=pk).exists()


def callback_task_visible(user: User, pk: int) -> bool:
    return callback_tasks_visible(user=user).filter(pk=pk).exists()


def hot_alert_case_received(case: Case, user: User) -> None:
    """The hot alert is handled from now on as this case: it closes, saying so."""
    with translation.override(settings.LANGUAGE_CODE):
        note = _("已转投诉 %(no)s") % {"no": case.case_no}
    hot_alerts_close(alert_ids=[case.hot_alert_id], user=user, note=note, now=case.received_at)


COMPLAINT_CALL_SOURCE = CallSource(
    hot_alert_visible=hot_alert_visible,
    callback_task_visible=callback_task_visible,
    case_received_from_alert=hot_alert_case_received,
)
