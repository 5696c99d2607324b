"""What a customer's SMS reply means (SPEC §10): a score 1–10, an opt-out, or text for a person.

Accepted scores, in any width (`９` is `9`): `9`, ` 10 `, `9分`, `满意，10`, `10，很满意`, `给8分`.
Not scores (they go to a person): no number, 0, 11, -5, two numbers (`9 10`, `9.5`), and a number inside
a sentence that is not a score (`等了2个小时`). Chinese numerals are not read: `十分满意` means "very
satisfied", not "10".
"""

import re
import unicodedata
from dataclasses import dataclass

from crm.sms.choices import ReplyOutcome

_NUMBER = re.compile(r"\d+")
_NEGATIVE = re.compile(r"-\s*\d")
# Separators around a score: whitespace and common ASCII/CJK punctuation (after NFKC).
_SEP = r"[\s,.;:!?~、。…—()\[\]\"'“”‘’《》]"
_SCORE_FORMS = (
    re.compile(rf"^{_SEP}*(\d+){_SEP}*分?{_SEP}*$"),  # "9", "9分", " 10 "
    re.compile(r"(\d+)\s*分"),  # "给8分", "9分满意"
    re.compile(rf"(\d+){_SEP}*$"),  # "满意，10", "满意10" (the only number, at the end)
    re.compile(rf"^{_SEP}*(\d+){_SEP}+"),  # "10，很满意"
)
_OPT_OUT_WORDS = ("退订",)


@dataclass(frozen=True)
class ParsedReply:
    outcome: str  # ReplyOutcome
    score: int | None = None


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _is_opt_out(text: str) -> bool:
    compact = re.sub(rf"{_SEP}+", "", text).upper()
    return compact in {"TD", "TD退订", "退订TD"} or any(w in compact for w in _OPT_OUT_WORDS)


def parse_score(text: str) -> int | None:
    """The score 1–10 in a reply, or None (see the module docstring for the forms)."""
    text = _normalise(text)
    numbers = _NUMBER.findall(text)
    if len(numbers) != 1 or _NEGATIVE.search(text):
        return None
    for form in _SCORE_FORMS:
        m = form.search(text)
        if m:
            value = int(m.group(1))
            return value if 1 <= value <= 10 else None
    return None


def parse_reply(text: str) -> ParsedReply:
    text = _normalise(text)
    if _is_opt_out(text):
        return ParsedReply(ReplyOutcome.OPT_OUT)
    score = parse_score(text)
    if score is not None:
        return ParsedReply(ReplyOutcome.SCORE, score)
    return ParsedReply(ReplyOutcome.OTHER)
