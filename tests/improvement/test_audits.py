"""File audits (SPEC §10.4, table 14): the weekly sample, the checklist, the export."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from crm.choices import Role
from improvement import audits
from improvement.choices import AUDIT_SAMPLE_SIZE, AuditStatus, FileKind
from improvement.models import FileAudit
from improvement.tasks import file_audits_sample_due
from tests.factories import DeliveryFactory, RepairOrderFactory, StaffFactory, UserFactory
from tests.improvement.factories import local

pytestmark = pytest.mark.django_db

WEEK = dt.date(2026, 10, 26)  # a Monday; the week runs to Sunday 1 Nov (a month edge)
DRAWN_ON = dt.date(2026, 11, 2)  # the next Monday


def _week_files(store, *, deliveries=15, ros=12, prefix=""):
    for i in range(deliveries):
        DeliveryFactory(store=store, delivery_no=f"{prefix}D{i:03d}", delivered_on=WEEK + dt.timedelta(days=i % 7))
    for i in range(ros):
        RepairOrderFactory(
            store=store,
            ro_no=f"{prefix}R{i:03d}",
            opened_at=local(2026, 10, 26, 8) + dt.timedelta(days=i % 7),
            delivered_at=local(2026, 10, 26, 17) + dt.timedelta(days=i % 7),
        )


def _sample(store) -> set[str]:
    return {a.file_no for a in FileAudit.objects.filter(store=store).select_related("delivery", "repair_order")}


def test_ten_of_each_kind_from_the_previous_week_and_reproducible(store_a, store_b):
    _week_files(store_a)
    _week_files(store_b, prefix="B")
    assert audits.audit_week_for(DRAWN_ON) == WEEK
    assert audits.file_audit_sample(store=store_a, week=WEEK) == 2 * AUDIT_SAMPLE_SIZE
    first = _sample(store_a)
    kinds = list(FileAudit.objects.filter(store=store_a).order_by("position").values_list("kind", flat=True))
    assert kinds == [FileKind.SALES] * AUDIT_SAMPLE_SIZE + [FileKind.SERVICE] * AUDIT_SAMPLE_SIZE
    assert not any(no.startswith("B") for no in first)  # store-scoped: only the store's own files

    # Drawn again after rows of other weeks (and other stores) arrived: the same sample.
    FileAudit.objects.all().delete()
    DeliveryFactory(store=store_a, delivery_no="D000-early", delivered_on=WEEK - dt.timedelta(days=1))
    DeliveryFactory(store=store_a, delivery_no="A-next", delivered_on=WEEK + dt.timedelta(days=7))
    RepairOrderFactory(store=store_a, ro_no="R-next", delivered_at=local(2026, 11, 2, 0, 10))
    _week_files(store_b, prefix="C")
    audits.file_audit_sample(store=store_a, week=WEEK)
    assert _sample(store_a) == first


def test_week_bounds_are_local_monday_to_sunday_and_fewer_files_are_all_taken(store_a):
    DeliveryFactory(store=store_a, delivery_no="MON", delivered_on=WEEK)
    DeliveryFactory(store=store_a, delivery_no="SUN", delivered_on=WEEK + dt.timedelta(days=6))
    DeliveryFactory(store=store_a, delivery_no="NEXT-MON", delivered_on=WEEK + dt.timedelta(days=7))
    RepairOrderFactory(store=store_a, ro_no="SUN-LATE", delivered_at=local(2026, 11, 1, 23, 50))
    RepairOrderFactory(store=store_a, ro_no="MON-EARLY", delivered_at=local(2026, 11, 2, 0, 5))
    RepairOrderFactory(store=store_a, ro_no="SUN-BEFORE", delivered_at=local(2026, 10, 25, 23, 59))
    RepairOrderFactory(store=store_a, ro_no="NOT-DELIVERED", delivered_at=None)
    audits.file_audit_sample(store=store_a, week=WEEK)
    assert _sample(store_a) == {"MON", "SUN", "SUN-LATE"}


def test_sampling_twice_or_after_late_imports_creates_nothing(store_a):
    _week_files(store_a, deliveries=3, ros=2)
    assert audits.file_audit_sample(store=store_a, week=WEEK) == 5
    DeliveryFactory(store=store_a, delivery_no="LATE", delivered_on=WEEK)
    assert audits.file_audit_sample(store=store_a, week=WEEK) == 0
    assert FileAudit.objects.filter(store=store_a).count() == 5


def test_the_beat_task_on_any_day_of_the_week_draws_the_previous_week_once(store_a, store_b):
    _week_files(store_a, deliveries=2, ros=1)
    assert file_audits_sample_due(DRAWN_ON.isoformat()) == {store_a.code: 3, store_b.code: 0}
    # A missed Monday: Wednesday's run finds the week drawn (and would draw the same one).
    assert file_audits_sample_due((DRAWN_ON + dt.timedelta(days=2)).isoformat()) == {store_a.code: 0, store_b.code: 0}
    with time_machine.travel(local(2026, 11, 3, 6, 30), tick=False):
        assert file_audits_sample_due() == {store_a.code: 0, store_b.code: 0}
    assert FileAudit.objects.count() == 3


def test_the_command_samples_a_given_week_and_store(store_a, store_b, capsys):
    _week_files(store_a, deliveries=2, ros=2)
    call_command("sample_file_audits", "--week", "2026-10-28", "--store", store_a.code)
    assert capsys.readouterr().out.strip() == f"{store_a.code} week 2026-10-26: created 4"
    assert not FileAudit.objects.filter(store=store_b).exists()


def test_the_beat_entry_is_declared(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["improvement-file-audits-sample"]
    assert entry["task"] == "improvement.tasks.file_audits_sample_due"
    assert entry["options"]["expire_seconds"] > 0
    call_command("beat_schedule")
    call_command("beat_schedule", "--check")


@pytest.fixture
def agent(store_a):
    return UserFactory(roles=[Role.CALLBACK_AGENT], stores=[store_a])


def _checklist_url(store, week=WEEK):
    return reverse("improvement:audit_checklist", args=[store.pk, week.isoformat()])


def test_the_agent_records_findings_with_a_staff_member_of_the_store(client, store_a, store_b, agent):
    _week_files(store_a, deliveries=2, ros=1)
    audits.file_audit_sample(store=store_a, week=WEEK)
    rows = list(FileAudit.objects.filter(store=store_a).order_by("position"))
    mine, theirs = StaffFactory(store=store_a), StaffFactory(store=store_b)
    client.force_login(agent)
    data = {
        f"a{rows[0].pk}-status": AuditStatus.NORMAL,
        f"a{rows[1].pk}-status": AuditStatus.ABNORMAL,
        f"a{rows[1].pk}-abnormal_description": "缺客户签字",
        f"a{rows[1].pk}-improvement_measure": "补签",
        f"a{rows[1].pk}-responsible": str(theirs.pk),
    }
    response = client.post(_checklist_url(store_a), data)
    assert response.status_code == 200  # another store's staff is not a choice: nothing saved
    assert not FileAudit.objects.exclude(status="").exists()
    data[f"a{rows[1].pk}-responsible"] = str(mine.pk)
    assert client.post(_checklist_url(store_a), data).status_code == 302
    rows = list(FileAudit.objects.filter(store=store_a).order_by("position"))
    assert [r.status for r in rows] == [AuditStatus.NORMAL, AuditStatus.ABNORMAL, ""]
    assert rows[1].responsible == mine and rows[1].checked_by == agent


def test_abnormal_needs_a_description(client, store_a, agent):
    _week_files(store_a, deliveries=1, ros=0)
    audits.file_audit_sample(store=store_a, week=WEEK)
    audit = FileAudit.objects.get(store=store_a)
    client.force_login(agent)
    client.post(_checklist_url(store_a), {f"a{audit.pk}-status": AuditStatus.ABNORMAL})
    audit.refresh_from_db()
    assert audit.status == ""


def test_another_stores_checklist_is_404(client, store_a, store_b, agent):
    _week_files(store_b, deliveries=2, ros=0, prefix="B")
    audits.file_audit_sample(store=store_b, week=WEEK)
    client.force_login(agent)
    assert client.get(_checklist_url(store_b)).status_code == 404
    assert client.get(reverse("improvement:audit_weeks")).context["page_obj"].paginator.count == 0


def test_audit_pages_query_counts_do_not_grow_with_rows(client, store_a, agent, django_assert_max_num_queries):
    client.force_login(agent)
    _week_files(store_a, deliveries=2, ros=1)
    audits.file_audit_sample(store=store_a, week=WEEK)
    with django_assert_max_num_queries(20) as few:
        assert client.get(_checklist_url(store_a)).status_code == 200
        assert client.get(reverse("improvement:audit_weeks")).status_code == 200
    _week_files(store_a, deliveries=15, ros=15, prefix="X")
    for back in range(1, 4):
        audits.file_audit_sample(store=store_a, week=WEEK - dt.timedelta(days=7 * back))
    FileAudit.objects.all().delete()
    audits.file_audit_sample(store=store_a, week=WEEK)
    StaffFactory.create_batch(5, store=store_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(_checklist_url(store_a)).status_code == 200
        assert client.get(reverse("improvement:audit_weeks")).status_code == 200


def test_export_has_table_14_headers_and_the_weeks_of_the_month(store_a, store_b, tmp_path):
    _week_files(store_a, deliveries=1, ros=1)
    audits.file_audit_sample(store=store_a, week=WEEK)  # Monday 26 Oct: October's, though it ends in November
    audit = FileAudit.objects.get(store=store_a, kind=FileKind.SALES)
    audits.file_audit_record(
        audit=audit,
        user=None,
        status=AuditStatus.ABNORMAL,
        abnormal_description="缺签字",
        improvement_measure="补签",
        responsible=StaffFactory(store=store_a, name="李四"),
    )
    out = tmp_path / "t14.xlsx"
    call_command("export_report", "file_audits", "--month", "2026-10", "--store", store_a.code, "--out", str(out))
    rows = [r for r in load_workbook(out).active.iter_rows(values_only=True) if any(v is not None for v in r)]
    header = next(i for i, r in enumerate(rows) if r[0] == "序号")
    assert list(rows[header]) == [
        "序号",
        "档案类别",
        "销售协议号/维修工单号",
        "检核状态",
        "异常状态描述",
        "改进建议和措施",
        "问题责任人",
    ]
    assert list(rows[header + 1]) == [1, "售前", audit.delivery.delivery_no, "异常", "缺签字", "补签", "李四"]
    assert rows[header + 2][1] == "售后" and rows[header + 2][3] is None
    november = tmp_path / "t14-11.xlsx"
    call_command("export_report", "file_audits", "--month", "2026-11", "--out", str(november))
    assert not any(r[1] == "售前" for r in load_workbook(november).active.iter_rows(values_only=True))


def test_a_several_stores_export_groups_and_numbers_the_audits_per_store(store_a, store_b, tmp_path):
    """SPEC's headers stay (no 门店 column): each store's audits follow a line naming the store and
    are numbered from 1; one store's export has no such line."""
    _week_files(store_a, deliveries=2, ros=1)
    _week_files(store_b, deliveries=1, ros=2, prefix="B")
    audits.file_audit_sample(store=store_a, week=WEEK)
    audits.file_audit_sample(store=store_b, week=WEEK)
    out = tmp_path / "t14-all.xlsx"
    call_command("export_report", "file_audits", "--month", "2026-10", "--out", str(out))
    rows = [r for r in load_workbook(out).active.iter_rows(values_only=True) if any(v is not None for v in r)]
    header = next(i for i, r in enumerate(rows) if r[0] == "序号")
    assert len(rows[header]) == 7
    body = [r[:3] for r in rows[header + 1 : header + 9]]
    first, second = sorted([store_a, store_b], key=lambda s: s.code)  # stores in code order
    assert [r[0] for r in body] == [first.name, 1, 2, 3, second.name, 1, 2, 3]
    b_rows = body[1:4] if first == store_b else body[5:]
    assert {r[2] for r in b_rows} == {"BD000", "BR000", "BR001"}
    one = tmp_path / "t14-a.xlsx"
    call_command("export_report", "file_audits", "--month", "2026-10", "--store", store_a.code, "--out", str(one))
    numbers = [r[0] for r in load_workbook(one).active.iter_rows(values_only=True)]
    assert store_a.name not in numbers and [n for n in numbers if isinstance(n, int)] == [1, 2, 3]


def test_an_outage_longer_than_a_week_loses_no_weeks_sample(store_a):
    _week_files(store_a, deliveries=2, ros=1)  # in WEEK
    # The worker was down from WEEK's Monday to two weeks later: WEEK is no longer "the previous week".
    later = DRAWN_ON + dt.timedelta(weeks=2)
    assert file_audits_sample_due(later.isoformat())[store_a.code] == 3
    assert set(FileAudit.objects.values_list("week", flat=True)) == {WEEK}


def test_a_second_worker_drawing_the_same_week_reports_nothing_created(store_a, monkeypatch):
    _week_files(store_a, deliveries=2, ros=1)
    assert audits.file_audit_sample(store=store_a, week=WEEK) == 3
    # As if the second worker read "not drawn yet" before the first committed: the constraint decides.
    monkeypatch.setattr(audits.FileAudit.objects, "filter", lambda **kw: audits.FileAudit.objects.none())
    assert audits.file_audit_sample(store=store_a, week=WEEK) == 0
    monkeypatch.undo()
    assert FileAudit.objects.count() == 3
