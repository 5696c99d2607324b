"""Tagging of real seed phrases (seed 004's verbatims, seed 001's suggestions): segmentation with the
domain dictionary, topics by keyword, polarity per clause, suggestions that ask for something."""

import pytest

from tests.concurrency import run_at_once
from tests.factories import StaffFactory
from voc import segmentation
from voc.models import VocTopic
from voc.services import voc_topic_rules
from voc.tagging import TopicRule, asks_for_something, keyword_matches, tag_text, topic_lexicon

pytestmark = pytest.mark.django_db


def tagged(text, **kwargs):
    rules = voc_topic_rules()
    names = {r.id: r.name for r in rules}
    result = tag_text(text, rules, **kwargs)
    by_topic: dict[str, int] = {}
    for (topic_id, _kw), polarity in result.mentions.items():
        by_topic[names[topic_id]] = min(by_topic.get(names[topic_id], 1), polarity)
    return result, by_topic


def test_the_seed_phrases_get_their_topics_and_polarity():
    assert tagged("洗车不干净")[1] == {"洗车": -1}
    assert tagged("等了2个小时")[1] == {"等待时间": -1}
    assert tagged("休息区很舒服")[1] == {"环境": 1}  # praise of the lounge
    assert tagged("价格太贵了")[1] == {"价格": -1}
    assert tagged("保养后发动机有异响，回去开了两天还是响。")[1] == {"维修质量": -1}


@pytest.mark.parametrize(
    "text",
    [
        "小时候就在这里买车",  # 小时 is part of the word 小时候, not waiting time
        "下车洗手间在哪里都找不到",  # 车洗 spans 下车 + 洗手间: no car wash
    ],
)
def test_a_keyword_never_matches_part_of_a_word(text):
    topics = tagged(text)[1]
    assert "等待时间" not in topics and "洗车" not in topics


def test_a_keyword_matches_a_word_or_a_run_of_words():
    assert tagged("下车洗手间在哪里都找不到")[1] == {"环境": 0}  # the word 洗手间 still counts
    # 服务态度 is one word; 服务 + 态度 as two words make a run; 服务的态度 is neither.
    assert tagged("服务态度差")[1] == {"服务态度": -1}
    # On the words themselves (jieba is taught the keywords whole, so a run is its fallback).
    lexicon = topic_lexicon((TopicRule(id=1, name="服务态度", keywords=("服务态度", "态度")),))
    assert keyword_matches(["服务", "态度", "差"], lexicon) == [(1, "服务态度"), (1, "态度")]
    assert keyword_matches(["服务", "的", "态度"], lexicon) == [(1, "态度")]
    assert keyword_matches(["服务态", "度差"], lexicon) == []


def test_each_clause_keeps_its_own_polarity():
    result, topics = tagged("休息区很舒服，但是洗车不干净")
    assert topics == {"环境": 1, "洗车": -1}
    assert result.words == ["休息区", "很", "舒服", "洗车", "不", "干净"]


def test_a_complaint_is_negative_where_its_words_say_nothing():
    result, topics = tagged("建议休息区增加充电插座。")
    assert topics == {"环境": 0} and result.polarity == 0
    result, topics = tagged("配件等了两周还没到货", negative_by_nature=True)
    assert result.polarity == -1 and topics["配件"] == -1


def test_a_weak_answer_reads_no_praise_in_the_question():
    """满意 in a question's wording is not the customer's praise: as a weak answer every topic the
    question names is negative, and the text is negative as a whole."""
    line = "Q10 否：请问,结算时您对财务人员的工作效率及服务态度是否满意?"
    assert tagged(line)[1] == {"价格": 1, "服务态度": 1}  # what reading it as words would say
    result, topics = tagged(line, weak_answer=True)
    assert topics == {"价格": -1, "服务态度": -1} and result.polarity == -1
    result, topics = tagged("Q7 3分：您对休息区的环境是否满意？", weak_answer=True)
    assert topics == {"环境": -1} and result.polarity == -1


def test_domain_words_and_staff_names_stay_whole(store_a):
    StaffFactory(store=store_a, name="欧阳晓峰")
    result, _topics = tagged("欧阳晓峰换的机油滤芯有问题")
    assert "欧阳晓峰" in result.words and "机油滤芯" in result.words


def test_a_keyword_added_on_the_topic_list_tags_the_next_run():
    assert tagged("代步车很脏")[1] == {}
    VocTopic.objects.create(name="代步车", keywords="代步车、替换车", order=99)
    assert tagged("代步车很脏")[1] == {"代步车": -1}


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("希望能提供代步车", True),
        ("建议休息区增加充电插座。", True),
        ("没有", False),
        ("都挺好", False),
        ("洗车不干净", False),
    ],
)
def test_a_suggestion_asks_for_something(text, asks):
    assert asks_for_something(text) is asks


def test_the_tokenizer_is_built_once_across_threads(monkeypatch):
    # A fresh process: no tokenizer yet; four threads ask for it at once and get the same one.
    monkeypatch.setattr(segmentation, "_tokenizer", None)
    monkeypatch.setattr(segmentation, "_added", set())
    results = run_at_once(lambda: segmentation.tokenizer(), args=[(), (), (), ()])
    assert len({id(t) for t in results}) == 1
    assert segmentation.segment("机油滤芯") == ["机油滤芯"]
