"""Writes of improvement meetings and EQC actions (SPEC §10.5). File audits: improvement.audits."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.models import Store, User
from crm.periods import add_months
from improvement.models import EqcAction, ImprovementMeeting
from improvement.selectors import meeting_live_figures
from reports.dashboard.kpis import KINDS
from reports.dashboard.questions import RATED_TYPES
from surveys.models import Question
from surveys.selectors import template_current_version


def weak_item_choices() -> list[tuple[str, Question]]:
    """(kind, question) of the questions an action may name: the rated, non-overall questions of the
    current sales and service questionnaires — those the dashboard's weakest questions rank
    (reports.dashboard.questions.RATED_TYPES)."""
    questions: list[tuple[str, Question]] = []
    for kind in KINDS:
        version = template_current_version(kind=kind)
        if version is None:
            continue
        questions += [(kind, q) for q in version.questions.all() if q.type in RATED_TYPES and not q.is_overall]
    return questions


def weak_item_question(*, kind: str, code: str) -> Question:
    for question_kind, question in weak_item_choices():
        if question_kind == kind and question.code == code:
            return question
    raise ValidationError(_("请选择销售或售后问卷中的一道评分、是否或选择题。"))


def meeting_create(
    *, store: Store, user: User, held_on: dt.date, attendees: str, minutes: str = ""
) -> ImprovementMeeting:
    """Record a meeting chaired by `user`; its figures are the previous month's, kept as they are now
    when the meeting has been held (a meeting recorded ahead keeps them once held)."""
    figures_month = add_months(held_on.replace(day=1), -1)
    meeting = ImprovementMeeting.objects.create(
        store=store,
        held_on=held_on,
        figures_month=figures_month,
        attendees=attendees.strip(),
        minutes=minutes.strip(),
        chaired_by=user,
    )
    meeting_figures_freeze(meeting=meeting)
    return meeting


def meeting_update(*, meeting: ImprovementMeeting, attendees: str, minutes: str) -> ImprovementMeeting:
    meeting.attendees, meeting.minutes = attendees.strip(), minutes.strip()
    meeting.save(update_fields=["attendees", "minutes"])
    meeting_figures_freeze(meeting=meeting)
    return meeting


def _jsonable(value: Any) -> Any:
    """The prepared figures as JSON: numbers stay numbers (a Decimal a float), labels text in the
    language they were computed in, dates ISO strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)  # a lazy translation


def meeting_figures_freeze(*, meeting: ImprovementMeeting, now: dt.datetime | None = None) -> bool:
    """Keep the figures the meeting is held with: once, on or after its date (a conditional UPDATE —
    two saves at once freeze it once). Computed in the default language (Chinese), like the exports,
    so that the record reads the same to everyone. Returns whether this call froze it."""
    now = now or timezone.now()
    if meeting.figures_snapshot is not None or meeting.held_on > timezone.localdate(now):
        return False
    with translation.override(settings.LANGUAGE_CODE):
        snapshot = _jsonable(meeting_live_figures(meeting=meeting))
    frozen = ImprovementMeeting.objects.filter(pk=meeting.pk, figures_snapshot__isnull=True).update(
        figures_snapshot=snapshot, figures_frozen_at=now
    )
    if frozen:
        meeting.figures_snapshot, meeting.figures_frozen_at = snapshot, now
    return bool(frozen)


def meetings_freeze_held(*, now: dt.datetime | None = None) -> int:
    """Freeze the figures of the meetings held by today that were recorded ahead and not saved since
    (the daily beat); returns how many."""
    now = now or timezone.now()
    due = ImprovementMeeting.objects.filter(figures_snapshot__isnull=True, held_on__lte=timezone.localdate(now))
    return sum(meeting_figures_freeze(meeting=m, now=now) for m in due.order_by("id"))


def eqc_action_create(
    *,
    meeting: ImprovementMeeting,
    kind: str,
    code: str,
    cause_analysis: str,
    measure: str,
    owner: str,
    due_on: dt.date,
    decision_month: dt.date | None = None,
) -> EqcAction:
    """An action decided at `meeting` on one weak item; M0 is the meeting's month unless given."""
    question = weak_item_question(kind=kind, code=code)
    return EqcAction.objects.create(
        store_id=meeting.store_id,
        meeting=meeting,
        kind=kind,
        question_code=question.code,
        question_text=question.text[:300],
        question_type=question.type,
        cause_analysis=cause_analysis.strip(),
        measure=measure.strip(),
        owner=owner.strip(),
        due_on=due_on,
        decision_month=(decision_month or meeting.held_on).replace(day=1),
    )


def eqc_action_complete(*, action: EqcAction, on: dt.date | None = None) -> EqcAction:
    """Mark the measure carried out (it is no longer overdue). Done once: a second call keeps the date."""
    EqcAction.objects.filter(pk=action.pk, completed_on__isnull=True).update(completed_on=on or timezone.localdate())
    action.refresh_from_db(fields=["completed_on"])
    return action


def eqc_action_sign_off(*, action: EqcAction, user: User, note: str = "") -> EqcAction:
    """总经理检核: the GM signs the action off, once (a conditional UPDATE: two clicks sign once)."""
    with transaction.atomic():
        signed = EqcAction.objects.filter(pk=action.pk, signed_off_at__isnull=True).update(
            signed_off_by=user, signed_off_at=timezone.now(), sign_off_note=note.strip()[:300]
        )
    if not signed:
        raise ValidationError(_("该措施已由总经理检核。"))
    action.refresh_from_db(fields=["signed_off_by", "signed_off_at", "sign_off_note"])
    return action
