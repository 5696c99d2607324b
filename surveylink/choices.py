"""Survey-link enumerations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkMode(models.TextChoices):
    """When a store's customers get the survey link (a per-store setting).

    OFF: never (the SMS score survey alone). INSTEAD: the link goes in place of the SMS score
    survey, when that would be sent (after the last failed call). AFTER: the SMS score survey goes
    as before, and the link follows `after_hours` later if the task is still open (no reply)."""

    OFF = "off", _("不发送")
    INSTEAD = "instead", _("代替短信打分")
    AFTER = "after", _("短信打分未回复后发送")


class LinkState(models.TextChoices):
    """What the customer's page shows for a link (`surveylink.selectors.survey_link_state`)."""

    OPEN = "open", _("待填写")
    ANSWERED = "answered", _("已回答")
    EXPIRED = "expired", _("已失效")
