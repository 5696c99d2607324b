"""Survey links for tests: with a known token (the real one exists only in the SMS)."""

import datetime
from zoneinfo import ZoneInfo

from crm.tokens import token_hash
from surveylink.models import SurveyLink
from surveys.selectors import template_current_version

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday, outside the SMS quiet hours


def make_link(task, token: str = "tok-A1b2C3d4E5f6") -> SurveyLink:
    return SurveyLink.objects.create(
        task=task,
        token_hash=token_hash(token),
        version=template_current_version(kind=task.kind),
        created_at=task.window_opens_at,
        expires_at=task.window_closes_at,
    )


def page_url(token: str = "tok-A1b2C3d4E5f6") -> str:
    return f"/s/{token}/"


# A full, happy sales questionnaire as the page posts it (q_<code>).
SALES_HAPPY = {"q_Q0": "9", "q_Q1": "10", "q_Q3": "是", "q_Q5": "否", "q_Q11": "挺好的"}
