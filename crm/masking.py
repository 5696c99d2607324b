"""Masking of phone and id numbers for users without `crm.view_full_phone` (SPEC §12).

One rule, used by the customer pages, the lists and the exports: keep enough digits for an agent
to recognise a number (`138****1234`), never enough to dial it.
"""

import re
import unicodedata

from crm.validators import normalize_phone

PERMISSION_FULL_PHONE = "crm.view_full_phone"


def can_see_full_numbers(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(PERMISSION_FULL_PHONE))


def mask_phone(value: str | None) -> str:
    """`13812341234` → `138****1234`; `0564-1234567` → `0564-***4567`; short values → all stars."""
    value = (value or "").strip()
    if not value:
        return ""
    area, sep, local = value.partition("-")
    if sep and re.fullmatch(r"0\d{2,3}", area):
        # A landline keeps its area code (it tells where the customer lives) and the last 4 digits.
        return f"{area}-{'*' * max(len(local) - 4, 0)}{local[-4:]}"
    if len(value) <= 4:
        return "*" * len(value)
    if len(value) < 8:
        return f"{'*' * (len(value) - 4)}{value[-4:]}"
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_id_number(value: str | None) -> str:
    """`340104198506150011` → `340104********0011`: the region stays, the birth date is hidden."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def phone_for(user, value: str | None) -> str:
    return (value or "") if can_see_full_numbers(user) else mask_phone(value)


# A number inside free text, digits not glued to other digits (\d matches full-width digits too):
# an id number; a mobile, with a +86 / 0086 prefix and spaces or hyphens as people write it
# (139 1234 5678, +86-139-1234-5678, full-width １３９…); a landline with its area code.
_NUMBERS_IN_TEXT = re.compile(
    r"(?<!\d)(?:"
    r"(?P<id>\d{17}[\dXxＸｘ])"
    r"|(?P<mobile>(?:[+＋]?(?:86|８６)|0086|００８６)?[\s-]?[1１][3-9３-９]\d(?:[\s-]?\d{4}){2})"
    r"|(?P<landline>0\d{2,3}-?\d{7,8})"
    r")(?!\d)"
)


def mask_text(text: str | None) -> str:
    """Free text a customer said (a verbatim, a suggestion) with the phone and id numbers in it masked."""

    def replace(match: re.Match) -> str:
        if match.group("id"):
            return mask_id_number(unicodedata.normalize("NFKC", match.group("id")))
        if match.group("mobile"):  # the 11 digits, whatever prefix and separators they came with
            return mask_phone(re.sub(r"\D", "", unicodedata.normalize("NFKC", match.group("mobile")))[-11:])
        return mask_phone(normalize_phone(match.group("landline")))

    return _NUMBERS_IN_TEXT.sub(replace, text or "")
