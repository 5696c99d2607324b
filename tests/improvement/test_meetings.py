"""Improvement meetings and EQC actions (SPEC §10.5): the meeting's prepared figures, actions from a
weak item, the GM's sign-off, overdue actions on the landing pages, scoping, query counts, table 15."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from callbacks.choices import CallbackKind
from improvement import selectors, services, tasks
from improvement.models import EqcAction, ImprovementMeeting
from tests.improvement.factories import action, answered, local, meeting
from tests.reports.factories import make_case

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 12, 10, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_cr_manager_records_a_meeting_with_last_months_figures(client, store_a, cr_manager):
    # October: service Q8 (shows old parts) is answered 否 by every customer — the weakest question.
    for day in (5, 6, 7):
        answered(store=store_a, kind=CallbackKind.SERVICE, source=local(2026, 10, day, 10), code="Q8", value="否")
    make_case(store=store_a, received_at=local(2026, 10, 9, 9))
    client.force_login(cr_manager)
    response = client.post(
        reverse("improvement:meeting_list"),
        {"store": store_a.pk, "held_on": "2026-11-10", "attendees": "总经理、服务经理", "minutes": "讨论旧件展示"},
    )
    meeting = ImprovementMeeting.objects.get()
    assert response.url == reverse("improvement:meeting_detail", args=[meeting.pk])
    assert meeting.chaired_by == cr_manager and meeting.figures_month == dt.date(2026, 10, 1)
    page = client.get(response.url)
    weakest = page.context["figures"]["weakest"]
    assert (weakest[0]["kind"], weakest[0]["code"], weakest[0]["negative_rate"]) == ("service", "Q8", 1.0)
    assert page.context["figures"]["complaints_received"] == 1
    assert b"VOC" in page.content


def test_a_held_meeting_keeps_the_figures_it_was_held_with(client, store_a, cr_manager):
    """Recorded after it was held, the meeting keeps its prepared figures: later answers and
    complaints of its month do not change what its page shows (the live figures have moved on), and
    the page reads the snapshot with the same shapes as the live figures."""
    for day in (5, 6):
        answered(store=store_a, kind=CallbackKind.SERVICE, source=local(2026, 10, day, 10), code="Q8", value="否")
    make_case(store=store_a, received_at=local(2026, 10, 9, 9))
    held = meeting(store=store_a, held_on=dt.date(2026, 11, 11), chair=cr_manager)  # recorded the next day
    assert held.figures_frozen_at == NOW
    client.force_login(cr_manager)
    before = client.get(reverse("improvement:meeting_detail", args=[held.pk]))
    # Late data of October: more complaints, the Q8 answers now mostly positive.
    for day in (7, 8, 9, 12, 13):
        answered(store=store_a, kind=CallbackKind.SERVICE, source=local(2026, 10, day, 10), code="Q8", value="是")
    make_case(store=store_a, received_at=local(2026, 10, 20, 9))
    services.meeting_update(meeting=held, attendees="总经理", minutes="补记")  # a later save keeps it too
    page = client.get(reverse("improvement:meeting_detail", args=[held.pk]))
    figures = page.context["figures"]
    assert figures["complaints_received"] == 1 and figures["weakest"][0]["negative_rate"] == 1.0
    assert figures["weakest"] == before.context["figures"]["weakest"]
    assert 'data-testid="figures-source"' in page.content.decode() and "会议当时的数据" in page.content.decode()
    live = selectors.meeting_live_figures(meeting=held)
    assert live["complaints_received"] == 2


def test_a_meeting_recorded_well_after_its_date_says_when_its_figures_were_saved(client, store_a, cr_manager):
    """Recorded three weeks after it was held, the snapshot holds the figures of the day it was
    recorded: the page says so, and does not call them the meeting's."""
    late = meeting(store=store_a, held_on=dt.date(2026, 10, 20), chair=cr_manager)
    assert late.figures_frozen_at == NOW and not late.figures_of_meeting_time
    client.force_login(cr_manager)
    page = client.get(reverse("improvement:meeting_detail", args=[late.pk]))
    assert page.context["figures"]["of_meeting_time"] is False
    html = page.content.decode()
    assert "于 2026-11-12 保存的数据" in html and "会议当时的数据（" not in html


def test_meetings_held_before_snapshots_existed_are_not_labelled_as_meeting_time(client, store_a, cr_manager):
    """The first beat run after deploy freezes the meetings already held (as they were rows with no
    snapshot at migration time): an old one is labelled with the day it was saved; one held the day
    before still counts as the meeting's own figures."""
    rows = {
        held_on: ImprovementMeeting.objects.create(
            store=store_a, held_on=held_on, figures_month=dt.date(2026, 8, 1), attendees="经理们", chaired_by=cr_manager
        )
        for held_on in (dt.date(2026, 9, 15), dt.date(2026, 11, 11))
    }
    first_run = local(2026, 11, 12, 23, 50)
    with time_machine.travel(first_run, tick=False):
        assert tasks.meetings_freeze_held() == 2
    old, recent = (ImprovementMeeting.objects.get(pk=m.pk) for m in rows.values())
    assert (old.figures_of_meeting_time, recent.figures_of_meeting_time) == (False, True)
    client.force_login(cr_manager)
    html = client.get(reverse("improvement:meeting_detail", args=[old.pk])).content.decode()
    assert "于 2026-11-12 保存的数据" in html and "会议当时的数据（" not in html
    html = client.get(reverse("improvement:meeting_detail", args=[recent.pk])).content.decode()
    assert "会议当时的数据（2026-11-12 23:50 保存" in html


