"""Validators for the identifiers a dealership deals in: phones, PRC id numbers, VINs, plates.

Each `is_valid_*` function is pure (usable by the importer in bulk) and each `validate_*` raises
Django's ValidationError for forms and model fields.

The PRC id number's check character and birth date come from python-stdnum (`stdnum.cn.ric`).
Not its `validate()`: that also requires the 6-digit region code to have existed in the birth
year, but the code is the place of registration, assigned long after many customers were born —
it refuses every real number of 六安金安区 (341502, a code since 1999) of anyone born before 1999.
python-stdnum has no VIN module, so the ISO 3779 check digit stays here; nor does it know Chinese
phone numbers or plates.
"""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
# Province abbreviation, city letter (no I/O), then 5 characters (6 for new-energy plates); the
# last may be 挂/学/警/港/澳 for special plates.
PLATE_RE = re.compile(
    r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领]"
    r"[A-HJ-NP-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$"
)

_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def normalize_phone(value: str) -> str:
    """Strip spaces, full-width digits and a +86 prefix, as numbers arrive from the DMS and SMS."""
    value = (value or "").strip().translate(str.maketrans("０１２３４５６７８９－", "0123456789-"))
    value = re.sub(r"[\s()]", "", value)
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    return value


# What separates a plate's characters where it is written or read out: spaces (full-width too), the
# middle dot of 苏A·12345 (and the look-alikes keyboards produce) and a hyphen.
_PLATE_SEPARATORS = re.compile(r"[\s·・•\-]")


def normalize_plate(value: str) -> str:
    """A plate as stored: half-width, upper case, without separators (`苏ａ·123 45` → `苏A12345`).
    The importer stores plates through it and the CTI lookup reads them through it."""
    return _PLATE_SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "").upper())


def normalize_vin(value: str) -> str:
    """A VIN as stored: half-width, upper case, without spaces (the importer's and the lookup's)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value or "").upper())


def is_valid_mobile(value: str) -> bool:
    return bool(MOBILE_RE.match(value or ""))


def is_valid_landline(value: str) -> bool:
    return bool(LANDLINE_RE.match(value or ""))


def vin_check_digit(vin: str) -> str:
    """The ISO 3779 / GB 16735 check digit (position 9) for a 17-character VIN."""
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def is_valid_vin(value: str) -> bool:
    vin = (value or "").upper()
    if len(vin) != 17 or any(ch not in _VIN_VALUES for ch in vin):
        return False  # also rejects I, O and Q, which are not in the table
    return vin[8] == vin_check_digit(vin)


def id_number_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return ric.calc_check_digit(first17 + "0")  # stdnum reads all but the last character


def _id_birthday(value: str) -> datetime.date | None:
    """The birth date of a well-formed id number with a correct check character, else None."""
    number = (value or "").upper()
    if not re.fullmatch(r"\d{17}[\dX]", number) or number[17] != id_number_check_char(number[:17]):
        return None
    try:
        return ric.get_birth_date(number)
    except StdnumError:
        return None  # no such date (30 February)


def is_valid_id_number(value: str) -> bool:
    """An 18-character PRC resident id: 17 digits, a real birth date, and the ISO 7064 check."""
    return _id_birthday(value) is not None


def birthday_from_id_number(value: str) -> datetime.date | None:
    return _id_birthday(value)


def gender_from_id_number(value: str) -> str | None:
    """The 17th digit is odd for men and even for women."""
    if not is_valid_id_number(value):
        return None
    return "M" if int(value[16]) % 2 else "F"


def is_valid_plate(value: str) -> bool:
    return bool(PLATE_RE.match((value or "").upper()))


def validate_mobile(value: str) -> None:
    if not is_valid_mobile(value):
        raise ValidationError(_("手机号码格式不正确(应为11位,1开头)"), code="invalid_mobile")


def validate_landline(value: str) -> None:
    if not is_valid_landline(value):
        raise ValidationError(_("固定电话格式不正确(如 0564-1234567)"), code="invalid_landline")


def validate_vin(value: str) -> None:
    if not is_valid_vin(value):
        raise ValidationError(_("车架号无效(17位,不含I/O/Q,校验位需正确)"), code="invalid_vin")


def validate_id_number(value: str) -> None:
    if not is_valid_id_number(value):
        raise ValidationError(_("身份证号无效(18位,出生日期与校验码需正确)"), code="invalid_id_number")


def validate_plate(value: str) -> None:
    if not is_valid_plate(value):
        raise ValidationError(_("车牌号格式不正确(如 皖N12345)"), code="invalid_plate")
