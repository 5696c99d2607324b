"""The tagging runs: every source becomes an entry with its store, month, department and staff; the
beat task run twice creates no duplicate; two runs at once neither; `tag_voc --month` re-tags a month
after the topic list changed."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction

from callbacks.hot_alerts import AGENT_GRUMBLE_REASON
from callbacks.models import HotAlert
from crm.choices import StaffRole
from retention.models import OutreachAttempt, OutreachTask
from surveys.choices import QuestionType
from surveys.models import Answer, Question
from surveys.services import answer_reason, verbatim_line
from tests.concurrency import run_at_once
from tests.factories import CustomerFactory, StaffFactory
from tests.voc.factories import call_note, complaint, local, suggestion
from voc import tasks
from voc.choices import VocSource
from voc.models import VocCursor, VocEntry, VocMention, VocTopic

pytestmark = pytest.mark.django_db(transaction=False)

NOW = local(2026, 11, 20, 10, 0)

# The finance question of the service questionnaire, answered 否 (its negative answer).
FINANCE_QUESTION = "请问,结算时您对财务人员的工作效率及服务态度是否满意?"


def negative_answer_line(code: str, text: str) -> str:
    """A hot-alert reason line exactly as surveys.services writes it for a negative yes/no answer."""
    question = Question(code=code, text=text, type=QuestionType.YES_NO, negative_answer="否")
    return answer_reason(question, Answer(question=question, yes=False))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _verbatims(store):
    advisor = StaffFactory(store=store, name="钱顾问", role=StaffRole.SERVICE_ADVISOR)
    task = suggestion(store=store, text="希望能提供代步车", source=local(2026, 11, 2, 10), staff=advisor)
    call_note(store=store, text="客户抱怨等了2个小时", at=local(2026, 11, 5, 11), staff=advisor)
    complaint(store=store, content="洗车不干净", demand="重新洗车", received_at=local(2026, 10, 31, 23, 30))
    return task


def test_every_source_becomes_an_entry_counted_where_it_belongs(store_a):
    task = _verbatims(store_a)
    reasons = [negative_answer_line("Q5", "服务顾问是否按时交车？")]
    HotAlert.objects.create(task=task, raised_at=local(2026, 11, 6, 9), reasons=reasons)
    counts = tasks.voc_tag_new()
    assert counts[VocSource.SURVEY_ANSWER] == 1 and counts[VocSource.CALL_NOTE] == 1
    assert counts[VocSource.COMPLAINT] == 1 and counts[VocSource.HOT_ALERT] == 1
    survey = VocEntry.objects.get(source=VocSource.SURVEY_ANSWER)
    assert (survey.department, survey.staff.name, survey.month) == ("service", "钱顾问", dt.date(2026, 11, 1))
    assert survey.needs_feedback and survey.customer_id == task.customer_id
    note = VocEntry.objects.get(source=VocSource.CALL_NOTE)
    assert {m.topic.name for m in note.mentions.all()} == {"等待时间"} and note.polarity == -1
    case = VocEntry.objects.get(source=VocSource.COMPLAINT)
    # Received at 23:30 on 31 October Shanghai time: an October verbatim (the local month).
    assert case.month == dt.date(2026, 10, 1) and case.text == "洗车不干净\n要求：重新洗车"
    assert {m.topic.name for m in case.mentions.all()} == {"洗车"}


def test_the_task_run_twice_creates_no_duplicates(store_a):
    _verbatims(store_a)
    tasks.voc_tag_new()
    entries, mentions = VocEntry.objects.count(), VocMention.objects.count()
    assert tasks.voc_tag_new() == dict.fromkeys(VocSource.values, 0)
    assert (VocEntry.objects.count(), VocMention.objects.count()) == (entries, mentions) == (3, 3)
    # A new call note after the run: the next run reads it alone (the cursor).
    call_note(store=store_a, text="休息区很舒服", at=local(2026, 11, 19, 15))
    assert tasks.voc_tag_new()[VocSource.CALL_NOTE] == 1
    assert VocEntry.objects.count() == 4


def test_a_month_tagged_again_keeps_the_feedback_and_follows_the_topic_list(store_a, agent):
    from voc.services import voc_feedback_record

    _verbatims(store_a)
    tasks.voc_tag_new()
    entry = VocEntry.objects.get(source=VocSource.SURVEY_ANSWER)
    voc_feedback_record(entry=entry, user=agent, note="已增加两台代步车，客户表示感谢")
    VocTopic.objects.create(name="代步车", keywords="代步车", order=99)
    call_command("tag_voc", "--month", "2026-11", "--store", store_a.code)
    entry.refresh_from_db()
    assert entry.feedback_by == agent and entry.needs_feedback
    assert {m.topic.name for m in entry.mentions.all()} == {"代步车"}
    assert VocEntry.objects.count() == 3  # October's complaint untouched, nothing doubled


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_tag_each_verbatim_once(store_a):
    _verbatims(store_a)
    results = run_at_once(lambda: tasks.voc_tag_new(), args=[(), ()])
    assert sum(sum(r.values()) for r in results) == 3
    assert VocEntry.objects.count() == 3 and VocMention.objects.count() == 3
    assert VocCursor.objects.count() == len(VocSource.values)


def test_outreach_words_are_verbatims(store_a):
    task = OutreachTask.objects.create(
        store=store_a,
        kind="periodic_service",
        customer=CustomerFactory(store=store_a),
        window_opens_at=local(2026, 11, 1, 9),
        window_closes_at=local(2026, 11, 10, 18),
    )
    OutreachAttempt.objects.create(
        task=task, contacted_at=local(2026, 11, 3, 10), result="not_interested", customer_words="工时费太贵了"
    )
    tasks.voc_tag_new()
    entry = VocEntry.objects.get(source=VocSource.OUTREACH_NOTE)
    assert entry.store_id == store_a.pk and {m.topic.name for m in entry.mentions.all()} == {"价格"}


def test_a_hot_alert_entry_keeps_its_negative_answers_only(store_a):
    """The agent's grumble mark and the customer's own words (written by callbacks and surveys, the
    marks imported from callbacks.hot_alerts) are not what the alert's entry says of a topic."""
    task = _verbatims(store_a)
    words = verbatim_line(Question(code="Q11"), "交车太慢了")
    line = negative_answer_line("Q10", FINANCE_QUESTION)
    assert line == f"Q10 否：{FINANCE_QUESTION}"  # the format the alert really carries
    HotAlert.objects.create(task=task, raised_at=local(2026, 11, 6, 9), reasons=[AGENT_GRUMBLE_REASON, line, words])
    tasks.voc_tag_new()
    assert VocEntry.objects.get(source=VocSource.HOT_ALERT).text == line


