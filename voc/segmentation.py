"""Chinese word segmentation of verbatims with jieba and the domain dictionary.

jieba: the most used Chinese segmenter, pure Python (it runs wherever `make run` does, no build
step), with user dictionaries added at run time — what the domain needs: car parts and service
terms it does not know as words (机油滤芯, 休息区, 钣喷), the topics' keywords, and the stores'
staff names (王小明 stays one word instead of 王 + 小明).

Loading jieba's dictionary costs about a second, so the tokenizer is built once per process, lazily
(a web process that never tags never pays it) and under a lock (two threads of a worker build it
once). Words are added under the same lock; jieba's `lcut` only reads its tables.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

import jieba

# Car parts and service terms of a 4S store (seed 001 and 004 vocabulary) that jieba's general
# dictionary splits or does not know.
DOMAIN_WORDS = [
    "发动机",
    "变速箱",
    "刹车片",
    "刹车盘",
    "机油滤芯",
    "空气滤芯",
    "空调滤芯",
    "汽油滤芯",
    "火花塞",
    "雨刮",
    "雨刮片",
    "轮胎",
    "轮毂",
    "电瓶",
    "蓄电池",
    "四轮定位",
    "动平衡",
    "钣金",
    "钣喷",
    "喷漆",
    "色差",
    "异响",
    "抖动",
    "漏油",
    "漏水",
    "异味",
    "首保",
    "定保",
    "保养",
    "工单",
    "工时费",
    "材料费",
    "服务顾问",
    "销售顾问",
    "维修技师",
    "试乘试驾",
    "代步车",
    "休息区",
    "休息室",
    "交车",
    "提车",
    "接车",
    "预约",
    "索赔",
    "保修",
    "延保",
    "洗车",
    "脚垫",
    "旧件",
    "结算",
    "前台",
    "客休区",
    "充电桩",
    "等了",
]
# A high frequency makes jieba keep these whole even where its own words would split them.
_FREQUENCY = 200_000

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_added: set[str] = set()


def _build() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)  # jieba prints "Building prefix dict…" at INFO
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in DOMAIN_WORDS:
        tokenizer.add_word(word, freq=_FREQUENCY)
        _added.add(word)
    return tokenizer


def tokenizer() -> jieba.Tokenizer:
    """The process's tokenizer, built on first use (double-checked under the lock)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _build()
    return _tokenizer


def add_words(words: Iterable[str]) -> None:
    """Teach the tokenizer words it must keep whole (topic keywords, staff names); each once."""
    new = [w for w in {w.strip() for w in words} if w and w not in _added]
    if not new:
        return
    tok = tokenizer()
    with _lock:
        for word in new:
            if word not in _added:
                tok.add_word(word, freq=_FREQUENCY)
                _added.add(word)


# Without jieba's HMM guessing of unknown words: every word the tagger matches (keywords, sentiment
# words, staff names) is in the dictionary, and the HMM pass doubles the time of a verbatim with
# numbers in it ("等了2个小时", a phone number) — the month's tagging at scale is what must be fast.
HMM = False


def segment(text: str) -> list[str]:
    """The words of `text` (punctuation and spaces dropped), lower-cased (WiFi = wifi)."""
    return [w.lower() for w in tokenizer().lcut(text or "", HMM=HMM) if w.strip() and not _is_punctuation(w)]


def segment_with_punctuation(text: str) -> list[str]:
    """The tokens of `text` with its punctuation (the tagger splits clauses on it)."""
    return [w.lower() for w in tokenizer().lcut(text or "", HMM=HMM) if w.strip()]


def _is_punctuation(word: str) -> bool:
    return all(not ch.isalnum() for ch in word)
