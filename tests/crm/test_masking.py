"""The one masking rule for phone and id numbers (pages now, exports later)."""

import pytest

from crm.choices import Role
from crm.masking import can_see_full_numbers, mask_id_number, mask_phone, phone_for
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
