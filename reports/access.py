"""Who may open which report, for which stores and rows (SPEC §1, §9).

Store scope comes from crm.scoping (the one helper). A report's roles say who may open it; a
sales consultant / service advisor (Role.CONSULTANT) may open a report declared `own_rows` and
then sees only the rows of their own crm.Staff record.
"""

from dataclasses import dataclass

from django.http import Http404

from crm.choices import Role
from crm.models import Staff, User
from crm.scoping import is_group_level, user_can_see_store, user_store_ids
from reports.catalog import COMPLAINT_ROLES
from reports.registry import ReportSpec, all_reports, get_report

NO_STAFF = 0  # a consultant without a linked Staff record sees no rows


@dataclass(frozen=True)
class ReportAccess:
    spec: ReportSpec
    store_ids: list[int] | None
    staff_id: int | None  # set: only this person's rows


def is_consultant(user: User) -> bool:
    """Who has a page of their own figures (我的满意度): the sales consultant / service advisor role."""
    return user.is_authenticated and user.has_role(Role.CONSULTANT)


def can_open_weekly_complaints(user: User) -> bool:

    return is_group_level(user) or user.has_role(*COMPLAINT_ROLES)


def can_open_weekly_callbacks(user: User) -> bool:
    """The weekly callback report: the service manager (a department manager), the CR manager and
    the general manager (seed 002's weekly report; seed 003's per-advisor follow-up)."""
    return is_group_level(user) or user.has_role(Role.CR_MANAGER, Role.GENERAL_MANAGER, Role.DEPARTMENT_MANAGER)


def can_open(user: User, spec: ReportSpec) -> bool:
    if is_group_level(user) or user.has_role(*spec.roles):
        return True
    return spec.own_rows and user.has_role(Role.CONSULTANT)


def reports_for_user(user: User) -> list[ReportSpec]:
    return [spec for spec in all_reports() if can_open(user, spec)]


def own_staff_id(user: User, spec: ReportSpec) -> int | None:
    """The Staff id whose rows alone this user sees, or None when the user sees every row."""
    if is_group_level(user) or user.has_role(*spec.roles):
        return None
    staff = Staff.objects.filter(user=user).values_list("id", flat=True).first()
    return staff if staff is not None else NO_STAFF


def has_any_report(user: User) -> bool:
    """Whether the reports index has anything for this user (the nav item shows then)."""
    return (
        can_open_weekly_complaints(user)
        or can_open_weekly_callbacks(user)
        or any(can_open(user, spec) for spec in all_reports())
    )


def report_access(user: User, name: str, store_id: int | None) -> ReportAccess:
    """Resolve a request: 404 for an unknown or forbidden report, or another store's id."""
    try:
        spec = get_report(name)
    except KeyError:
        raise Http404 from None
    if not can_open(user, spec):
        raise Http404
    if store_id is not None:
        if not user_can_see_store(user, store_id):
            raise Http404
        store_ids = [store_id]
    else:
        visible = user_store_ids(user)
        store_ids = sorted(visible) if visible is not None else None
    return ReportAccess(spec=spec, store_ids=store_ids, staff_id=own_staff_id(user, spec))
