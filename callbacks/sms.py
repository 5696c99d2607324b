"""The SMS survey (短信回访, SPEC §6 and §10): sent once after the last failed call attempt; a score
replied to it records the overall answer and closes the task as 短信回复.

ONE send path: `callback_sms_survey_send` is the service, `callbacks.tasks.callback_sms_survey_send`
its one Celery task. The call page's failed attempt that reaches the maximum queues that task on
commit (callbacks.services, through crm.tasking, so a broker outage never fails the call), and the
beat sweep `callback_sms_fallback_sweep` sends for the tasks `callback_sms_survey_due` finds by
state (a lost publish, a changed setting). The service checks and locks the task, so any number of
runs send one SMS. A reply goes through the one service that applies outcomes
(`callbacks.services.callback_attempt_record`, disposition 短信回复).

crm.sms knows nothing of callbacks: this module sends through `crm.sms.services.sms_send` and is
told about replies through the reply handler registered in CallbacksConfig.ready().
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from callbacks.choices import AttemptSource, CallbackKind, Disposition, TaskState
from callbacks.generation import DEFAULTS, store_callback_settings
from callbacks.models import CallbackTask
from callbacks.services import callback_attempt_record
from callbacks.sms_context import callback_sms_context
from crm.sms.services import customer_may_get_sms, sms_send
from crm.sms.templates import sms_template_render
from surveylink.choices import LinkMode
from surveylink.services import store_link_settings, survey_link_send

logger = logging.getLogger("callbacks.sms")

SMS_SURVEY_REASON = "callback_survey"
# The overall question of the built-in templates (SPEC §7): the score an SMS reply answers.
OVERALL_QUESTION_CODE = {CallbackKind.SALES: "Q0", CallbackKind.SERVICE: "Q1"}
# Used only if the editable template (migration crm 0004) has been deleted.
_FALLBACK_BODY = (
    "尊敬的{salutation}，您好！请问您对{store_name}的服务是否满意？"
    "请回复1-10分（10分为非常满意），感谢您的回复！回复TD退订"
)


def _related_key(task_id: int) -> str:
    return f"callback_task:{task_id}"


def callback_sms_survey_body(task: CallbackTask) -> str:
    code = "callback_survey_sales" if task.kind == CallbackKind.SALES else "callback_survey_service"
    return sms_template_render(code=code, context=callback_sms_context(task), default=_FALLBACK_BODY)


def callback_sms_survey_send(*, task_id: int, now: datetime.datetime | None = None) -> bool:
    """Send the SMS survey of a task once: it must be open, have reached the store's maximum of
    failed attempts, and its customer must have a valid mobile and SMS consent. The task row is
    locked and `sms_survey_sent_at` set in the same transaction as the message, and the message is
    unique per task (related_key), so concurrent or repeated calls send one SMS.
    A store whose survey-link mode is "instead" gets the link SMS in its place (surveylink).
    In quiet hours the message is queued until 08:00 (crm.sms)."""
    now = now or timezone.now()
    with transaction.atomic():
        task = (
            CallbackTask.objects.select_for_update(of=("self",))
            .select_related("customer", "store", "vehicle")
            .get(pk=task_id)
        )
        customer = task.customer
        maximum = store_callback_settings([task.store_id])[task.store_id].max_failed_attempts
        if task.state != TaskState.OPEN or task.sms_survey_sent_at is not None or task.failed_attempts < maximum:
            return False
        if not customer_may_get_sms(customer):
            return False
        task.sms_survey_sent_at = now
        task.save(update_fields=["sms_survey_sent_at"])
        # A store may send the customer's own survey link instead (surveylink): same trigger, same
        # lock; `sms_survey_sent_at` marks either as sent. No questionnaire to link: the score SMS.
        if store_link_settings(task.store_id).mode == LinkMode.INSTEAD and survey_link_send(task=task, now=now):
            return True
        sms_send(
            store=task.store,
            customer=customer,
            mobile=customer.mobile,
            body=callback_sms_survey_body(task),
            reason=SMS_SURVEY_REASON,
            related_key=_related_key(task.pk),
            now=now,
        )
    return True


def callback_sms_survey_due(*, limit: int = 1000) -> QuerySet[CallbackTask]:
    """Ids of open tasks at their store's maximum of failed attempts with no SMS survey yet: what
    the beat sweep sends for (the send service checks each again under its row lock)."""
    due = CallbackTask.objects.filter(state=TaskState.OPEN, sms_survey_sent_at__isnull=True)
    configured = due.filter(failed_attempts__gte=F("store__callback_settings__max_failed_attempts"))
    default = due.filter(store__callback_settings__isnull=True, failed_attempts__gte=DEFAULTS.max_failed_attempts)
    return (configured | default).order_by("pk").values_list("pk", flat=True)[:limit]


def callback_sms_survey_reply(*, message, reply, score: int) -> bool:
    """Reply handler for "callback_survey": record the score as the overall answer (短信回复).

    A reply to a task that is no longer open (done by a later call, expired) is kept in the SMS log
    but changes nothing: returns False."""
    prefix = "callback_task:"
    if not message.related_key.startswith(prefix):
        return False
    task = CallbackTask.objects.filter(pk=message.related_key.removeprefix(prefix)).first()
    if task is None or task.state != TaskState.OPEN:
        return False
    try:
        callback_attempt_record(
            task=task,
            user=None,
            disposition=Disposition.SMS_REPLY,
            answers={OVERALL_QUESTION_CODE[task.kind]: score},
            note=reply.body,
            at=reply.queued_at,
            source=AttemptSource.SMS,
        )
    except ValidationError as exc:  # closed meanwhile (the row lock in callback_attempt_record decides)
        logger.info("SMS reply %s for task %s not recorded: %s", reply.pk, task.pk, exc.messages)
        return False
    return True
