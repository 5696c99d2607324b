"""Masking of phone and id numbers for users without `crm.view_full_phone` (SPEC §12).

One rule, used by the customer pages, the lists and the exports: keep enough digits for an agent
to recognise a number (`138****1234`), never enough to dial it.
"""

import re

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


# An id number, a mobile or a landline inside free text (digits not glued to other digits).
_NUMBERS_IN_TEXT = re.compile(r"(?<!\d)(\d{17}[\dXx]|1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")


def mask_text(text: str | None) -> str:
    """Free text a customer said (a verbatim, a suggestion) with the phone and id numbers in it masked."""

    def replace(match: re.Match) -> str:
        value = match.group(0)
        return mask_id_number(value) if len(value) == 18 else mask_phone(value)

    return _NUMBERS_IN_TEXT.sub(replace, text or "")
