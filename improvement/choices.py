"""Enumerations of file audits (table 14) and EQC actions (table 15). A rule lives once."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# How many files of each kind a store's weekly audit samples (SPEC §10.4).
AUDIT_SAMPLE_SIZE = 10


class FileKind(models.TextChoices):
    """档案类别 of table 14: a sales file is a delivery (售前), a service file a repair order (售后)."""

    SALES = "sales", _("售前")
    SERVICE = "service", _("售后")


class AuditStatus(models.TextChoices):
    """检核状态; an audit not checked yet has an empty status."""

    NORMAL = "normal", _("正常")
    ABNORMAL = "abnormal", _("异常")


class EqcVerdict(models.TextChoices):
    """检核结果 of an EQC action, once its M0+3 month has ended."""

    IMPROVED = "improved", _("改善")
    NOT_IMPROVED = "not_improved", _("未改善")