def test_a_weak_answer_criticises_the_topics_its_question_names(store_a):
    """A negative answer's line is the question's wording, not the customer's: its 满意 is no
    praise. The topics the question names (结算 → 价格, 服务态度) are negative mentions."""
    task = _verbatims(store_a)
    reasons = [negative_answer_line("Q10", FINANCE_QUESTION), negative_answer_line("Q3", "您对本次服务是否满意?")]
    HotAlert.objects.create(task=task, raised_at=local(2026, 11, 6, 9), reasons=reasons)
    tasks.voc_tag_new()
    entry = VocEntry.objects.get(source=VocSource.HOT_ALERT)
    mentions = {(m.topic.name, m.polarity) for m in entry.mentions.all()}
    assert mentions == {("价格", -1), ("服务态度", -1)}
    assert entry.polarity == -1


class _OpenInsert:
    """A call note inserted in another connection's transaction, left open until `commit()`: its id
    is given at the insert, its row visible to others only at the commit (a slow import)."""

    def __init__(self, *, store, staff, text: str):
        self.inserted, self.release = threading.Event(), threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._work, args=(store, staff, text))

    def _work(self, store, staff, text):
        try:
            with transaction.atomic():
                self.note = call_note(store=store, text=text, at=local(2026, 11, 19, 15), staff=staff)
                self.inserted.set()
                assert self.release.wait(30)
        except BaseException as exc:
            self.errors.append(exc)
            self.inserted.set()
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.inserted.wait(30) and not self.errors
        return self

    def commit(self):
        self.release.set()
        self.thread.join(30)
        assert not self.errors

    def __exit__(self, *exc):
        if self.thread.is_alive():
            self.commit()


