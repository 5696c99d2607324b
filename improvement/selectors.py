"""Reads of file audits, meetings and EQC actions, every one scoped to the user's stores."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from crm.models import Staff, User
from crm.periods import month_bounds, next_month
from crm.scoping import scope_for_user
from improvement.choices import AuditStatus
from improvement.models import EqcAction, FileAudit, ImprovementMeeting
from reports.dashboard import board as dashboard
from reports.dashboard import figures
from reports.tables import complaints as complaint_reports
from voc.selectors import month_topics_for_meeting

# --- file audits ----------------------------------------------------------------------------------


def audit_weeks(*, user: User, store_id: int | None = None) -> QuerySet:
    """One row per (store, week) with its counts: files, checked, abnormal. One query."""
    qs = scope_for_user(FileAudit.objects.all(), user)
    if store_id is not None:
        qs = qs.filter(store_id=store_id)
    return (
        qs.values("store_id", "store__name", "week")
        .annotate(
            files=Count("id"),
            checked=Count("id", filter=~Q(status="")),
            abnormal=Count("id", filter=Q(status=AuditStatus.ABNORMAL)),
        )
        .order_by("-week", "store__name")
    )


def week_audits(*, user: User, store_id: int, week: dt.date) -> list[FileAudit]:
    """The store's audits of the week (empty when the store is not the user's), with their files."""
    qs = scope_for_user(FileAudit.objects.filter(store_id=store_id, week=week), user)
    return list(
        qs.select_related(
            "store",
            "delivery__customer",
            "delivery__vehicle",
            "delivery__sales_consultant",
            "repair_order__customer",
            "repair_order__vehicle",
            "repair_order__service_advisor",
            "responsible",
        ).order_by("position", "id")
    )


def store_staff(*, store_id: int) -> list[Staff]:
    """The store's staff, for 问题责任人 (one query)."""
    return list(Staff.objects.filter(store_id=store_id).order_by("name", "id"))


def month_audits(*, store_ids: list[int] | None, month: dt.date) -> QuerySet[FileAudit]:
    """Table 14's rows: the audits of the weeks whose Monday falls in `month`."""
    qs = FileAudit.objects.filter(week__gte=month, week__lt=next_month(month))
    if store_ids is not None:
        qs = qs.filter(store_id__in=store_ids)
    return qs.select_related("delivery", "repair_order", "responsible", "store").order_by(
        "store__code", "week", "position", "id"
    )


# --- meetings and actions -------------------------------------------------------------------------


def meetings(*, user: User) -> QuerySet[ImprovementMeeting]:
    return (
        scope_for_user(ImprovementMeeting.objects.all(), user)
        .select_related("store", "chaired_by")
        .annotate(action_count=Count("actions"))
        .order_by("-held_on", "-id")
    )


def actions(*, user: User) -> QuerySet[EqcAction]:
    return scope_for_user(EqcAction.objects.all(), user).select_related("store", "meeting", "signed_off_by")


def overdue_filter(today: dt.date) -> Q:
    """THE overdue rule: the due date has passed and the measure is not done."""
    return Q(due_on__lt=today, completed_on__isnull=True)


def overdue_actions(*, user: User, today: dt.date | None = None) -> QuerySet[EqcAction]:
    today = today or timezone.localdate()
    return actions(user=user).filter(overdue_filter(today)).order_by("due_on", "id")


def month_actions(*, store_ids: list[int] | None, month: dt.date) -> QuerySet[EqcAction]:
    """Table 15's rows: the actions decided in `month` (M0)."""
    qs = EqcAction.objects.filter(decision_month=month)
    if store_ids is not None:
        qs = qs.filter(store_id__in=store_ids)
    return qs.select_related("store", "signed_off_by").order_by("store__code", "id")


def meeting_figures(*, meeting: ImprovementMeeting) -> dict:
    """The figures the meeting page shows: those the meeting was held with (its snapshot) once it has
    one, else — a meeting not yet held, or held and not yet saved since — computed now. `frozen_at`
    says which (None: live); `of_meeting_time` whether the snapshot was taken on the meeting's day
    (`ImprovementMeeting.figures_of_meeting_time`) or later, holding the figures of that later day."""
    if meeting.figures_snapshot is not None:
        return {
            **meeting.figures_snapshot,
            "frozen_at": meeting.figures_frozen_at,
            "of_meeting_time": meeting.figures_of_meeting_time,
        }
    return {**meeting_live_figures(meeting=meeting), "frozen_at": None, "of_meeting_time": False}


def meeting_live_figures(*, meeting: ImprovementMeeting) -> dict:
    """What the meeting opens with, for its store and its figures month: the five weakest questions
    and the flagged staff exactly as the GM's dashboard shows them (reports.dashboard.board.present over
    the stored figures), and the month's complaint summary of the monthly complaint report (its SLA
    compliance is complaints.selectors' one rule), and the month's VOC topics (voc.selectors: the
    topics customers spoke of most, negative first, with their top keywords)."""
    store_ids = [meeting.store_id]
    shown = dashboard.present(figures.stored_figures(store_ids=store_ids, month=meeting.figures_month))
    start, end = month_bounds(meeting.figures_month)
    complaint_rows, received = complaint_reports.complaints_monthly_rows(store_ids=store_ids, start=start, end=end)
    return {
        "weakest": shown["weakest"],
        "flags": shown["flags"],
        "complaints": complaint_rows,
        "complaints_received": received,
        "voc_topics": month_topics_for_meeting(store_id=meeting.store_id, month=meeting.figures_month),
    }
