"""Writes of improvement meetings and EQC actions (SPEC §10.5). File audits: improvement.audits."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Store, User
from crm.periods import add_months
from improvement.models import EqcAction, ImprovementMeeting
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
    """Record a meeting chaired by `user`; its figures are the previous month's."""
    figures_month = add_months(held_on.replace(day=1), -1)
    return ImprovementMeeting.objects.create(
        store=store,
        held_on=held_on,
        figures_month=figures_month,
        attendees=attendees.strip(),
        minutes=minutes.strip(),
        chaired_by=user,
    )


def meeting_update(*, meeting: ImprovementMeeting, attendees: str, minutes: str) -> ImprovementMeeting:
    meeting.attendees, meeting.minutes = attendees.strip(), minutes.strip()
    meeting.save(update_fields=["attendees", "minutes"])
    return meeting


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
