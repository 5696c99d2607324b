"""Lost and about-to-be-lost customers at their edges (SPEC §10.3, issue 10 item 6)."""

import datetime as dt

import pytest
from django.utils import timezone

from crm.models import Customer
from tests.factories import CustomerFactory, DeliveryFactory
from tests.winback.factories import customer_with_delivery, customer_with_ro, local
from winback import rules
from winback.models import WinbackSettings
from winback.selectors import customers_at_risk


def lost_ids(store, on, months=12):
    return set(
        Customer.objects.filter(store=store).filter(rules.lost_q(on=on, months=months)).values_list("id", flat=True)
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 12, 1), 12, dt.date(2025, 12, 1)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 3, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 5, 31), 12, dt.date(2025, 5, 31)),
        (dt.date(2026, 12, 31), 9, dt.date(2026, 3, 31)),
        (dt.date(2026, 1, 15), 13, dt.date(2024, 12, 15)),
    ],
)
def test_months_before_keeps_the_day_clamped(day, months, expected):
    assert rules.months_before(day, months) == expected


@pytest.mark.django_db
def test_exactly_twelve_months_is_lost_one_day_less_is_not(store_a):
    on = dt.date(2026, 12, 1)
    exactly = customer_with_ro(store_a, local(dt.date(2025, 12, 1), 17))
    customer_with_ro(store_a, local(dt.date(2025, 12, 2), 9))
    assert lost_ids(store_a, on) == {exactly.id}


@pytest.mark.django_db
def test_an_ro_at_0030_local_on_the_boundary_day_belongs_to_that_day(store_a):
    """00:30 in Shanghai on 2 Dec is 16:30 UTC on 1 Dec: by UTC date it would be lost, by local date not."""
    on = dt.date(2026, 12, 1)
    just_after_midnight = customer_with_ro(store_a, local(dt.date(2025, 12, 2), 0, 30))
    last_minute = customer_with_ro(store_a, local(dt.date(2025, 12, 1), 23, 59))
    assert lost_ids(store_a, on) == {last_minute.id}
    assert just_after_midnight.id not in lost_ids(store_a, on)


@pytest.mark.django_db
def test_the_31st_clamps_to_the_month_end(store_a):
    """Scanned on 31 March with a 1-month setting, 28 February (the clamped day) is lost, 1 March is not."""
    on = dt.date(2026, 3, 31)
    end_of_feb = customer_with_ro(store_a, local(dt.date(2026, 2, 28)))
    first_of_march = customer_with_ro(store_a, local(dt.date(2026, 3, 1)))
    assert lost_ids(store_a, on, months=1) == {end_of_feb.id}
    # 12 months before 31 May is 31 May: a visit on 31 May 2025 is lost on 31 May 2026.
    may = customer_with_ro(store_a, local(dt.date(2025, 5, 31)))
    assert may.id in lost_ids(store_a, dt.date(2026, 5, 31))
    assert may.id not in lost_ids(store_a, dt.date(2026, 5, 30))
    assert first_of_march.id not in lost_ids(store_a, on, months=1)


@pytest.mark.django_db
def test_a_delivery_only_customer_counts_by_the_delivery_date(store_a):
    on = dt.date(2026, 12, 1)
    lost = customer_with_delivery(store_a, dt.date(2025, 12, 1))
    recent = customer_with_delivery(store_a, dt.date(2025, 12, 2))
    assert lost_ids(store_a, on) == {lost.id}
    # A later delivery makes an old RO customer not lost: the latest of both counts.
    old_ro = customer_with_ro(store_a, local(dt.date(2024, 1, 5)))
    DeliveryFactory(store=store_a, customer=old_ro, delivered_on=dt.date(2026, 6, 1))
    assert old_ro.id not in lost_ids(store_a, on)
    assert recent.id not in lost_ids(store_a, on)


@pytest.mark.django_db
def test_a_customer_with_no_visit_is_neither_lost_nor_at_risk(store_a):
    nobody = CustomerFactory(store=store_a)
    on = dt.date(2026, 12, 1)
    assert nobody.id not in lost_ids(store_a, on)
    assert not customers_at_risk(store_ids=[store_a.id], on=on).filter(id=nobody.id).exists()


