"""Survey-link reads: the link behind a token, what its page shows."""

import datetime

from django.db.models import Prefetch

from callbacks.choices import TaskState
from crm.tokens import token_hash
from surveylink.choices import LinkState
from surveylink.models import SurveyLink
from surveys.models import Question


def survey_link_for_token(token: str) -> SurveyLink | None:
    """The link of a token, with what its page shows (store, vehicle, questions): 2 queries; None
    for an unknown token. The token is the only key: the page never takes an id."""
    if not token or len(token) > 64:
        return None
    return (
        SurveyLink.objects.select_related("task__store", "task__vehicle", "version__template")
        .prefetch_related(Prefetch("version__questions", queryset=Question.objects.order_by("order", "id")))
        .filter(token_hash=token_hash(token))
        .first()
    )


def survey_link_state(link: SurveyLink, now: datetime.datetime) -> str:
    """Open, answered or expired. Answered: through this link, or the task was done another way
    (a call, an SMS reply) — the customer has been heard, and is thanked. Expired: the callback
    window ended, or the task was closed otherwise (refused, expired, waiting for a data fix)."""
    task = link.task
    if link.answered_at is not None or task.state == TaskState.DONE:
        return LinkState.ANSWERED
    if task.state != TaskState.OPEN or now > link.expires_at:
        return LinkState.EXPIRED
    return LinkState.OPEN
