"""Suggestions that ask for something get their feedback call (seed 003): the list of those waiting,
who called and when, recorded once, store-scoped."""

import pytest
import time_machine
from django.urls import reverse

from tests.concurrency import run_at_once
from tests.voc.factories import local, suggestion
from voc import tasks
from voc.models import VocEntry
from voc.services import voc_feedback_record

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 20, 10, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_suggestion_waits_for_its_feedback_call_until_an_agent_records_it(store_a, agent, client_for):
    suggestion(store=store_a, text="希望能提供代步车", source=local(2026, 11, 2, 10))
    suggestion(store=store_a, text="没有", source=local(2026, 11, 3, 10))
    tasks.voc_tag_new()
    client = client_for(agent)
    page = client.get(reverse("voc:feedback_list"))
    assert [r["text"] for r in page.context["rows"]] == ["希望能提供代步车"]
    entry = page.context["rows"][0]["entry"]
    response = client.post(reverse("voc:feedback_record", args=[entry.pk]), {"note": "已增加代步车，客户满意"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.feedback_by == agent and entry.feedback_at == NOW and entry.feedback_note == "已增加代步车，客户满意"
    assert client.get(reverse("voc:feedback_list")).context["rows"] == []
    done = client.get(reverse("voc:feedback_list"), {"state": "done"}).context["rows"]
    assert [r["entry"].pk for r in done] == [entry.pk]


def test_another_stores_agent_neither_sees_nor_records_it(store_a, agent_b, client_for):
    suggestion(store=store_a, text="建议增加充电插座", source=local(2026, 11, 2, 10))
    tasks.voc_tag_new()
    entry = VocEntry.objects.get()
    client = client_for(agent_b)
    assert client.get(reverse("voc:feedback_list")).context["rows"] == []
    assert client.post(reverse("voc:feedback_record", args=[entry.pk]), {"note": "x"}).status_code == 404


def test_the_gm_reads_but_does_not_call(store_a, general_manager, client_for):
    assert client_for(general_manager).get(reverse("voc:feedback_list")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_agents_recording_at_once_record_once(store_a, agent):
    from tests.factories import UserFactory

    other = UserFactory(username="dora", roles=["callback_agent"], stores=[store_a])
    suggestion(store=store_a, text="希望延长营业时间", source=local(2026, 11, 2, 10))
    tasks.voc_tag_new()
    entry = VocEntry.objects.get()

    def record(user):
        try:
            voc_feedback_record(entry=entry, user=user, note=f"{user.username} 已回电")
            return "recorded"
        except Exception:  # the loser's ValidationError
            return "refused"

    assert sorted(run_at_once(record, args=[(agent,), (other,)])) == ["recorded", "refused"]
    entry.refresh_from_db()
    assert entry.feedback_note.endswith("已回电")


def test_the_feedback_list_queries_do_not_grow_with_rows(store_a, agent, client_for, django_assert_max_num_queries):
    """Both tabs, waiting and done (the done rows show who called): constant in the rows."""
    client = client_for(agent)
    url = reverse("voc:feedback_list")

    def add(n: int) -> None:
        for i in range(n):
            suggestion(store=store_a, text=f"希望能提供代步车{i}", source=local(2026, 11, 2 + i, 10))
        tasks.voc_tag_new()
        for entry in VocEntry.objects.filter(needs_feedback=True, feedback_at=None)[: n // 2 or 1]:
            voc_feedback_record(entry=entry, user=agent, note="已回电")

    add(2)
    with django_assert_max_num_queries(25) as few_open:
        assert len(client.get(url).context["rows"]) == 1
    with django_assert_max_num_queries(25) as few_done:
        assert len(client.get(url, {"state": "done"}).context["rows"]) == 1
    add(8)
    with django_assert_max_num_queries(len(few_open.captured_queries)):
        assert len(client.get(url).context["rows"]) == 5
    with django_assert_max_num_queries(len(few_done.captured_queries)):
        assert len(client.get(url, {"state": "done"}).context["rows"]) == 5
