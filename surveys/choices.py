"""Survey enumerations and THE satisfaction rules (SPEC §2, §7).

The negative-answer rule lives in `surveys.services.answer_is_negative`; the satisfaction bucket
of an overall score lives here, used by the call page, the reports and the tests alike.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TemplateKind(models.TextChoices):
    """Which callbacks a questionnaire serves; the values equal `callbacks.choices.CallbackKind`."""

    SALES = "sales", _("销售回访问卷")
    SERVICE = "service", _("售后回访问卷")


class QuestionType(models.TextChoices):
    SCORE = "score", _("打分(1–10)")
    YES_NO = "yes_no", _("是/否")
    CHOICE = "choice", _("单选")
    TEXT = "text", _("文字")


class ResponseSource(models.TextChoices):
    CALL = "call", _("电话")
    SMS = "sms", _("短信")
    IMPORT = "import", _("导入")
    WEB = "web", _("网页")  # the customer's own survey link (surveylink)


class ScriptKind(models.TextChoices):
    """Which callbacks a call script (话术) is shown on."""

    ALL = "all", _("通用")
    SALES = "sales", _("销售回访")
    SERVICE = "service", _("售后回访")


class Satisfaction(models.TextChoices):
    FULLY = "fully", _("完全满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


SCORE_MIN, SCORE_MAX = 1, 10
# A score at or below this is a negative answer (SPEC §6: "any answer of 1–5 on a score question").
NEGATIVE_SCORE_MAX = 5
# The overall-score buckets of SPEC §2: 8–10 完全满意, 6–7 基本满意, 1–5 不满意 — THE one definition
# (the call page, callbacks.figures' report expressions and the tests read it).
FULLY_SATISFIED_MIN = 8
BASICALLY_SATISFIED_MIN = 6
SATISFACTION_BANDS: dict[str, tuple[int, int]] = {
    Satisfaction.FULLY: (FULLY_SATISFIED_MIN, SCORE_MAX),
    Satisfaction.BASICALLY: (BASICALLY_SATISFIED_MIN, FULLY_SATISFIED_MIN - 1),
    Satisfaction.DISSATISFIED: (SCORE_MIN, BASICALLY_SATISFIED_MIN - 1),
}

YES_LABEL, NO_LABEL = "是", "否"


def satisfaction_bucket(score: int | None) -> str | None:
    """The satisfaction bucket of an overall score (None for no score)."""
    if score is None:
        return None
    if score >= FULLY_SATISFIED_MIN:
        return Satisfaction.FULLY
    if score >= BASICALLY_SATISFIED_MIN:
        return Satisfaction.BASICALLY
    return Satisfaction.DISSATISFIED  # the bands of SATISFACTION_BANDS, which cover 1–10
