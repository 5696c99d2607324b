"""Cell parsers of the DMS import (SPEC §5). Each takes a raw cell value and returns the parsed
value, `None` for an empty cell, or raises `CellError` with the reason the user will read.

Cells arrive as openpyxl gives them (str, int, float, datetime, date) or as CSV text. Naive dates
and times are local time (Asia/Shanghai); Excel serial numbers in a date column are accepted too.
"""

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from crm.importing.registry import CellError
from crm.validators import (
    is_valid_id_number,
    is_valid_landline,
    is_valid_mobile,
    is_valid_plate,
    is_valid_vin,
    normalize_phone,
    normalize_plate,
    normalize_vin,
)

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９：－／．　", "0123456789:-/. ")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str | None:
    """Any cell as trimmed text; whole numbers lose Excel's trailing `.0`."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def _excel_serial(value: Any) -> dt.datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 1 <= value < 2958466:  # 1900-01-01 … 9999-12-31
        raise CellError(_("无法识别的日期：%(v)s") % {"v": value})
    return from_excel(value)


def date(value: Any) -> dt.date | None:
    """`2026-10-05`, `2026/10/5`, `2026.10.05`, `20261005`, an Excel date cell or serial number."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    serial = _excel_serial(value)
    if serial is not None:
        return serial.date()
    raw = str(value).strip().translate(_FULL_WIDTH)
    candidate = raw.split(" ")[0] if re.fullmatch(r"\S+ 0{1,2}:0{2}(:0{2})?", raw) else raw
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
    raise CellError(_("无法识别的日期：%(v)s") % {"v": raw})


def datetime(value: Any) -> dt.datetime | None:
    """A date and time, aware; naive values are local time. A date alone means its midnight."""
    if is_blank(value):
        return None
    moment: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        moment = _excel_serial(value)
        if moment is None:
            raw = re.sub(r"\s+", " ", str(value).strip().translate(_FULL_WIDTH))
            for fmt in _DATETIME_FORMATS:
                try:
                    moment = dt.datetime.strptime(raw, fmt)
                    break
                except ValueError:
                    continue
            if moment is None:
                try:
                    moment = dt.datetime.combine(date(raw), dt.time())
                except CellError:
                    raise CellError(_("无法识别的时间：%(v)s") % {"v": raw}) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def integer(value: Any) -> int | None:
    if type(value) is int and value >= 0:  # a number cell, the common case
        return value
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("应为整数：%(v)s") % {"v": value})
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("应为整数：%(v)s") % {"v": value})
        value = int(value)
    raw = str(value).strip().translate(_FULL_WIDTH).replace(",", "")
    if not re.fullmatch(r"\d+", raw):
        raise CellError(_("应为非负整数：%(v)s") % {"v": raw})
    return int(raw)


def money(value: Any) -> Decimal | None:
    """Yuan with at most two decimals; `1,280.50` and `¥1280.5` are accepted."""
    if is_blank(value):
        return None
    raw = str(value).strip().translate(_FULL_WIDTH).replace(",", "").lstrip("¥￥").removesuffix("元")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise CellError(_("应为金额：%(v)s") % {"v": value}) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise CellError(_("金额超出范围：%(v)s") % {"v": value})
    return amount.quantize(Decimal("0.01"))


def mobile(value: Any) -> str | None:
    if is_blank(value):
        return None
    number = normalize_phone(text(value))
    if not is_valid_mobile(number):
        raise CellError(_("手机号无效：%(v)s") % {"v": number})
    return number


def landline(value: Any) -> str | None:
    if is_blank(value):
        return None
    number = normalize_phone(text(value))
    if not is_valid_landline(number):
        raise CellError(_("固定电话无效：%(v)s") % {"v": number})
    return number


def id_number(value: Any) -> str | None:
    if is_blank(value):
        return None
    number = text(value).upper()
    if not is_valid_id_number(number):
        raise CellError(_("身份证号无效（位数、出生日期或校验位）：%(v)s") % {"v": number})
    return number


def vin(value: Any) -> str | None:
    if is_blank(value):
        return None
    code = normalize_vin(text(value))
    if not is_valid_vin(code):
        raise CellError(_("车架号无效（17位，不含I/O/Q，校验位）：%(v)s") % {"v": code})
    return code


def plate(value: Any) -> str | None:
    if is_blank(value):
        return None
    code = normalize_plate(text(value))
    if not is_valid_plate(code):
        raise CellError(_("车牌号无效：%(v)s") % {"v": code})
    return code


def yes_no(value: Any) -> bool | None:
    if is_blank(value):
        return None
    raw = text(value).lower()
    if raw in {"是", "y", "yes", "true", "1"}:
        return True
    if raw in {"否", "n", "no", "false", "0"}:
        return False
    raise CellError(_("应为 是 或 否：%(v)s") % {"v": value})


def choice(choices: type[models.TextChoices], *, extra: dict[str, str] | None = None) -> Callable[[Any], str | None]:
    """A parser accepting a choice's Chinese label or its stored value (case-insensitive)."""
    lookup = {str(label): value for value, label in choices.choices}
    lookup |= {value.lower(): value for value in choices.values}
    lookup |= extra or {}
    labels = " / ".join(str(label) for _value, label in choices.choices)

    def parse(value: Any) -> str | None:
        if is_blank(value):
            return None
        raw = text(value)
        found = lookup.get(raw) or lookup.get(raw.lower())
        if found is None:
            raise CellError(_("应为 %(labels)s 之一：%(v)s") % {"labels": labels, "v": raw})
        return found

    return parse
