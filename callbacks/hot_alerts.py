"""Hot alerts (回访预警, SPEC §6): who hears of a new one, and closing them with a note."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from callbacks.choices import CallbackKind
from callbacks.models import CallbackTask, HotAlert
from complaints.choices import NotificationKind
from complaints.notifications import Message, notify_many, role_recipient_ids
from crm.choices import Role
from crm.masking import mask_text
from crm.models import Delivery, RepairOrder, User
from crm.scoping import scope_for_user
from crm.selectors import customer_url

# A hot alert's reasons (callbacks.services, written in the default language) are its negative
# answers (surveys.services.answer_reason), the agent's grumble mark first when the agent marked
# one, and the customer's own words last (surveys.services.verbatim_line: "<code> 客户原话：<text>").
AGENT_GRUMBLE_REASON = gettext_noop("回访专员标记抱怨")
VERBATIM_REASON_MARK = "客户原话："


def reason_is_negative_answer(reason: str) -> bool:
    """Whether a reason line is a negative answer: neither the agent's mark nor the customer's words."""
    return reason != AGENT_GRUMBLE_REASON and VERBATIM_REASON_MARK not in reason


def hot_alert_notify(*, alert, task: CallbackTask) -> None:
    """A hot alert notifies at once (issue 12 item 9), bell and e-mail, once per alert (its dedup
    key): the store's CR managers, who close it, and the SC/SA of the delivery or repair orders,
    through their staff record's login.

    callbacks imports complaints' notification service (the notifications live there, with the
    SLA alerts); complaints imports no callbacks module (it asks callbacks through the hook
    registered in CallbacksConfig.ready(), complaints.call_source), so no cycle."""

    if task.kind == CallbackKind.SALES:
        staff_users = Delivery.objects.filter(pk=task.delivery_id).values_list("sales_consultant__user_id", flat=True)
    else:
        staff_users = RepairOrder.objects.filter(callback_task_link__task=task).values_list(
            "service_advisor__user_id", flat=True
        )
    # The bell and the e-mail reach consultants too, who see no full numbers: the customer's words
    # go out masked (the alert page shows them to those who may).
    key, params, body = f"hot_alert:{alert.pk}", {"customer": task.customer.name}, mask_text("；".join(alert.reasons))
    notify_many(
        [
            Message(
                recipients=role_recipient_ids(role=Role.CR_MANAGER, store_id=task.store_id),
                kind=NotificationKind.HOT_ALERT,
                params=params,
                body=body,
                url=reverse("callbacks:hot_alert_list"),
                dedup_key=key,
            ),
            Message(
                recipients=sorted({pk for pk in staff_users if pk is not None}),
                kind=NotificationKind.HOT_ALERT,
                params=params,
                body=body,
                url=customer_url(task.customer),
                dedup_key=key,
            ),
        ]
    )


def _hot_alert_close_note(note: str) -> str:
    """The note a hot alert is closed with, as stored: required (SPEC §6), for one alert or many."""
    if not note.strip():
        raise ValidationError({"note": _("关闭预警必须填写说明。")})
    return note.strip()


def hot_alert_close(*, alert, user: User, note: str, now: datetime.datetime | None = None):
    """Close a hot alert; a note is required (SPEC §6). Exactly one closer wins."""

    note = _hot_alert_close_note(note)
    now = now or timezone.now()
    closed = HotAlert.objects.filter(pk=alert.pk, closed_at__isnull=True).update(
        closed_at=now, closed_by=user, close_note=note
    )
    if not closed:
        raise ValidationError(_("该预警已关闭。"))
    alert.refresh_from_db()
    return alert


def hot_alerts_close(*, alert_ids: Iterable[int], user: User, note: str, now: datetime.datetime | None = None) -> int:
    """Close many open hot alerts of the user's stores with one note (one UPDATE); returns how many.

    The same rule as hot_alert_close: a note is required, an alert already closed stays as it was
    closed (the conditional UPDATE skips it), another store's alert is never touched.
    """

    note = _hot_alert_close_note(note)
    alerts = scope_for_user(HotAlert.objects.filter(pk__in=list(alert_ids)), user, store_field="task__store")
    return alerts.filter(closed_at__isnull=True).update(
        closed_at=now or timezone.now(), closed_by=user, close_note=note
    )
