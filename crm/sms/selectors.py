"""SMS reads: the outbox page (table 13) and the replies waiting for a person."""

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from crm.models import User
from crm.periods import month_bounds
from crm.scoping import scope_for_user
from crm.sms.choices import Direction
from crm.sms.models import SmsMessage


def sms_outbox(
    *,
    user: User,
    status: str | None = None,
    reason: str | None = None,
    direction: str | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    store_id: int | None = None,
) -> QuerySet[SmsMessage]:
    """Messages of the user's stores, newest first, filtered; dates are local days (inclusive)."""
    qs = scope_for_user(SmsMessage.objects.all(), user)
    if status:
        qs = qs.filter(status=status)
    if reason:
        qs = qs.filter(reason=reason)
    if direction:
        qs = qs.filter(direction=direction)
    if date_from:
        qs = qs.filter(queued_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(queued_at__date__lte=date_to)
    if store_id:
        qs = qs.filter(store_id=store_id)
    return qs.select_related("store", "customer").order_by("-queued_at", "-id")


def sms_inbound_needing_person(*, user: User, limit: int = 50) -> list[SmsMessage]:
    """Inbound messages nobody has read yet, oldest first (first come, first answered)."""
    qs = scope_for_user(SmsMessage.objects.filter(direction=Direction.INBOUND, handled=False), user)
    return list(qs.select_related("store", "customer", "reply_to").order_by("queued_at", "id")[:limit])


# Table 13 (短信发送记录表) headers, in the seed's order; `sms_log_rows` yields rows in this order.
# Exports keep them; pages translate them when shown.
SMS_LOG_HEADERS = (
    *(gettext_noop("客户姓名"), gettext_noop("号码"), gettext_noop("原因类型")),
    *(gettext_noop("发送时间"), gettext_noop("发送状态"), gettext_noop("客户回复内容")),
)


def sms_log_rows(*, store_ids: Iterable[int] | None, month: datetime.date) -> QuerySet:
    """Outbound messages queued in the local calendar month of `month` (Asia/Shanghai), oldest
    first, for table 13 (the reports app adds labels and masking). store_ids None: every store."""
    start, end = month_bounds(month)
    qs = SmsMessage.objects.filter(direction=Direction.OUTBOUND, queued_at__gte=start, queued_at__lt=end)
    if store_ids is not None:
        qs = qs.filter(store_id__in=list(store_ids))
    return qs.select_related("customer").order_by("queued_at", "id")
