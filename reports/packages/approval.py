"""Report approval (SPEC §9): the CR manager generates the month's package (a frozen snapshot) and
submits it; the general manager approves it or returns it with a comment; an approved package
never changes.

Services (writes) of the report package. Every transition locks the package row and checks its
state first, so two clicks, two people or a late beat run cannot move it twice or touch an approved
one. (This module is the package half of the app's services; `reports/services.py` holds exports.)
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.choices import Role
from crm.models import Store, User
from crm.scoping import user_can_see_store
from reports.dashboard.board import default_month
from reports.dashboard.figures import combine_figures, dashboard_figures, dashboard_figures_by_store
from reports.dashboard.kpis import month_start
from reports.models import APPROVABLE_STATES, EDITABLE_STATES, PackageState, ReportPackage
from reports.packages.snapshot import snapshot_tables


class PackageError(Exception):
    """A step the package's state or the user's role does not allow; the message is for the user."""


# Who takes each step (SPEC §1): the CR manager prepares and submits, the GM approves or returns.
STEP_ROLES = {
    "generate": Role.CR_MANAGER,
    "submit": Role.CR_MANAGER,
    "approve": Role.GENERAL_MANAGER,
    "return": Role.GENERAL_MANAGER,
}


def package_steps_for(user: User) -> dict[str, bool]:
    """The steps the user's roles allow, for the pages' buttons: the services below check the same
    (a superuser holds every permission but not these roles, and is refused here too)."""
    return {step: user.has_role(role) for step, role in STEP_ROLES.items()}


def _check_user(user: User | None, role: str, store_id: int) -> None:
    if user is None:  # the monthly beat task
        return
    if not user.has_role(role):
        raise PackageError(_("您的角色无权执行此操作。"))
    if not user_can_see_store(user, store_id):
        raise PackageError(_("您无权处理该门店的报表。"))


def _history_entry(action: str, user: User | None, now: dt.datetime, comment: str = "") -> dict:
    return {
        "action": action,
        "by": str(user) if user else gettext_noop("系统"),  # a msgid: the page translates it
        "by_id": user.pk if user else None,
        "at": now.isoformat(),
        "comment": comment,
    }


def _snapshot(store: Store, month: dt.date, now: dt.datetime, figures: dict | None = None) -> dict:
    """`figures`: the store's dashboard figures when already computed (the monthly beat computes
    every store's in one batch); otherwise computed here."""
    return {
        "figures": figures if figures is not None else dashboard_figures(store_ids=[store.pk], month=month, now=now),
        "tables": snapshot_tables(store_id=store.pk, month=month),
    }


def report_package_generate(
    *, store: Store, month: dt.date, user: User | None, now: dt.datetime | None = None
) -> ReportPackage:
    """Create the store's package for `month`, or regenerate it while it is a draft or returned.
    A returned package becomes a draft again."""
    now = now or timezone.now()
    month = month_start(month)
    _check_user(user, STEP_ROLES["generate"], store.pk)
    ReportPackage.objects.get_or_create(store=store, month=month)
    with transaction.atomic():
        package = ReportPackage.objects.select_for_update().get(store=store, month=month)
        if package.state not in EDITABLE_STATES:
            raise PackageError(_("已提交或已批准的报表包不能重新生成。"))
        snapshot = _snapshot(store, month, now)
        package.figures, package.tables = snapshot["figures"], snapshot["tables"]
        package.state = PackageState.DRAFT
        package.generated_at, package.generated_by = now, user
        package.history = [*package.history, _history_entry("generate", user, now)]
        package.save()
    return package


def _transition(
    *,
    package: ReportPackage,
    user: User,
    role: str,
    allowed: tuple[str, ...],
    error: str,
    apply,
) -> ReportPackage:
    _check_user(user, role, package.store_id)
    with transaction.atomic():
        locked = ReportPackage.objects.select_for_update().get(pk=package.pk)
        if locked.state not in allowed:
            raise PackageError(error)
        apply(locked)
        locked.save()
    return locked


def report_package_submit(*, package: ReportPackage, user: User, now: dt.datetime | None = None) -> ReportPackage:
    now = now or timezone.now()

    def apply(p: ReportPackage) -> None:
        if not p.generated_at:
            raise PackageError(_("请先生成报表包。"))
        p.state, p.submitted_at, p.submitted_by = PackageState.SUBMITTED, now, user
        p.history = [*p.history, _history_entry("submit", user, now)]

    return _transition(
        package=package,
        user=user,
        role=STEP_ROLES["submit"],
        allowed=EDITABLE_STATES,
        error=_("只有草稿或已退回的报表包可以提交。"),
        apply=apply,
    )


def report_package_approve(*, package: ReportPackage, user: User, now: dt.datetime | None = None) -> ReportPackage:
    now = now or timezone.now()

    def apply(p: ReportPackage) -> None:
        p.state, p.approved_at, p.approved_by = PackageState.APPROVED, now, user
        p.history = [*p.history, _history_entry("approve", user, now)]

    return _transition(
        package=package,
        user=user,
        role=STEP_ROLES["approve"],
        allowed=APPROVABLE_STATES,
        error=_("只有已提交的报表包可以批准。"),
        apply=apply,
    )


def report_package_return(
    *, package: ReportPackage, user: User, comment: str, now: dt.datetime | None = None
) -> ReportPackage:
    now = now or timezone.now()
    comment = (comment or "").strip()
    if not comment:
        raise PackageError(_("退回时请填写意见。"))

    def apply(p: ReportPackage) -> None:
        p.state, p.returned_at, p.returned_by, p.return_comment = PackageState.RETURNED, now, user, comment
        p.history = [*p.history, _history_entry("return", user, now, comment)]

    return _transition(
        package=package,
        user=user,
        role=STEP_ROLES["return"],
        allowed=APPROVABLE_STATES,
        error=_("只有已提交的报表包可以退回。"),
        apply=apply,
    )


def report_packages_draft(*, month: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """The monthly beat: a draft package for every active store that has none for `month` (by
    default last month). Safe to run twice or after a missed day: existing packages — in any
    state — are left alone, and the unique (store, month) constraint stops a concurrent duplicate."""
    now = now or timezone.now()
    month = month_start(month or default_month(now))
    have = set(ReportPackage.objects.filter(month=month).values_list("store_id", flat=True))
    created = 0
    stores = list(Store.objects.filter(is_active=True).exclude(pk__in=have).order_by("code"))
    # Every store's figures in one batch of GROUP BYs (not seven queries per store); each store's
    # frozen figures are its own part, as dashboard_figures(store_ids=[store]) would give.
    by_store = dashboard_figures_by_store(store_ids=[s.pk for s in stores], month=month, now=now) if stores else {}
    for store in stores:
        snapshot = _snapshot(store, month, now, combine_figures([by_store[store.pk]], month=month))
        try:
            with transaction.atomic():
                ReportPackage.objects.create(
                    store=store,
                    month=month,
                    state=PackageState.DRAFT,
                    figures=snapshot["figures"],
                    tables=snapshot["tables"],
                    generated_at=now,
                    history=[_history_entry("generate", None, now)],
                )
        except IntegrityError:  # another run created it meanwhile
            continue
        created += 1
    return created
