"""The customer page's callback entries (crm.timeline provider): two queries whatever the count.

A successful callback shows its overall score with the satisfaction bucket in the title, and every
answer in the body, negative answers marked.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from callbacks.choices import DISPOSITION_RULES, Bucket
from callbacks.models import CallAttempt
from crm.timeline import TimelineEntry
from surveys.choices import Satisfaction, satisfaction_bucket
from surveys.selectors import answers_by_response
from surveys.services import answer_shown

MAX_ENTRIES = 50


def _answers_line(answers) -> str:
    parts = []
    for a in answers:
        mark = _("（负面）") if a.is_negative else ""
        parts.append(f"{a.question.code} {answer_shown(a)}{mark}")
    return " · ".join(parts)


def callback_timeline_entries(customer, user=None) -> list[TimelineEntry]:
    attempts = list(
        CallAttempt.objects.filter(task__customer=customer)
        .select_related("task", "agent")
        .order_by("-at", "-id")[:MAX_ENTRIES]
    )
    success = {a.pk for a in attempts if (r := DISPOSITION_RULES.get(a.disposition)) and r.bucket == Bucket.SUCCESS}
    answers = answers_by_response({a.task.response_id for a in attempts if a.pk in success})
    entries = []
    for a in attempts:
        title = _("%(kind)s：%(d)s") % {"kind": a.task.get_kind_display(), "d": _(a.disposition)}
        tone = "secondary"
        body = [a.note] if a.note else []
        if a.mood:
            body.insert(0, _("客户心情：%(mood)s") % {"mood": a.get_mood_display()})
        if a.pk in success:
            tone = "success"
            score = a.task.overall_score
            if score is not None:
                bucket = satisfaction_bucket(score)
                title += f" · {score}{_('分')} {Satisfaction(bucket).label}"
                tone = {Satisfaction.FULLY: "success", Satisfaction.BASICALLY: "warning"}.get(bucket, "danger")
            shown = answers.get(a.task.response_id, [])
            if shown:
                body.append(_answers_line(shown))
        entries.append(
            TimelineEntry(
                at=a.at,
                kind="callback",
                title=title,
                body=" ｜ ".join(body),
                url=reverse("callbacks:call", args=[a.task_id]),
                icon="telephone",
                tone=tone,
            )
        )
    return entries
