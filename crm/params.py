"""Request parameters read by hand: the one place a view turns a GET/POST value or a URL kwarg that
no form cleans into a Python value. Absent or empty is None; malformed raises BadRequest, which
Django answers with a 400 — never a 500 from `int("²")` ("²".isdigit() is True, int() refuses it),
from a number past the database's integer columns, or from a NUL byte PostgreSQL refuses.

Fields a form reads are the form's business (Django's fields already turn bad input into form
errors); these helpers are for the few values a view reads itself."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import BadRequest
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from crm import periods

MAX_ID = 2**63 - 1  # bigint, the widest primary key; a larger "id" names nothing


def _bad(name: str, value: object) -> BadRequest:
    return BadRequest(f"malformed parameter {name}={str(value)[:50]!r}")


def _empty(value: object) -> bool:
    return value is None or value == ""


def id_param(value: str | None, *, name: str = "id") -> int | None:
    """An object id: ASCII digits only (not '²', '-1', '0x10', '1e9'), 1 … 2⁶³-1."""
    if _empty(value):
        return None
    text = str(value)
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise _bad(name, value)
    return int(text)


def id_list_param(values: Iterable[str], *, name: str = "id") -> list[int]:
    """Ids from a repeated parameter (`?task=1&task=2`); empty entries are skipped."""
    ids = (id_param(v, name=name) for v in values)
    return [i for i in ids if i is not None]


def month_param(value: str | None, *, name: str = "month") -> dt.date | None:
    """'YYYY-MM' → the first day of that month (crm.periods.parse_month)."""
    if _empty(value):
        return None
    try:
        return periods.parse_month(value)
    except ValueError:
        raise _bad(name, value) from None


def date_param(value: str | None, *, name: str = "day") -> dt.date | None:
    """'YYYY-MM-DD'."""
    if _empty(value):
        return None
    text = str(value)
    try:
        if not text.isascii():
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _bad(name, value) from None


def text_param(value: str | None, *, name: str = "text", max_length: int | None = None) -> str:
    """Free text; NUL bytes (which PostgreSQL cannot store or compare) and more than `max_length`
    characters (the column's width, which would refuse it at save time) are malformed."""
    text = "" if value is None else str(value)
    if "\x00" in text or (max_length is not None and len(text) > max_length):
        raise _bad(name, value)
    return text


def choice_param(value: str | None, choices: Iterable[str], *, name: str = "choice") -> str | None:
    """One of `choices`; anything else is malformed."""
    if _empty(value):
        return None
    if value not in set(choices):
        raise _bad(name, value)
    return value


def safe_next_url(request: HttpRequest, value: str | None, fallback: str) -> str:
    """`next=` only when it stays on this host (no open redirect) and is a path; else `fallback`."""
    if (
        value
        and value.startswith("/")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return fallback
