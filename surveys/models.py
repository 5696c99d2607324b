"""Questionnaires (回访问卷) with versions, their responses, and the call scripts (话术) (SPEC §7).

Templates are dealer-group data (not per store): every store of the group asks the same questions,
as the manufacturer's survey does. A version is frozen once it has a response; editing a frozen
version creates the next version, and the old responses keep pointing at theirs.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.choices import (
    NO_LABEL,
    SCORE_MAX,
    SCORE_MIN,
    YES_LABEL,
    QuestionType,
    ResponseSource,
    ScriptKind,
    TemplateKind,
)


class Template(models.Model):
    """A questionnaire (回访问卷): one active template per kind serves that kind's callbacks."""

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=TemplateKind.choices)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("问卷模板")
        verbose_name_plural = _("问卷模板")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(is_active=True), name="survey_template_one_active_per_kind"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TemplateVersion(models.Model):
    """One version of a template's questions. `frozen_at` is set by the first response recorded
    against it; from then on its questions never change (edits make the next version)."""

    template = models.ForeignKey(
        Template, verbose_name=_("问卷模板"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("版本号"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    frozen_at = models.DateTimeField(_("冻结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("问卷版本")
        verbose_name_plural = _("问卷版本")
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="survey_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Question(models.Model):
    """A question of a version. The negative rule (SPEC §6): a score of 1–5; for yes/no the answer
    named by `negative_answer`; for a choice any label in `negative_choices`; text is never negative."""

    version = models.ForeignKey(
        TemplateVersion, verbose_name=_("问卷版本"), on_delete=models.CASCADE, related_name="questions"
    )
    code = models.CharField(_("编号"), max_length=10)
    text = models.TextField(_("问题"))
    type = models.CharField(_("题型"), max_length=10, choices=QuestionType.choices)
    is_overall = models.BooleanField(_("总体满意度"), default=False)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    negative_answer = models.CharField(
        _("负面回答"),
        max_length=2,
        blank=True,
        choices=[(YES_LABEL, YES_LABEL), (NO_LABEL, NO_LABEL)],
        help_text=_("是/否题：哪个回答算负面"),
    )
    negative_choices = models.JSONField(_("负面选项"), default=list, blank=True)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="survey_question_unique_code"),
            models.UniqueConstraint(
                fields=["version"], condition=models.Q(is_overall=True), name="survey_question_one_overall"
            ),
            models.CheckConstraint(
                condition=models.Q(is_overall=False) | models.Q(type=QuestionType.SCORE),
                name="survey_question_overall_is_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:20]}"


class Response(models.Model):
    """One customer's answers to one version (回访问卷结果): from a call, an SMS reply or an import.

    A callback task points at its response (`CallbackTask.response`); `subject_key` names the
    subject of a response that belongs to no callback task (e.g. a survey-centre row), and is empty
    for task responses. `overall_score` repeats the overall answer so reports need no join.
    """

    version = models.ForeignKey(
        TemplateVersion, verbose_name=_("问卷版本"), on_delete=models.PROTECT, related_name="responses"
    )
    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "crm.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="survey_responses"
    )
    answered_at = models.DateTimeField(_("回答时间"))
    source = models.CharField(_("来源"), max_length=10, choices=ResponseSource.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    overall_score = models.PositiveSmallIntegerField(_("总体满意度"), null=True, blank=True)
    has_negative = models.BooleanField(_("有负面回答"), default=False)
    subject_key = models.CharField(_("对象"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("问卷结果")
        verbose_name_plural = _("问卷结果")
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_key"], condition=~models.Q(subject_key=""), name="survey_response_unique_subject"
            ),
            models.CheckConstraint(
                condition=models.Q(overall_score__isnull=True)
                | models.Q(overall_score__gte=SCORE_MIN, overall_score__lte=SCORE_MAX),
                name="survey_response_overall_in_range",
            ),
        ]
        indexes = [models.Index(fields=["store", "answered_at"], name="survey_response_store_at_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.version}"


class Answer(models.Model):
    """One answer; exactly the column of its question's type is filled. `is_negative` is stored
    when recorded (by `answer_is_negative`) so weak items (EQC弱项) aggregate in the database."""

    response = models.ForeignKey(Response, verbose_name=_("问卷结果"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, verbose_name=_("问题"), on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(_("分数"), null=True, blank=True)
    yes = models.BooleanField(_("是/否"), null=True, blank=True)
    choice = models.CharField(_("选项"), max_length=100, blank=True)
    text = models.TextField(_("原话"), blank=True)
    is_negative = models.BooleanField(_("负面"), default=False)

    class Meta:
        verbose_name = _("回答")
        verbose_name_plural = _("回答")
        ordering = ["response", "question__order", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_unique_question"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="survey_answer_score_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}={self.display}"

    @property
    def value(self):
        """The answer as the service takes it: int, bool, choice label or text."""
        if self.score is not None:
            return self.score
        if self.yes is not None:
            return self.yes
        return self.choice or self.text

    @property
    def display(self) -> str:
        if self.yes is not None:
            return YES_LABEL if self.yes else NO_LABEL
        return str(self.value)


class CallScript(models.Model):
    """A call script (话术, seed 001 section 二): what to say in one situation, and what never to say.

    `say` may hold placeholders filled by `surveys.services.script_render`: {称呼} (surname +
    先生/女士), {姓名} (full name), {门店} (store name), {专员} (the agent's name).
    """

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    title = models.CharField(_("场景"), max_length=100)
    say = models.TextField(_("标准话术"))
    do_not_say = models.TextField(_("禁止用语"), blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("适用"), max_length=10, choices=ScriptKind.choices, default=ScriptKind.ALL)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("话术")
        verbose_name_plural = _("话术")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title
