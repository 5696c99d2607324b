from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    """What an API client may do. A client holds a list of these (ApiClient.scopes)."""

    DMS_PUSH = "dms:push", _("推送DMS数据（交车、工单、回访结果）")
    LOOKUP = "lookup", _("查找客户与客户时间线（来电弹屏）")
    READ = "read", _("读取回访任务、投诉、提醒与报表")
    CTI_EVENTS = "cti:events", _("上报通话事件（电话系统）")

    @classmethod
    def help_text(cls) -> str:
        return "、".join(cls.values)
