"""Work that is stuck, for the administrator's operations page: each app registers the probes of
the rows it owns (as sheets register with the importer), so crm reads no other app's tables."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.choices import ImportStatus
from crm.models import ImportJob, SmsMessage
from crm.services import IMPORT_PENDING_GRACE, IMPORT_STALE_AFTER, import_job_lost_q
from crm.sms.choices import SmsStatus


@dataclass(frozen=True)
class StuckWork:
    label: str
    count: int
    oldest: datetime.datetime | None
    hint: str = ""


@dataclass(frozen=True)
class StuckProbe:
    key: str
    label: str
    # now -> the stuck rows, and the field whose minimum is "stuck since"
    rows: Callable[[datetime.datetime], QuerySet]
    since_field: str
    hint: str = ""
    order: int = 100


_PROBES: dict[str, StuckProbe] = {}


def register_stuck_probe(probe: StuckProbe) -> None:
    _PROBES[probe.key] = probe


def stuck_work(now: datetime.datetime | None = None) -> list[StuckWork]:
    """One row per registered probe (one aggregate query each), in the probes' order."""
    now = now or timezone.now()
    result = []
    for probe in sorted(_PROBES.values(), key=lambda p: (p.order, p.key)):
        figures = probe.rows(now).order_by().aggregate(count=Count("pk"), oldest=Min(probe.since_field))
        result.append(StuckWork(str(probe.label), figures["count"], figures["oldest"], str(probe.hint)))
    return result


def crm_stuck_probes() -> list[StuckProbe]:
    """crm's own: DMS import jobs and SMS messages."""

    return [
        StuckProbe(
            "import_lost",
            _("导入任务：进程中断（心跳超时）"),
            lambda now: ImportJob.objects.filter(import_job_lost_q(now - IMPORT_STALE_AFTER)),
            "started_at",
            _("每 2 分钟自动重新排队，最多运行 3 次"),
            10,
        ),
        StuckProbe(
            "import_waiting",
            _("导入任务：排队未开始"),
            lambda now: ImportJob.objects.filter(
                status=ImportStatus.PENDING, created_at__lt=now - IMPORT_PENDING_GRACE
            ),
            "created_at",
            _("任务队列不可用或工作进程繁忙"),
            11,
        ),
        StuckProbe(
            "sms_sending",
            _("短信：发送中无结果"),
            lambda now: SmsMessage.objects.filter(
                status=SmsStatus.SENDING, claimed_at__lt=now - datetime.timedelta(minutes=5)
            ),
            "claimed_at",
            _("15 分钟后标记为失败（不重发）"),
            20,
        ),
        StuckProbe(
            "sms_overdue",
            _("短信：到期未发送"),
            lambda now: SmsMessage.objects.filter(
                status=SmsStatus.QUEUED, send_after__lt=now - datetime.timedelta(minutes=15)
            ),
            "send_after",
            _("每 5 分钟的发送任务会补发"),
            21,
        ),
    ]
