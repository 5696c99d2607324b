"""Survey-link writes: sending the link (instead of, or after, the SMS score survey) and recording
the customer's answers.

The answers go through THE one service that applies outcomes, `callbacks.services.
callback_attempt_record`, as the call page's and the SMS reply's do: disposition 短信回复 (a
success the customer gave through the SMS we sent: the bucket, the effect and every report count
it as they count an SMS reply), channel `web` (AttemptSource / ResponseSource), so the call page
and the timeline say the customer filled the questionnaire himself, not a score by SMS reply. The
same rules therefore apply: answers validated against the questionnaire, overall answer required,
negative answers raise the hot alert, the task is done, its figures stored.
"""

import datetime
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.choices import AttemptSource, Disposition, TaskState
from callbacks.models import CallbackTask
from callbacks.services import callback_attempt_record
from callbacks.sms_context import callback_sms_context
from crm.sms.choices import SmsReason
from crm.sms.services import customer_may_get_sms, sms_send
from crm.sms.templates import sms_template_render
from crm.tokens import token_hash
from surveylink.choices import LinkMode, LinkState
from surveylink.models import StoreSurveyLinkSettings, SurveyLink
from surveylink.selectors import survey_link_state
from surveys.selectors import template_current_version

logger = logging.getLogger("surveylink")

SMS_REASON = SmsReason.SURVEY_LINK.value
SMS_TEMPLATE_CODE = "survey_link"
# Used only if the editable template (migration surveylink 0002) has been deleted.
FALLBACK_BODY = "尊敬的{salutation}，感谢您选择{store_name}！请花1分钟评价本次服务：{link} 回复TD退订"
# secrets.token_urlsafe(12): 16 URL-safe characters, 96 random bits — short enough for one SMS,
# far beyond guessing (and guessing is rate-limited, surveylink.throttle).
TOKEN_BYTES = 12


class SurveyLinkClosed(ValidationError):
    """An answer to a link that is answered or expired; `state` says which."""

    def __init__(self, state: str):
        self.state = state
        super().__init__(_("该问卷已填写或已失效。"))


def store_link_settings(store_id: int) -> StoreSurveyLinkSettings:
    """A store's survey-link setting (unsaved default, OFF, when it has none)."""
    found = StoreSurveyLinkSettings.objects.filter(store_id=store_id).first()
    return found or StoreSurveyLinkSettings(store_id=store_id)


# What pages show in place of the token while the SMS waits in the outbox (crm.sms: body_redacted).
REDACTED_TOKEN = "****"


def survey_link_url(token: str) -> str:
    """The link as the SMS carries it: SITE_URL + /s/<token>/ (a path only if SITE_URL is unset)."""
    path = reverse("surveylink:page", args=[token])
    if not settings.SITE_URL:
        logger.warning("SITE_URL is not set: the survey-link SMS carries a path only")
    return settings.SITE_URL.rstrip("/") + path


def survey_link_sms_body(task: CallbackTask, url: str) -> str:
    context = callback_sms_context(task, link=url)
    return sms_template_render(code=SMS_TEMPLATE_CODE, context=context, default=FALLBACK_BODY)


def survey_link_send(*, task: CallbackTask, now: datetime.datetime, token: str | None = None) -> SurveyLink | None:
    """Create the task's link and queue its SMS (crm.sms: quiet hours, consent, the outbox).

    The caller holds the task's row lock (callbacks.sms, `survey_link_send_after`); a task has at
    most one link (unique), so a second call returns None. None too when no questionnaire is
    active for the task's kind (the caller then falls back to the score SMS). `token` is for the
    demo only (a token it can print again on its next run); every real link gets a random one."""
    if SurveyLink.objects.filter(task=task).exists():
        return None
    version = template_current_version(kind=task.kind)
    if version is None:
        return None
    token = token or secrets.token_urlsafe(TOKEN_BYTES)
    link = SurveyLink.objects.create(
        task=task, token_hash=token_hash(token), version=version, created_at=now, expires_at=task.window_closes_at
    )
    sms_send(
        store=task.store,
        customer=task.customer,
        mobile=task.customer.mobile,
        body=survey_link_sms_body(task, survey_link_url(token)),
        body_redacted=survey_link_sms_body(task, survey_link_url(REDACTED_TOKEN)),
        reason=SMS_REASON,
        related_key=f"survey_link:{task.pk}",
        now=now,
    )
    return link