@pytest.mark.django_db
def test_at_risk_window_edges(store_a):
    on = dt.date(2026, 12, 1)
    nine_exactly = customer_with_ro(store_a, local(dt.date(2026, 3, 1), 23, 50))
    nine_less_a_day = customer_with_ro(store_a, local(dt.date(2026, 3, 2), 0, 30))
    twelve_less_a_day = customer_with_ro(store_a, local(dt.date(2025, 12, 2), 0, 30))
    twelve_exactly = customer_with_ro(store_a, local(dt.date(2025, 12, 1), 23, 59))
    at_risk = set(customers_at_risk(store_ids=[store_a.id], on=on).values_list("id", flat=True))
    assert at_risk == {nine_exactly.id, twelve_less_a_day.id}
    assert nine_less_a_day.id not in at_risk and twelve_exactly.id not in at_risk


@pytest.mark.django_db
def test_at_risk_follows_the_store_settings_and_narrows_to_given_customers(store_a, store_b):
    WinbackSettings.objects.create(store=store_b, lost_after_months=6, at_risk_after_months=3)
    on = dt.date(2026, 12, 1)
    a = customer_with_ro(store_a, local(dt.date(2026, 2, 10)))  # 9–12 months: at risk in A
    b = customer_with_ro(store_b, local(dt.date(2026, 8, 10)))  # 3–6 months: at risk in B
    b_lost = customer_with_ro(store_b, local(dt.date(2026, 2, 10)))  # lost in B (6 months)
    assert set(customers_at_risk(on=on).values_list("id", flat=True)) >= {a.id, b.id}
    assert b_lost.id not in set(customers_at_risk(on=on).values_list("id", flat=True))
    narrowed = customers_at_risk(customers=Customer.objects.filter(id__in=[b.id, b_lost.id]), on=on)
    assert list(narrowed.values_list("id", flat=True)) == [b.id]


@pytest.mark.parametrize(
    ("last_visit", "months", "expected"),
    [
        (dt.date(2025, 12, 1), 12, dt.date(2026, 12, 1)),
        (dt.date(2025, 3, 31), 11, dt.date(2026, 3, 1)),  # 28 Feb − 11 months = 28 Mar: not yet
        (dt.date(2024, 2, 29), 12, dt.date(2025, 3, 1)),  # 28 Feb 2025 − 12 months = 28 Feb 2024: not yet
        (dt.date(2025, 5, 31), 1, dt.date(2025, 7, 1)),
        (dt.date(2025, 1, 31), 1, dt.date(2025, 3, 1)),
        (dt.date(2027, 1, 30), 1, dt.date(2027, 3, 1)),
    ],
)
def test_lost_on_is_the_first_day_the_lost_rule_says_lost(last_visit, months, expected):
    settings = WinbackSettings(lost_after_months=months, at_risk_after_months=min(months - 1, 9) or 1)
    ro_at = local(last_visit, 23, 59)

    def lost(on):
        return rules.visit_status(last_ro_at=ro_at, last_delivery_on=None, on=on, settings=settings).lost

    assert rules.lost_on(last_visit, months) == expected
    assert lost(expected) and not lost(expected - dt.timedelta(days=1))


@pytest.mark.django_db
def test_lost_on_agrees_with_the_sql_rule_at_a_clamped_month_end(store_a):
    customer = customer_with_ro(store_a, local(dt.date(2025, 3, 31), 23, 59))
    day = rules.lost_on(dt.date(2025, 3, 31), 11)
    assert customer.id in lost_ids(store_a, day, months=11)
    assert customer.id not in lost_ids(store_a, day - dt.timedelta(days=1), months=11)


def test_the_last_visit_is_the_local_date_in_the_default_time_zone_whatever_zone_is_active():
    """00:30 in Shanghai on 2 Dec is 1 Dec in UTC: the last visit is 2 Dec for the scan, the card and
    the at-risk page alike, even where another time zone is active."""
    with timezone.override("UTC"):
        assert rules.last_visit_on(last_ro_at=local(dt.date(2025, 12, 2), 0, 30), last_delivery_on=None) == dt.date(
            2025, 12, 2
        )
        assert rules.last_visit_on(
            last_ro_at=local(dt.date(2025, 12, 2), 0, 30), last_delivery_on=dt.date(2025, 12, 3)
        ) == dt.date(2025, 12, 3)
    assert rules.last_visit_on(last_ro_at=None, last_delivery_on=None) is None
