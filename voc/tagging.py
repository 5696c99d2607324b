"""Tagging one verbatim: its words, the topics its keywords name, the polarity of what was said about
each, and whether a suggestion asks for something (then it needs a feedback call, seed 003).

What we chose (the issue leaves it open), kept simple enough to explain to a CR manager:
- A keyword matches a word of the segmented text or a run of consecutive words (服务态度 in
  服务态度差 does, in 服务的态度 not), never part of a word: 小时 does not match 小时候, nor 车洗
  下车 + 洗手间 (so one-character keywords such as 慢, 贵 match a word only). Matching runs on jieba's
  words, in which the keywords themselves are taught whole (voc.services.voc_topic_rules).
- Polarity is read per clause (split at punctuation and at 但/但是/不过/就是): +1 per praise word,
  −1 per criticism word, a negation among the two words before it (不, 没, 没有 …) turns it round
  (不 + 干净 is criticism). A topic's mention takes its clause's sign, so "休息区很舒服，但是洗车不干净"
  is praise of 环境 and criticism of 洗车. A complaint or a hot alert is negative by what it is: where
  the words say nothing, the mention is negative.
- A hot alert's reason lines are not words anyone said: a negative answer's line is the question's
  own wording ("Q10 否：…您对财务人员的工作效率及服务态度是否满意?"), whose 满意 is no praise. Such a
  text is read as a *weak answer* (`weak_answer=True`): the topics its keywords name are each a
  NEGATIVE mention (the customer answered that question badly) and no sentiment word is read.
- A questionnaire suggestion asks for something when it holds a request word (希望, 建议, 能不能 …)
  and is not one of the "nothing to say" answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from voc.segmentation import segment_with_punctuation

POSITIVE_WORDS = frozenset(
    [
        "满意",
        "舒服",
        "舒适",
        "干净",
        "整洁",
        "好",
        "很好",
        "挺好",
        "不错",
        "热情",
        "周到",
        "专业",
        "耐心",
        "细心",
        "及时",
        "快",
        "很快",
        "准时",
        "方便",
        "感谢",
        "谢谢",
        "表扬",
        "满意度高",
        "贴心",
        "认真",
        "实惠",
        "划算",
        "放心",
        "礼貌",
        "规范",
        "透明",
    ]
)
NEGATIVE_WORDS = frozenset(
    [
        "不满",
        "不满意",
        "差",
        "很差",
        "太差",
        "慢",
        "太慢",
        "脏",
        "贵",
        "太贵",
        "乱",
        "乱收费",
        "久",
        "很久",
        "太久",
        "投诉",
        "生气",
        "失望",
        "敷衍",
        "冷淡",
        "推诿",
        "拖延",
        "异响",
        "漏油",
        "漏水",
        "色差",
        "异味",
        "抖动",
        "故障",
        "返修",
        "没修好",
        "坏",
        "等了",
        "缺货",
        "没货",
        "难",
        "麻烦",
        "糟糕",
        "不好",
        "不行",
        "态度差",
        "不耐烦",
        "不专业",
        "不干净",
        "没人",
        "不理",
    ]
)
NEGATORS = frozenset(["不", "没", "没有", "不太", "不够", "不是", "别", "未", "无", "并不", "从不"])
# Clause boundaries besides punctuation: what follows 但是 is said about something else.
CONTRAST_WORDS = frozenset(["但", "但是", "不过", "可是", "就是", "然而", "只是"])
ASK_WORDS = (
    "希望",
    "建议",
    "能否",
    "能不能",
    "可否",
    "可不可以",
    "要求",
    "应该",
    "最好",
    "增加",
    "提供",
    "改进",
    "改善",
    "请",
)
NOTHING_TO_SAY = frozenset(
    [
        "无",
        "没有",
        "没",
        "暂无",
        "无意见",
        "没意见",
        "没有意见",
        "没有建议",
        "无建议",
        "挺好",
        "很好",
        "都挺好",
        "都很好",
        "满意",
        "很满意",
        "都满意",
        "不错",
    ]
)


@dataclass(frozen=True)
class TopicRule:
    """A topic as the tagger needs it: id and lower-cased keywords."""

    id: int
    name: str
    keywords: tuple[str, ...]


@dataclass
class Tagged:
    words: list[str]
    polarity: int
    # (topic id, keyword) -> polarity of what was said about it
    mentions: dict[tuple[int, str], int] = field(default_factory=dict)
    asks: bool = False


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _clauses(tokens: list[str]) -> list[list[str]]:
    clauses: list[list[str]] = [[]]
    for token in tokens:
        if token in CONTRAST_WORDS or not any(ch.isalnum() for ch in token):
            if clauses[-1]:
                clauses.append([])
            continue
        clauses[-1].append(token)
    return [c for c in clauses if c]


# jieba keeps some degree + adjective pairs whole (很脏, 很差, 太慢): the adjective decides.
DEGREE_PREFIXES = ("非常", "特别", "比较", "很", "太", "挺", "真", "超", "好", "蛮", "最")


def word_sentiment(word: str) -> int:
    for candidate in (word, *(word[len(p) :] for p in DEGREE_PREFIXES if word.startswith(p) and len(word) > len(p))):
        if candidate in POSITIVE_WORDS:
            return 1
        if candidate in NEGATIVE_WORDS:
            return -1
    return 0


def clause_polarity(words: list[str]) -> int:
    score = 0
    for i, word in enumerate(words):
        value = word_sentiment(word)
        if value and any(w in NEGATORS for w in words[max(0, i - 2) : i]):
            value = -value
        score += value
    return _sign(score)


@dataclass(frozen=True)
class _Lexicon:
    """The topics' keywords as the matcher walks them: each keyword's (topic id, keyword) pairs, and
    every prefix of a keyword (a run of words is extended only while it can still become one)."""

    keys: dict[str, tuple[tuple[int, str], ...]]
    prefixes: frozenset[str]


@lru_cache(maxsize=8)
def topic_lexicon(topics: tuple[TopicRule, ...]) -> _Lexicon:
    keys: dict[str, list[tuple[int, str]]] = {}
    for topic in topics:
        for keyword in topic.keywords:
            keys.setdefault(keyword, []).append((topic.id, keyword))
    prefixes = frozenset(k[:n] for k in keys for n in range(1, len(k) + 1))
    return _Lexicon(keys={k: tuple(v) for k, v in keys.items()}, prefixes=prefixes)


def keyword_matches(words: list[str], lexicon: _Lexicon) -> list[tuple[int, str]]:
    """The (topic id, keyword) pairs whose keyword is one of `words` or the concatenation of a run of
    consecutive words — never a piece of a word (小时 is not in 小时候, 车洗 not in 下车 + 洗手间)."""
    found: list[tuple[int, str]] = []
    keys, prefixes = lexicon.keys, lexicon.prefixes
    for i, word in enumerate(words):
        run = word
        j = i
        while run in prefixes:
            hits = keys.get(run)
            if hits:
                found.extend(hits)
            j += 1
            if j == len(words):
                break
            run += words[j]
    return found


def asks_for_something(text: str) -> bool:
    stripped = text.strip().strip("。.!！ ")
    if not stripped or stripped in NOTHING_TO_SAY:
        return False
    return any(word in stripped for word in ASK_WORDS)


def tag_text(
    text: str,
    topics: list[TopicRule],
    *,
    negative_by_nature: bool = False,
    suggestion: bool = False,
    weak_answer: bool = False,
) -> Tagged:
    """Tag one text. `weak_answer`: the text is a questionnaire's wording answered badly (a hot
    alert's reason line), not what anyone said — every topic it names is a negative mention and
    the text's own praise or criticism words are not read."""
    tokens = segment_with_punctuation(text)
    clauses = _clauses(tokens)
    words = [w for clause in clauses for w in clause]
    lexicon = topic_lexicon(tuple(topics))
    total = 0
    sums: dict[tuple[int, str], int] = {}
    for clause in clauses:
        polarity = -1 if weak_answer else clause_polarity(clause)
        total += polarity
        for key in dict.fromkeys(keyword_matches(clause, lexicon)):
            sums[key] = sums.get(key, 0) + polarity
    mentions = {}
    for key, value in sums.items():
        polarity = _sign(value)
        mentions[key] = -1 if negative_by_nature and polarity == 0 else polarity
    polarity = -1 if negative_by_nature or weak_answer else _sign(total)
    return Tagged(
        words=words,
        polarity=polarity,
        mentions=mentions,
        asks=suggestion and asks_for_something(text),
    )
