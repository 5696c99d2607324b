"""Reply parsing (SPEC §10): a score 1–10 in any common form, TD / 退订, everything else for a person."""

import pytest

from crm.sms.choices import ReplyOutcome
from crm.sms.parsing import parse_reply, parse_score


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("9", 9),
        ("10", 10),
        ("1", 1),
        (" 10 ", 10),
        ("９", 9),  # full-width digit
        ("１０", 10),
        ("9分", 9),
        ("9 分", 9),
        ("１０分", 10),
        ("满意，10", 10),
        ("满意,10", 10),
        ("满意10", 10),
        ("很满意！10分", 10),
        ("给8分", 8),
        ("8分，服务不错", 8),
        ("10，很满意", 10),
        ("10。", 10),
        ("\n7\n", 7),
    ],
)
def test_scores(text, score):
    assert parse_score(text) == score
    assert parse_reply(text).outcome == ReplyOutcome.SCORE
    assert parse_reply(text).score == score


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "好的",
        "谢谢",
        "十分满意",  # "very satisfied", not 10
        "0",
        "11",
        "100",
        "-5",
        "9 10",
        "9.5",
        "9-10",
        "8分或9分",
        "等了2个小时才修好",
        "请回电13912345678",
        "abc",
    ],
)
def test_junk_is_not_a_score(text):
    assert parse_score(text) is None
    assert parse_reply(text).outcome == ReplyOutcome.OTHER
    assert parse_reply(text).score is None


@pytest.mark.parametrize("text", ["TD", "td", "Td", " TD ", "ＴＤ", "退订", "退订。", "TD退订", "请退订", "t d"])
def test_opt_out(text):
    assert parse_reply(text).outcome == ReplyOutcome.OPT_OUT
