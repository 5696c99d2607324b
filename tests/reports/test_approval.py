"""Report package approval: generate / regenerate / submit / approve / return, roles and store scope,
immutability of an approved package after new data, and the idempotent monthly beat."""

import datetime as dt

import pytest

from callbacks.choices import TaskState
from reports.dashboard.figures import dashboard_figures
from reports.models import PackageState, ReportPackage
from reports.packages.approval import (
    PackageError,
    report_package_approve,
    report_package_generate,
    report_package_return,
    report_package_submit,
    report_packages_draft,
)
from reports.tasks import draft_monthly_packages
from tests.reports.factories import local, make_case, make_task, service_advisor

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)
NOW = local(2025, 4, 3, 10, 0)


def service_counts(package):
    return package.figures["trend"][-1]["service"]


@pytest.fixture
def march_data(store_a):
    sa = service_advisor(store_a, "周顾问")
    make_task(staff=sa, source=local(2025, 3, 10, 10))
    make_task(staff=sa, source=local(2025, 3, 11, 10), state=TaskState.CLOSED_UNSUCCESSFUL)
    return sa


def test_generate_freezes_figures_and_records_who(store_a, cr_manager, march_data):
    package = report_package_generate(store=store_a, month=dt.date(2025, 3, 17), user=cr_manager, now=NOW)
    assert package.month == MARCH and package.state == PackageState.DRAFT
    assert (package.generated_by, package.generated_at) == (cr_manager, NOW)
    assert package.figures["month"] == "2025-03"
    assert service_counts(package) == {**service_counts(package), "tasks": 2, "successes": 1}
    assert [s["staff_name"] for s in package.figures["staff"]] == ["周顾问"]
    assert package.history[0]["action"] == "generate" and package.history[0]["by"] == str(cr_manager)


def test_draft_may_be_regenerated_and_picks_up_new_data(store_a, cr_manager, march_data):
    package = report_package_generate(store=store_a, month=MARCH, user=cr_manager, now=NOW)
    make_task(staff=march_data, source=local(2025, 3, 20, 10))
    again = report_package_generate(store=store_a, month=MARCH, user=cr_manager, now=NOW + dt.timedelta(hours=1))
    assert again.pk == package.pk and ReportPackage.objects.count() == 1
    assert service_counts(again)["tasks"] == 3
    assert len(again.history) == 2


def test_full_flow_submit_return_regenerate_approve(store_a, cr_manager, general_manager, march_data):
    package = report_package_generate(store=store_a, month=MARCH, user=cr_manager, now=NOW)
    package = report_package_submit(package=package, user=cr_manager, now=NOW)
    assert package.state == PackageState.SUBMITTED and package.submitted_by == cr_manager
    with pytest.raises(PackageError):
        report_package_generate(store=store_a, month=MARCH, user=cr_manager, now=NOW)

    with pytest.raises(PackageError, match="意见"):
        report_package_return(package=package, user=general_manager, comment="  ", now=NOW)
    package = report_package_return(package=package, user=general_manager, comment="投诉数据缺3月31日的", now=NOW)
    assert package.state == PackageState.RETURNED and package.return_comment == "投诉数据缺3月31日的"
    assert package.returned_by == general_manager

    package = report_package_generate(store=store_a, month=MARCH, user=cr_manager, now=NOW)
    assert package.state == PackageState.DRAFT
    package = report_package_submit(package=package, user=cr_manager, now=NOW)
    later = NOW + dt.timedelta(days=1)
    package = report_package_approve(package=package, user=general_manager, now=later)
    assert package.state == PackageState.APPROVED
    assert (package.approved_by, package.approved_at) == (general_manager, later)
    assert [h["action"] for h in package.history] == [
        "generate",
        "submit",
        "return",
        "generate",
        "submit",
        "approve",
    ]


