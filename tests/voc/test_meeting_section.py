"""The improvement meeting opens with the month's VOC topics (issue 14 item 5): the topics customers
spoke of most in the figures month, negative first, with their keywords; another store's are not."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.improvement.factories import meeting
from tests.voc.factories import call_note, complaint, local
from voc import tasks

pytestmark = pytest.mark.django_db


def test_the_meeting_record_lists_last_months_voc_topics(store_a, store_b, cr_manager, client_for):
    with time_machine.travel(local(2026, 11, 12, 10), tick=False):
        complaint(store=store_a, content="洗车不干净", received_at=local(2026, 10, 9, 9))
        complaint(store=store_a, content="车洗得很脏", received_at=local(2026, 10, 19, 9))
        call_note(store=store_a, text="休息区很舒服", at=local(2026, 10, 20, 10))
        complaint(store=store_b, content="价格太贵了", received_at=local(2026, 10, 9, 9))
        tasks.voc_tag_new()
        m = meeting(store=store_a, held_on=dt.date(2026, 11, 10), chair=cr_manager)
        page = client_for(cr_manager).get(reverse("improvement:meeting_detail", args=[m.pk]))
    topics = page.context["figures"]["voc_topics"]
    assert [(t["topic__name"], t["total"], t["negative"]) for t in topics] == [("洗车", 2, 2), ("环境", 1, 0)]
    assert topics[0]["keywords"] == ["洗车(1)", "车洗(1)"]
    assert 'data-testid="voc-topic"' in page.content.decode()
