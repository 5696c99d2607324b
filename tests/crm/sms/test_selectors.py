"""Table 13 rows: the local calendar month, the stores asked for, outbound only."""

import datetime
from zoneinfo import ZoneInfo

from crm.sms import services
from crm.sms.selectors import sms_log_rows
from tests.factories import CustomerFactory

TZ = ZoneInfo("Asia/Shanghai")


def _send(store, key, at):
    c = CustomerFactory(store=store)
    return services.sms_send(
        store=store, customer=c, mobile=c.mobile, body="x", reason="festival", related_key=key, now=at
    )


def test_month_edges_are_local_and_stores_filter(store_a, store_b):
    last_of_march = _send(store_a, "a", datetime.datetime(2026, 3, 31, 23, 59, tzinfo=TZ))
    first_of_april = _send(store_a, "b", datetime.datetime(2026, 4, 1, 0, 0, tzinfo=TZ))  # 2026-03-31 16:00 UTC
    december = _send(store_a, "c", datetime.datetime(2026, 12, 31, 12, 0, tzinfo=TZ))
    other_store = _send(store_b, "d", datetime.datetime(2026, 4, 2, 12, 0, tzinfo=TZ))
    services.sms_receive(
        mobile=first_of_april.mobile, text="好", received_at=datetime.datetime(2026, 4, 1, 9, tzinfo=TZ)
    )
    assert list(sms_log_rows(store_ids=[store_a.pk], month=datetime.date(2026, 3, 1))) == [last_of_march]
    assert list(sms_log_rows(store_ids=[store_a.pk], month=datetime.date(2026, 4, 1))) == [first_of_april]
    assert list(sms_log_rows(store_ids=None, month=datetime.date(2026, 4, 1))) == [first_of_april, other_store]
    assert list(sms_log_rows(store_ids=None, month=datetime.date(2026, 12, 1))) == [december]