def test_approved_package_never_changes_after_new_data(store_a, cr_manager, general_manager, march_data):
    package = report_package_generate(store=store_a, month=MARCH, user=cr_manager, now=NOW)
    report_package_submit(package=package, user=cr_manager, now=NOW)
    approved = report_package_approve(package=package, user=general_manager, now=NOW)
    frozen = (approved.figures, approved.tables, approved.approved_at, approved.history)

    # Later data for March arrives: a late callback and a complaint.
    make_task(staff=march_data, source=local(2025, 3, 30, 10))
    make_case(store=store_a, received_at=local(2025, 3, 30, 11))

    for attempt in (
        lambda: report_package_generate(store=store_a, month=MARCH, user=cr_manager, now=NOW),
        lambda: report_package_submit(package=approved, user=cr_manager, now=NOW),
        lambda: report_package_approve(package=approved, user=general_manager, now=NOW),
        lambda: report_package_return(package=approved, user=general_manager, comment="重做", now=NOW),
    ):
        with pytest.raises(PackageError):
            attempt()
    assert report_packages_draft(month=MARCH, now=NOW) == 0

    approved.refresh_from_db()
    assert (approved.figures, approved.tables, approved.approved_at, approved.history) == frozen
    assert approved.state == PackageState.APPROVED
    assert service_counts(approved)["tasks"] == 2  # not 3


def test_roles_are_enforced(store_a, agent, cr_manager, general_manager, march_data):
    with pytest.raises(PackageError):
        report_package_generate(store=store_a, month=MARCH, user=general_manager, now=NOW)
    with pytest.raises(PackageError):
        report_package_generate(store=store_a, month=MARCH, user=agent, now=NOW)
    package = report_package_generate(store=store_a, month=MARCH, user=cr_manager, now=NOW)
    with pytest.raises(PackageError):
        report_package_submit(package=package, user=general_manager, now=NOW)
    package = report_package_submit(package=package, user=cr_manager, now=NOW)
    with pytest.raises(PackageError):
        report_package_approve(package=package, user=cr_manager, now=NOW)
    with pytest.raises(PackageError):
        report_package_approve(package=package, user=agent, now=NOW)


def test_other_store_is_refused(store_b, cr_manager):
    with pytest.raises(PackageError):
        report_package_generate(store=store_b, month=MARCH, user=cr_manager, now=NOW)


def test_only_submitted_can_be_approved(store_a, cr_manager, general_manager, march_data):
    package = report_package_generate(store=store_a, month=MARCH, user=cr_manager, now=NOW)
    with pytest.raises(PackageError):
        report_package_approve(package=package, user=general_manager, now=NOW)
    with pytest.raises(PackageError):
        report_package_return(package=package, user=general_manager, comment="x", now=NOW)


def test_monthly_beat_drafts_last_month_once(store_a, store_b, cr_manager, march_data, time_machine):
    ReportPackage.objects.create(store=store_b, month=MARCH, state=PackageState.SUBMITTED, generated_at=NOW)
    time_machine.move_to(NOW)
    assert draft_monthly_packages() == 1  # store B already has one
    assert draft_monthly_packages() == 0
    package = ReportPackage.objects.get(store=store_a, month=MARCH)
    assert package.state == PackageState.DRAFT and package.generated_by is None
    assert service_counts(package)["tasks"] == 2
    assert ReportPackage.objects.get(store=store_b).state == PackageState.SUBMITTED
    # The CR manager can regenerate a drafted package and submit it.
    report_package_submit(package=package, user=cr_manager, now=NOW)


def test_month_must_be_first_day(store_a):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        ReportPackage.objects.create(store=store_a, month=dt.date(2025, 3, 2))


def test_monthly_beat_freezes_each_store_its_own_figures(store_a, store_b, march_data):
    """The beat computes every store's figures in one batch; each package holds exactly what the
    CR manager's "generate" would freeze for that store alone."""
    make_task(staff=service_advisor(store_b, "吴顾问"), source=local(2025, 3, 12, 10))
    assert report_packages_draft(month=MARCH, now=NOW) == 2
    for store, tasks in ((store_a, 2), (store_b, 1)):
        package = ReportPackage.objects.get(store=store, month=MARCH)
        assert package.figures == dashboard_figures(store_ids=[store.pk], month=MARCH, now=NOW)
        assert service_counts(package)["tasks"] == tasks
