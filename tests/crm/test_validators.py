import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm import validators as v
from tests.factories import VIN_CHARS, make_id_number


@pytest.mark.parametrize(
    "vin",
    ["LVGBE40K77G123456", "1M8GDM9AXKP042788", "11111111111111111"],
)
def test_valid_vins(vin):
    assert v.is_valid_vin(vin)


@pytest.mark.parametrize(
    "vin,why",
    [
        ("LVGBE40K77G12345", "16 characters"),
        ("LVGBE40K77G1234567", "18 characters"),
        ("LVGBE40K97G123456", "wrong check digit"),
        ("IVGBE40K87G123456", "contains I"),
        ("LVGBO40K87G123456", "contains O"),
        ("LVGBQ40K87G123456", "contains Q"),
        ("", "empty"),
    ],
)
def test_invalid_vins(vin, why):
    assert not v.is_valid_vin(vin), why


@given(st.text(alphabet=VIN_CHARS, min_size=17, max_size=17))
def test_vin_with_computed_check_digit_is_valid_and_any_other_digit_is_not(body):
    vin = body[:8] + v.vin_check_digit(body[:8] + "0" + body[9:]) + body[9:]
    assert v.is_valid_vin(vin)
    for other in "0123456789X":
        if other != vin[8]:
            assert not v.is_valid_vin(vin[:8] + other + vin[9:])


def test_known_id_numbers():
    assert v.is_valid_id_number("11010519491231002X")
    assert v.is_valid_id_number("11010519491231002x")
    assert not v.is_valid_id_number("110105194912310021")  # wrong check character
    assert not v.is_valid_id_number("110105194902300025")  # 30 February
    assert not v.is_valid_id_number("11010519491231002")  # 17 characters
    assert v.birthday_from_id_number("11010519491231002X") == datetime.date(1949, 12, 31)
    assert v.gender_from_id_number("11010519491231002X") == "F"


@given(st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2008, 12, 31)), st.booleans())
def test_generated_id_numbers_validate_and_one_changed_digit_fails(birthday, male):
    number = make_id_number(birthday, male)
    assert v.is_valid_id_number(number)
    assert v.gender_from_id_number(number) == ("M" if male else "F")
    changed = number[:3] + str((int(number[3]) + 1) % 10) + number[4:]
    assert not v.is_valid_id_number(changed)


@pytest.mark.parametrize("mobile", ["13812345678", "19900001111", "15055556666"])
def test_valid_mobiles(mobile):
    assert v.is_valid_mobile(mobile)


@pytest.mark.parametrize("mobile", ["12812345678", "1381234567", "138123456789", "23812345678", "138-1234-5678"])
def test_invalid_mobiles(mobile):
    assert not v.is_valid_mobile(mobile)


def test_normalize_phone():
    assert v.normalize_phone(" +86 138 1234 5678 ") == "13812345678"
    assert v.normalize_phone("１３８１２３４５６７８") == "13812345678"


@pytest.mark.parametrize("landline", ["0564-3456789", "05643456789", "010-12345678", "021-1234567"])
def test_valid_landlines(landline):
    assert v.is_valid_landline(landline)


@pytest.mark.parametrize("landline", ["564-3456789", "0564-12345", "0564-123456789", "13812345678"])
def test_invalid_landlines(landline):
    assert not v.is_valid_landline(landline)


@pytest.mark.parametrize("plate", ["皖N12345", "京A8B88C", "沪AD12345", "皖NA123挂"])
def test_valid_plates(plate):
    assert v.is_valid_plate(plate)


@pytest.mark.parametrize("plate", ["N12345", "皖I12345", "皖N1234", "AA12345"])
def test_invalid_plates(plate):
    assert not v.is_valid_plate(plate)


@pytest.mark.parametrize(
    "written", ["皖N12345", "皖n·12345", " 皖 N 123 45 ", "皖N\u300012345", "皖Ｎ１２３４５", "皖N-12345"]
)
def test_normalize_plate_gives_the_stored_form(written):
    """The importer stores plates through it and the API's CTI lookup reads them through it."""
    assert v.normalize_plate(written) == "皖N12345"


def test_normalize_vin_gives_the_stored_form():
    assert v.normalize_vin(" lvgbe40k77g 123456\u3000") == "LVGBE40K77G123456"


def test_an_id_number_registered_before_its_region_code_existed_is_valid():
    """stdnum's full validate() refuses 341502 (六安金安区, a code since 1999) for anyone born
    before 1999; the code is the place of registration, so such numbers are real and accepted."""
    first17 = "341502196003070013"[:17]
    number = first17 + v.id_number_check_char(first17)
    assert v.is_valid_id_number(number)
    assert v.birthday_from_id_number(number) == datetime.date(1960, 3, 7)