def test_a_meeting_recorded_ahead_is_live_until_held_then_kept(client, store_a, cr_manager):
    """Recorded before its date it shows live figures; on its day the beat keeps them, once."""
    make_case(store=store_a, received_at=local(2026, 11, 3, 9))
    ahead = meeting(store=store_a, held_on=dt.date(2026, 12, 8), chair=cr_manager)
    assert ahead.figures_snapshot is None
    client.force_login(cr_manager)
    page = client.get(reverse("improvement:meeting_detail", args=[ahead.pk]))
    assert page.context["figures"]["frozen_at"] is None and page.context["figures"]["complaints_received"] == 1
    make_case(store=store_a, received_at=local(2026, 11, 4, 9))
    assert tasks.meetings_freeze_held() == 0  # not held yet
    on_the_day = local(2026, 12, 8, 23, 50)
    with time_machine.travel(on_the_day, tick=False):
        assert tasks.meetings_freeze_held() == 1
        assert tasks.meetings_freeze_held() == 0  # once
    make_case(store=store_a, received_at=local(2026, 11, 5, 9))
    ahead.refresh_from_db()
    assert ahead.figures_frozen_at == on_the_day
    figures = client.get(reverse("improvement:meeting_detail", args=[ahead.pk])).context["figures"]
    assert figures["complaints_received"] == 2


def test_an_action_opened_from_a_weak_item_and_signed_off_by_the_gm(client, store_a, cr_manager, general_manager):
    m = meeting(store=store_a, held_on=dt.date(2026, 11, 10), chair=cr_manager)
    client.force_login(cr_manager)
    page = client.get(reverse("improvement:meeting_detail", args=[m.pk]), {"kind": "service", "code": "Q8"})
    assert page.context["action_form"]["question"].value() == "service:Q8"
    client.post(
        reverse("improvement:action_create", args=[m.pk]),
        {
            "question": "service:Q8",
            "cause_analysis": "未展示",
            "measure": "旧件装袋",
            "owner": "服务经理",
            "due_on": "2026-12-10",
        },
    )
    act = EqcAction.objects.get()
    assert (act.kind, act.question_code, act.question_type, act.decision_month) == (
        "service",
        "Q8",
        "yes_no",
        dt.date(2026, 11, 1),
    )
    assert client.post(reverse("improvement:action_sign_off", args=[act.pk])).status_code == 403  # not the GM
    client.force_login(general_manager)
    client.post(reverse("improvement:action_sign_off", args=[act.pk]), {"note": "同意"})
    act.refresh_from_db()
    assert act.signed_off_by == general_manager and act.sign_off_note == "同意"
    client.post(reverse("improvement:action_sign_off", args=[act.pk]), {"note": "再签"})
    act.refresh_from_db()
    assert act.sign_off_note == "同意"  # signed once


def test_the_overall_question_and_text_questions_are_not_weak_items(store_a):
    m = meeting(store=store_a, held_on=dt.date(2026, 11, 10))
    for code in ("Q1", "Q11", "Q99"):
        with pytest.raises(services.ValidationError):
            action(meeting=m, kind="service", code=code)


def test_another_stores_meeting_and_action_are_404(client, store_b, cr_manager, general_manager):
    m = meeting(store=store_b, held_on=dt.date(2026, 11, 10))
    act = action(meeting=m)
    client.force_login(cr_manager)
    assert client.get(reverse("improvement:meeting_detail", args=[m.pk])).status_code == 404
    assert client.post(reverse("improvement:action_create", args=[m.pk]), {}).status_code == 404
    assert client.post(reverse("improvement:action_complete", args=[act.pk])).status_code == 404
    client.force_login(general_manager)
    assert client.post(reverse("improvement:action_sign_off", args=[act.pk])).status_code == 404
    assert client.get(reverse("improvement:action_list")).context["page_obj"].paginator.count == 0