def survey_link_after_due(*, now: datetime.datetime | None = None, limit: int = 1000) -> list[int]:
    """Ids of open tasks of "after" stores whose SMS score survey went out at least the store's
    `after_hours` ago, window still open, no link yet (the send service checks each again).
    One query whatever the number of stores: each task is compared with its own store's hours."""
    now = now or timezone.now()
    sent_before = ExpressionWrapper(
        Value(now) - F("store__survey_link_settings__after_hours") * Value(datetime.timedelta(hours=1)),
        output_field=DateTimeField(),
    )
    return list(
        CallbackTask.objects.filter(
            store__survey_link_settings__mode=LinkMode.AFTER,
            state=TaskState.OPEN,
            sms_survey_sent_at__lte=sent_before,
            window_closes_at__gt=now,
            survey_link__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def survey_link_send_after(*, task_id: int, now: datetime.datetime | None = None) -> bool:
    """Send the link of an "after" store's task once: open, SMS score survey sent long enough ago
    and unanswered, valid mobile with SMS consent, no link yet. Under the task's row lock, so
    concurrent sweeps send one."""
    now = now or timezone.now()
    with transaction.atomic():
        task = (
            CallbackTask.objects.select_for_update(of=("self",))
            .select_related("customer", "store", "vehicle")
            .get(pk=task_id)
        )
        conf = store_link_settings(task.store_id)
        if conf.mode != LinkMode.AFTER or task.state != TaskState.OPEN or task.sms_survey_sent_at is None:
            return False
        if task.sms_survey_sent_at > now - datetime.timedelta(hours=conf.after_hours) or task.window_closes_at <= now:
            return False
        if not customer_may_get_sms(task.customer):
            return False
        return survey_link_send(task=task, now=now) is not None


def survey_link_opened(*, link: SurveyLink, now: datetime.datetime) -> None:
    """Note the first visit (the CR desk sees the link was opened); one conditional UPDATE."""
    if link.first_opened_at is None:
        SurveyLink.objects.filter(pk=link.pk, first_opened_at__isnull=True).update(first_opened_at=now)


def survey_link_answer(*, link: SurveyLink, answers: dict, now: datetime.datetime | None = None) -> SurveyLink:
    """Record the customer's answers once: through `callback_attempt_record` (短信回复, channel
    web, the link's questionnaire version), then mark the link answered — in one transaction
    under the link's row lock, so two submits at once record one response; the second raises
    `SurveyLinkClosed`. An invalid answer raises ValidationError keyed by question code."""
    now = now or timezone.now()
    with transaction.atomic():
        # The version (its template and questions) as the page loaded it (survey_link_for_token):
        # it is pinned to the link and never changes, so the lock reads only the link and its task.
        version = link.version
        link = SurveyLink.objects.select_for_update(of=("self",)).select_related("task").get(pk=link.pk)
        state = survey_link_state(link, now)
        if state != LinkState.OPEN:
            raise SurveyLinkClosed(state)
        try:
            callback_attempt_record(
                task=link.task,
                user=None,
                disposition=Disposition.SMS_REPLY,
                answers=answers,
                at=now,
                source=AttemptSource.WEB,
                version=version,
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # the task was closed meanwhile (a call, expiry)
                raise SurveyLinkClosed(LinkState.EXPIRED) from exc
            raise
        SurveyLink.objects.filter(pk=link.pk).update(answered_at=now)
        link.answered_at = now
    return link
