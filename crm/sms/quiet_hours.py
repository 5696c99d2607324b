"""Quiet hours (SPEC §10): no SMS between 21:00 and 08:00 local time; such messages wait for 08:00."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

QUIET_START = datetime.time(21, 0)
QUIET_END = datetime.time(8, 0)


def _local(at: datetime.datetime) -> datetime.datetime:
    return at.astimezone(ZoneInfo(settings.TIME_ZONE))


def is_quiet(at: datetime.datetime) -> bool:
    """21:00:00 up to 07:59:59.999999 local is quiet; 20:59 and 08:00 are not."""
    t = _local(at).time()
    return t >= QUIET_START or t < QUIET_END


def next_send_time(at: datetime.datetime) -> datetime.datetime:
    """`at` itself outside quiet hours, otherwise the 08:00 local that ends them."""
    if not is_quiet(at):
        return at
    local = _local(at)
    day = local.date() + datetime.timedelta(days=1) if local.time() >= QUIET_START else local.date()
    return datetime.datetime.combine(day, QUIET_END, local.tzinfo)
