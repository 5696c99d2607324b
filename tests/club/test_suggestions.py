"""建议采纳 (SPEC §10.6): a suggestion the store adopted, said on its feedback call (VOC), earns the
customer 200 points once on his valid member card; a customer without one earns nothing."""

import pytest
import time_machine
from django.urls import reverse

from club.choices import EntryKind, Level
from club.models import PointEntry
from club.services import club_settings_save
from tests.club.factories import member_card
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


def _entry(store, customer, text="希望能提供代步车"):
    suggestion(store=store, text=text, source=local(2026, 11, 2, 10), customer=customer)
    tasks.voc_tag_new()
    return VocEntry.objects.get(text=text, needs_feedback=True)


def test_an_adopted_suggestion_earns_its_member_200_points_once_and_counts_for_the_level(store_a, agent):
    card = member_card(store_a, points=2900)
    club_settings_save(store=store_a, silver_from=3000, gold_from=10000)
    entry = _entry(store_a, card.customer)
    said = voc_feedback_record(entry=entry, user=agent, note="已增加两台代步车", adopted=True)
    assert said == [f"会员卡 {card.number} 加 200 积分。"]
    card.refresh_from_db()
    assert card.balance == 3100
    assert card.level == Level.SILVER  # adopted suggestions are points earned
    row = PointEntry.objects.get(kind=EntryKind.SUGGESTION)
    assert (row.card, row.points, row.suggestion, row.created_by) == (card, 200, entry, agent)
    assert row.reason == "希望能提供代步车"
    entry.refresh_from_db()
    assert entry.adopted


def test_the_ledger_row_keeps_no_number_the_customer_said(store_a, agent):
    card = member_card(store_a)
    entry = _entry(store_a, card.customer, text="希望能提供代步车，请回电13912345678")
    voc_feedback_record(entry=entry, user=agent, note="已回电", adopted=True)
    assert PointEntry.objects.get(kind=EntryKind.SUGGESTION).reason == "希望能提供代步车，请回电139****5678"


def test_feedback_without_adoption_or_for_a_non_member_books_nothing(store_a, agent):
    card = member_card(store_a, points=100)
    entry = _entry(store_a, card.customer)
    assert voc_feedback_record(entry=entry, user=agent, note="已回电告知", adopted=False) == []
    other = _entry(store_a, None, text="建议休息区增加充电插座")
    assert voc_feedback_record(entry=other, user=agent, note="已加装插座", adopted=True) == [
        "客户不是有效会员，未加积分。"
    ]
    anonymous = _entry(store_a, None, text="希望延长周末营业时间")
    anonymous.customer = None
    anonymous.save(update_fields=["customer"])
    assert voc_feedback_record(entry=anonymous, user=agent, note="已延长", adopted=True) == [
        "客户不是有效会员，未加积分。"
    ]
    assert not PointEntry.objects.filter(kind=EntryKind.SUGGESTION).exists()


def test_the_feedback_page_books_the_points_and_says_so(store_a, agent, client_for):
    card = member_card(store_a)
    entry = _entry(store_a, card.customer)
    client = client_for(agent)
    page = client.get(reverse("voc:feedback_list")).content.decode()
    assert 'data-testid="feedback-adopted"' in page
    response = client.post(
        reverse("voc:feedback_record", args=[entry.pk]), {"note": "已增加代步车", "adopted": "on"}, follow=True
    )
    assert f"会员卡 {card.number} 加 200 积分" in response.content.decode()
    done = client.get(reverse("voc:feedback_list"), {"state": "done"}).content.decode()
    assert 'data-testid="adopted"' in done
    # a second submit (a stale tab) records nothing and books nothing more
    client.post(reverse("voc:feedback_record", args=[entry.pk]), {"note": "again", "adopted": "on"})
    assert PointEntry.objects.filter(kind=EntryKind.SUGGESTION).count() == 1
