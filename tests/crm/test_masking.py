"""The one masking rule for phone and id numbers (pages now, exports later)."""

import pytest

from crm.choices import Role
from crm.masking import can_see_full_numbers, mask_id_number, mask_phone, mask_text, phone_for
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812341234", "138****1234"),
        ("0564-3378888", "0564-***8888"),
        ("051065558888", "051*****8888"),
        ("12345", "*2345"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("34150219850615001X", "341502********001X"), ("", ""), ("12345", "*****")],
)
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.django_db
def test_full_numbers_only_with_the_permission(agent, store_a):
    consultant = UserFactory(roles=[Role.CONSULTANT], stores=[store_a])
    assert can_see_full_numbers(agent)
    assert not can_see_full_numbers(consultant)
    assert phone_for(agent, "13812341234") == "13812341234"
    assert phone_for(consultant, "13812341234") == "138****1234"


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("请回电13912345678", "请回电139****5678"),
        ("请回电+8613912345678", "请回电139****5678"),
        ("8613912345678谢谢", "139****5678谢谢"),
        ("0086-139-1234-5678", "139****5678"),
        ("打139 1234 5678找我", "打139****5678找我"),
        ("１３９１２３４５６７８", "139****5678"),
        ("座机0564-3312345", "座机0564-***2345"),
        ("身份证34010419850615001X", "身份证340104********001X"),
        ("13912345678，或者15012345678", "139****5678，或者150****5678"),
        # numbers that are not a phone or an id stay as said
        ("等了2个小时，价格3000元", "等了2个小时，价格3000元"),
        ("工单20261207001234", "工单20261207001234"),
    ],
)
def test_numbers_inside_free_text_are_masked_however_they_are_written(said, shown):
    assert mask_text(said) == shown