def test_overdue_actions_on_the_cr_managers_and_gms_landing_pages(
    client, store_a, store_b, cr_manager, general_manager
):
    m = meeting(store=store_a, held_on=dt.date(2026, 10, 8))
    late = action(meeting=m, code="Q8", due_on=dt.date(2026, 11, 11))
    done = action(meeting=m, code="Q4", due_on=dt.date(2026, 11, 1))
    services.eqc_action_complete(action=done)
    action(meeting=m, code="Q5", due_on=dt.date(2026, 11, 12))  # due today: not overdue yet
    action(meeting=meeting(store=store_b, held_on=dt.date(2026, 10, 8)), code="Q2", due_on=dt.date(2026, 10, 20))
    for user in (cr_manager, general_manager):
        client.force_login(user)
        landing = client.get("/", follow=True)
        html = landing.content.decode()
        assert 'data-testid="overdue-actions"' in html, user
        assert late.question_text[:20] in html
        assert done.question_text[:20] not in html
        overdue = client.get(reverse("improvement:action_list"), {"overdue": "1"})
        assert [a.pk for a in overdue.context["actions"]] == [late.pk]


def test_list_pages_query_counts_do_not_grow_with_rows(client, store_a, cr_manager, django_assert_max_num_queries):
    client.force_login(cr_manager)
    m = meeting(store=store_a, held_on=dt.date(2026, 10, 8), chair=cr_manager)
    action(meeting=m, due_on=dt.date(2026, 11, 1))
    action(meeting=m, kind="sales", code="Q3", due_on=dt.date(2026, 11, 1))  # one query per kind
    urls = [
        reverse("improvement:action_list"),
        reverse("improvement:meeting_list"),
        reverse("improvement:meeting_detail", args=[m.pk]),
    ]
    client.get(urls[2])  # the month's dashboard figures are computed and stored once
    with django_assert_max_num_queries(60) as few:
        for url in urls:
            assert client.get(url).status_code == 200
    for held in (dt.date(2026, 8, 3), dt.date(2026, 9, 7)):
        other = meeting(store=store_a, held_on=held, chair=cr_manager)
        for code in ("Q2", "Q3", "Q8"):
            action(meeting=other, kind="service", code=code, due_on=dt.date(2026, 10, 1))
            action(meeting=m, kind="sales", code=code, due_on=dt.date(2026, 12, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        for url in urls:
            assert client.get(url).status_code == 200


def test_a_share_is_a_percentage_in_the_export_and_its_month_in_progress_is_marked(store_a, tmp_path):
    """A yes/no question's result is a share written as a number in the percent format, like every
    rate of the reports; the month in progress (November) carries 进行中 in its format."""
    for month, value in ((8, "是"), (9, "否"), (10, "是"), (11, "是")):
        answered(store=store_a, kind=CallbackKind.SALES, source=local(2026, month, 3, 10), code="Q3", value=value)
    action(meeting=meeting(store=store_a, held_on=dt.date(2026, 9, 10)), kind="sales", code="Q3")
    out = tmp_path / "t15.xlsx"
    call_command("export_report", "eqc_actions", "--month", "2026-09", "--store", store_a.code, "--out", str(out))
    cells = next(r for r in load_workbook(out).active.iter_rows() if r[0].value == 1)[6:10]
    assert [c.value for c in cells] == [pytest.approx(1 / 2), pytest.approx(2 / 3), pytest.approx(2 / 3), None]
    assert [c.number_format for c in cells[:3]] == ["0.0%", "0.0%", '0.0%" 进行中"']


def test_export_has_table_15_headers_and_results(store_a, general_manager, tmp_path):
    for month, score in ((8, 6), (9, 6), (10, 7), (11, 9)):
        answered(store=store_a, kind=CallbackKind.SERVICE, source=local(2026, month, 3, 10), code="Q9", value=score)
    m = meeting(store=store_a, held_on=dt.date(2026, 9, 10))
    act = action(meeting=m, kind="service", code="Q9", due_on=dt.date(2026, 10, 10))
    services.eqc_action_sign_off(action=act, user=general_manager, note="同意")
    out = tmp_path / "t15.xlsx"
    call_command("export_report", "eqc_actions", "--month", "2026-09", "--store", store_a.code, "--out", str(out))
    sheet = load_workbook(out).active
    rows = [r for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]
    header = next(i for i, r in enumerate(rows) if r[0] == "序号")
    assert list(rows[header]) == [
        "序号",
        "弱项名称",
        "原因分析",
        "整改措施",
        "责任人",
        "完成时间",
        "当月结果",
        "+1月结果",
        "+2月结果",
        "+3月结果",
        "检核结果",
        "总经理检核",
    ]
    row = rows[header + 1]
    assert row[1].startswith("Q9 ") and row[4] == "服务经理"
    # M0 = Sep: Jul–Sep (6, 6) → 6.00; Aug–Oct → (6+6+7)/3; Sep–Nov → (6+7+9)/3; +3 (Dec) not begun.
    # Numbers (SPEC §9), a mean in its score format; November, the month in progress, marked so.
    assert row[6:10] == (6, pytest.approx((6 + 6 + 7) / 3), pytest.approx((6 + 7 + 9) / 3), None)
    cells = next(r for r in sheet.iter_rows() if r[0].value == 1)[6:9]
    assert [c.number_format for c in cells] == ['0.00"分"', '0.00"分"', '0.00"分 进行中"']
    assert row[10] is None  # blank until December has ended
    assert "同意" in row[11]