def _entry_texts(source=VocSource.CALL_NOTE):
    return sorted(VocEntry.objects.filter(source=source).values_list("text", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_row_that_commits_after_a_newer_one_is_tagged_by_the_next_run(store_a):
    """Row N is inserted in an open transaction, N+1 commits, the run reads N+1 (the cursor passes N);
    once N commits, the next run tags it (the look-back), and the one after tags nothing twice."""
    staff = StaffFactory(store=store_a, role=StaffRole.SERVICE_ADVISOR)
    with _OpenInsert(store=store_a, staff=staff, text="洗车不干净") as late:
        newer = call_note(store=store_a, text="等了2个小时", at=local(2026, 11, 19, 16), staff=staff)
        assert newer.pk > late.note.pk
        assert tasks.voc_tag_new()[VocSource.CALL_NOTE] == 1
        assert VocCursor.objects.get(source=VocSource.CALL_NOTE).last_id == newer.pk
        late.commit()
    assert tasks.voc_tag_new()[VocSource.CALL_NOTE] == 1
    assert _entry_texts() == ["洗车不干净", "等了2个小时"]
    late_entry = VocEntry.objects.get(source=VocSource.CALL_NOTE, source_id=late.note.pk)
    assert {(m.topic.name, m.polarity) for m in late_entry.mentions.all()} == {("洗车", -1)}
    mentions = VocMention.objects.count()
    assert tasks.voc_tag_new()[VocSource.CALL_NOTE] == 0
    assert VocMention.objects.count() == mentions and VocEntry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_row_committed_later_than_the_window_waits_for_the_nightly_run(store_a):
    """The 15-minute run looks back an hour; a transaction open longer is caught by the nightly run,
    which looks back a day. The floor settles once its run is an hour old."""
    from voc.services import LATE_COMMIT_WINDOW, voc_tag_late

    staff = StaffFactory(store=store_a, role=StaffRole.SERVICE_ADVISOR)
    with _OpenInsert(store=store_a, staff=staff, text="洗车不干净") as late:
        newer = call_note(store=store_a, text="等了2个小时", at=local(2026, 11, 19, 16), staff=staff)
        tasks.voc_tag_new()
        with time_machine.travel(NOW + LATE_COMMIT_WINDOW + dt.timedelta(minutes=15), tick=False):
            tasks.voc_tag_new()
            assert VocCursor.objects.get(source=VocSource.CALL_NOTE).settled_id == newer.pk
            late.commit()
            tasks.voc_tag_new()
            assert _entry_texts() == ["等了2个小时"]  # past the hour's look-back
        with time_machine.travel(NOW + dt.timedelta(hours=16), tick=False):
            assert voc_tag_late()[VocSource.CALL_NOTE] == 1
    assert _entry_texts() == ["洗车不干净", "等了2个小时"]


def test_a_complaint_counts_against_the_staff_member_complained_about(store_a):
    """The case's 相关责任人, not its handler: on the entry and on its mentions (the VOC page's by-staff
    counts). Named after the complaint was tagged, the nightly run moves the entry to them."""
    from voc.services import voc_tag_late

    advisor = StaffFactory(store=store_a, name="孙顾问", role=StaffRole.SERVICE_ADVISOR)
    with time_machine.travel(local(2026, 11, 18, 11), tick=False):
        case = complaint(store=store_a, content="服务顾问态度很差", received_at=local(2026, 11, 18, 10))
        case.complained_staff = advisor
        case.save(update_fields=["complained_staff", "updated_at"])
        tasks.voc_tag_new()
    entry = VocEntry.objects.get(source=VocSource.COMPLAINT)
    assert entry.staff == advisor
    assert {(m.topic.name, m.staff_id, m.polarity) for m in entry.mentions.all()} == {("服务态度", advisor.pk, -1)}

    later = complaint(store=store_a, content="洗车不干净", received_at=local(2026, 11, 19, 10))
    tasks.voc_tag_new()
    assert VocEntry.objects.get(source_id=later.pk, source=VocSource.COMPLAINT).staff is None
    later.complained_staff = advisor
    later.save(update_fields=["complained_staff", "updated_at"])
    assert voc_tag_late()[VocSource.COMPLAINT] == 1  # the one edited in the last day
    entry = VocEntry.objects.get(source_id=later.pk, source=VocSource.COMPLAINT)
    assert entry.staff == advisor and {m.staff_id for m in entry.mentions.all()} == {advisor.pk}
