"""Survey writes and rules: recording a response, THE negative-answer rule, rendering call scripts.

`answer_is_negative` is the single place that says which answer is negative (SPEC §6): the call
page, the hot alert, the import and the reports (through `Answer.is_negative`) all use it.
"""

import datetime
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from surveys.choices import (
    NEGATIVE_SCORE_MAX,
    NO_LABEL,
    SCORE_MAX,
    SCORE_MIN,
    YES_LABEL,
    QuestionType,
    ResponseSource,
)
from surveys.models import Answer, CallScript, Question, Response, Template, TemplateVersion
from surveys.selectors import template_current_version

# The key a caller may use for "the overall question, whatever its code" (Q0 in sales, Q1 in service).
OVERALL_KEY = "overall"

_YES = {YES_LABEL, "y", "yes", "true", "对", "有"}
_NO = {NO_LABEL, "n", "no", "false", "没有", "无"}


def _normalise(raw: Any) -> str:
    """Full-width digits and letters to ASCII (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", str(raw)).strip()


def answer_parse(question: Question, raw: Any) -> dict[str, Any]:
    """The Answer columns for a raw value of `question`; ValidationError (one message) if it does
    not fit: a score 1–10 (int, or text such as "9", "９", "9分"), 是/否 (or a bool, y/n), one of the
    choice labels, or any text (kept verbatim)."""
    if question.type == QuestionType.SCORE:
        if isinstance(raw, bool):
            raise ValidationError(_("应为 1–10 的分数"))
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = _normalise(raw).removesuffix("分").strip()
        try:
            score = int(text)
        except ValueError as exc:
            raise ValidationError(_("应为 1–10 的分数：%(v)s") % {"v": raw}) from exc
        if not SCORE_MIN <= score <= SCORE_MAX:
            raise ValidationError(_("分数超出范围 1–10：%(v)s") % {"v": raw})
        return {"score": score}
    if question.type == QuestionType.YES_NO:
        if isinstance(raw, bool):
            return {"yes": raw}
        text = _normalise(raw).lower()
        if text in _YES:
            return {"yes": True}
        if text in _NO:
            return {"yes": False}
        raise ValidationError(_("应为 是 或 否：%(v)s") % {"v": raw})
    if question.type == QuestionType.CHOICE:
        label = _normalise(raw)
        if label not in question.choices:
            raise ValidationError(
                _("应为以下选项之一：%(c)s（收到：%(v)s）") % {"c": " / ".join(question.choices), "v": raw}
            )
        return {"choice": label}
    return {"text": str(raw)}  # verbatim: what the customer said, as the agent typed it


def answer_is_negative(question: Question, answer: Any) -> bool:
    """THE negative-answer rule (SPEC §6): a score of 1–5; for a yes/no question the answer its
    `negative_answer` names; for a choice one of its `negative_choices`; text never.

    `answer` is an `Answer` or an already parsed value (int score, bool, choice label).
    """
    value = answer.value if isinstance(answer, Answer) else answer
    if question.type == QuestionType.SCORE:
        return isinstance(value, int) and not isinstance(value, bool) and value <= NEGATIVE_SCORE_MAX
    if question.type == QuestionType.YES_NO:
        if not isinstance(value, bool) or not question.negative_answer:
            return False
        return (YES_LABEL if value else NO_LABEL) == question.negative_answer
    if question.type == QuestionType.CHOICE:
        return value in (question.negative_choices or [])
    return False


def answer_shown(answer: Answer) -> str:
    """An answer as people read it: a score as "9分", anything else as given."""
    return _("%(n)s分") % {"n": answer.score} if answer.score is not None else answer.display


def answer_reason(question: Question, answer: Answer) -> str:
    """A hot-alert reason line for a negative answer, e.g. "Q3 否：在您购买新车前…"."""
    return f"{question.code} {answer_shown(answer)}：{question.text}"


def response_negative_reasons(response: Response) -> list[str]:
    return [answer_reason(a.question, a) for a in response.answers.select_related("question") if a.is_negative]


def verbatim_line(question: Question, text: str) -> str:
    """A text answer as a hot-alert reason and complaint line: the customer's own words, kept whole
    (seed 000: record what the customer said, do not shorten it)."""
    return _("%(code)s 客户原话：%(text)s") % {"code": question.code, "text": text.strip()}


def answer_verbatim(answer) -> str | None:
    """The customer's own words of one answer as a line (a text answer that says something), else None."""
    if answer.question.type == QuestionType.TEXT and answer.text.strip():
        return verbatim_line(answer.question, answer.text)
    return None


def response_verbatim_lines(response: Response) -> list[str]:
    """The customer's own words of a response (its non-empty text answers), in question order."""
    answers = response.answers.select_related("question").order_by("question__order", "question_id")
    return [line for line in map(answer_verbatim, answers) if line]


def _version_for(*, task, version: TemplateVersion | None) -> TemplateVersion:

    if version is None:
        version = template_current_version(kind=task.kind)
        if version is None:
            raise ValidationError(_("没有可用的回访问卷，请联系客关部经理。"))
    elif task is not None and version.template.kind != task.kind:
        raise ValidationError(_("问卷类型与回访类型不符。"))
    return version


def answers_validate(*, version: TemplateVersion, answers: Mapping[str, Any]) -> dict[Question, dict[str, Any]]:
    """Parse every answer against its question; ValidationError keyed by question code listing
    every problem (unknown code, value that does not fit, missing overall answer)."""
    questions = {q.code: q for q in version.questions.all()}
    overall = next((q for q in questions.values() if q.is_overall), None)
    parsed: dict[Question, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    for code, raw in answers.items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue  # not asked / not answered
        key = overall.code if code == OVERALL_KEY and overall is not None else str(code).strip()
        question = questions.get(key)
        if question is None:
            errors.setdefault(key, []).append(_("问卷中没有问题 %(c)s") % {"c": key})
            continue
        try:
            parsed[question] = answer_parse(question, raw)
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)
    if overall is not None and overall not in parsed and overall.code not in errors:
        errors[overall.code] = [_("必须填写总体满意度（%(c)s）") % {"c": overall.code}]
    if errors:
        raise ValidationError(errors)
    return parsed


def response_record(
    *,
    answers: Mapping[str, Any],
    source: str = ResponseSource.CALL,
    task=None,
    version: TemplateVersion | None = None,
    agent=None,
    at: datetime.datetime | None = None,
    store=None,
    customer=None,
    subject_key: str = "",
) -> Response:
    """Validate and store one response; freeze its version.

    With `task` (a callbacks.CallbackTask), the version defaults to the current one of the task's
    kind, and store and customer come from the task; surveys never writes the task: callbacks links
    the response and copies its overall score (callbacks.services).
    Without a task, `version`, `store` and `customer` are required (e.g. a survey-centre row).
    The task is duck-typed, so surveys never imports callbacks.
    """
    if task is None and (version is None or store is None or customer is None):
        raise ValueError("response_record needs a task, or a version, store and customer")
    at = at or timezone.now()
    version = _version_for(task=task, version=version)
    parsed = answers_validate(version=version, answers=answers)
    overall_score, negatives = _scored(parsed)
    with transaction.atomic():
        response = Response.objects.create(
            version=version,
            store_id=task.store_id if task is not None else store.pk,
            customer_id=task.customer_id if task is not None else customer.pk,
            answered_at=at,
            source=source,
            agent=agent,
            overall_score=overall_score,
            has_negative=any(negatives.values()),
            subject_key=subject_key,
        )
        Answer.objects.bulk_create(
            Answer(response=response, question=q, is_negative=negatives[q], **cols) for q, cols in parsed.items()
        )
        # The first response freezes the version: from now on an edit makes the next version.
        TemplateVersion.objects.filter(pk=version.pk, frozen_at__isnull=True).update(frozen_at=at)
    return response


def _scored(parsed: dict) -> tuple[int | None, dict]:
    """Validated answers' overall score and, per question, whether its answer is negative."""
    overall_score = next((cols["score"] for q, cols in parsed.items() if q.is_overall), None)
    negatives = {q: answer_is_negative(q, next(iter(cols.values()))) for q, cols in parsed.items()}
    return overall_score, negatives


def response_answers_replace(*, response: Response, answers: Mapping[str, Any]) -> bool:
    """Replace a response's answers (a re-imported row whose answers changed), against the
    response's own version. Returns False when nothing differs. The caller (callbacks) brings the
    linked task's overall score along."""
    version = TemplateVersion.objects.prefetch_related("questions").get(pk=response.version_id)
    parsed = answers_validate(version=version, answers=answers)
    wanted = {q.pk: cols for q, cols in parsed.items()}
    current = {
        a.question_id: {
            k: v
            for k, v in (("score", a.score), ("yes", a.yes), ("choice", a.choice), ("text", a.text))
            if v not in (None, "")
        }
        for a in response.answers.all()
    }
    if current == {pk: {k: v for k, v in cols.items() if v not in (None, "")} for pk, cols in wanted.items()}:
        return False
    overall_score, negatives = _scored(parsed)
    with transaction.atomic():
        response.answers.all().delete()
        Answer.objects.bulk_create(
            Answer(response=response, question=q, is_negative=negatives[q], **cols) for q, cols in parsed.items()
        )
        response.overall_score, response.has_negative = overall_score, any(negatives.values())
        response.save(update_fields=["overall_score", "has_negative"])
    return True


# --- call scripts ---------------------------------------------------------------------------------


def customer_salutation(customer) -> str:
    """Surname + 先生 / 女士 by gender (先生/女士 when unknown). The rule is crm's
    (`Customer.salutation`); the scripts only use it."""
    return customer.salutation


def script_render(script: CallScript, customer, *, store=None, agent=None) -> str:
    """The script's words for this call: {称呼} surname + 先生/女士, {姓名} the full name, {门店} the
    store, {专员} the agent. Plain replacement (not str.format) so a stray brace typed in the
    editor cannot break the call page."""
    agent_name = ""
    with translation.override(settings.LANGUAGE_CODE):  # said to the customer: never in the UI language
        our_store = _("我们店")
    if agent is not None:
        agent_name = getattr(agent, "display_name", "") or getattr(agent, "username", "")
    values = {
        "{称呼}": customer_salutation(customer),
        "{姓名}": customer.name,
        "{门店}": store.name if store is not None else our_store,
        "{专员}": agent_name,
    }
    text = script.say
    for token, value in values.items():
        text = text.replace(token, value)
    return text


# --- the template editor (CR manager) -------------------------------------------------------------


def _copy_version(version: TemplateVersion, *, user) -> TemplateVersion:
    """The next version of the template, with a copy of every question of `version`."""
    new = TemplateVersion.objects.create(template_id=version.template_id, number=version.number + 1, created_by=user)
    Question.objects.bulk_create(
        Question(
            version=new,
            code=q.code,
            text=q.text,
            type=q.type,
            is_overall=q.is_overall,
            order=q.order,
            choices=list(q.choices),
            negative_answer=q.negative_answer,
            negative_choices=list(q.negative_choices),
        )
        for q in version.questions.order_by("order", "id")
    )
    return new


def template_version_for_edit(*, template, user) -> tuple[TemplateVersion, bool]:
    """The version an edit applies to, locked for this transaction: the latest one while it has no
    answers, else a new copy of it (old answers keep their version). Returns (version, created).
    Must run inside a transaction."""
    latest = TemplateVersion.objects.select_for_update().filter(template=template).order_by("-number").first()
    if latest is None:
        return TemplateVersion.objects.create(template=template, number=1, created_by=user), True
    if latest.is_frozen:
        return _copy_version(latest, user=user), True
    return latest, False


def _clean_question(
    *, version, code, text, type, is_overall, choices, negative_answer, negative_choices, editing
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not code or not text.strip():
        errors.setdefault("code" if not code else "text", []).append(_("必填"))
    clash = version.questions.filter(code=code).exclude(pk=getattr(editing, "pk", None)).exists()
    if clash:
        errors.setdefault("code", []).append(_("编号 %(c)s 已存在") % {"c": code})
    if is_overall and type != QuestionType.SCORE:
        errors.setdefault("is_overall", []).append(_("总体满意度必须是打分题"))
    if editing is not None and editing.is_overall and not is_overall:
        errors.setdefault("is_overall", []).append(_("每份问卷必须有一个总体满意度问题；请把另一题设为总体满意度"))
    if type == QuestionType.CHOICE:
        if len(choices) < 2:
            errors.setdefault("choices", []).append(_("单选题至少需要两个选项"))
        if len(set(choices)) != len(choices):
            errors.setdefault("choices", []).append(_("选项不能重复"))
        if set(negative_choices) - set(choices):
            errors.setdefault("negative_choices", []).append(_("负面选项必须是选项之一"))
    elif choices or negative_choices:
        errors.setdefault("choices", []).append(_("只有单选题有选项"))
    if negative_answer and type != QuestionType.YES_NO:
        errors.setdefault("negative_answer", []).append(_("只有是/否题有负面回答"))
    return errors


def question_save(
    *,
    template,
    user,
    code: str,
    text: str,
    type: str,
    is_overall: bool = False,
    order: int = 0,
    choices: list[str] | None = None,
    negative_answer: str = "",
    negative_choices: list[str] | None = None,
    original_code: str | None = None,
) -> tuple[Question, bool]:
    """Add a question (original_code None) or change the one with `original_code`. Applies to the
    latest version, or to a new version when the latest has answers. Returns (question, whether a
    new version was made). Making a question overall takes the mark from the previous one."""
    choices = [c.strip() for c in (choices or []) if c.strip()]
    negative_choices = [c.strip() for c in (negative_choices or []) if c.strip()]
    code = code.strip()
    with transaction.atomic():
        version, created = template_version_for_edit(template=template, user=user)
        editing = None
        if original_code is not None:
            editing = version.questions.filter(code=original_code).first()
            if editing is None:
                raise ValidationError(_("问卷中没有问题 %(c)s") % {"c": original_code})
        errors = _clean_question(
            version=version,
            code=code,
            text=text,
            type=type,
            is_overall=is_overall,
            choices=choices,
            negative_answer=negative_answer,
            negative_choices=negative_choices,
            editing=editing,
        )
        if errors:
            raise ValidationError(errors)
        if is_overall:
            version.questions.exclude(pk=getattr(editing, "pk", None)).update(is_overall=False)
        question = editing or Question(version=version)
        question.code, question.text, question.type = code, text.strip(), type
        question.is_overall, question.order = is_overall, order
        question.choices, question.negative_choices = choices, negative_choices
        question.negative_answer = negative_answer
        question.save()
    return question, created


def question_delete(*, template, user, code: str) -> bool:
    """Remove a question from the latest (or a new) version; the overall question cannot go.
    Returns whether a new version was made."""
    with transaction.atomic():
        version, created = template_version_for_edit(template=template, user=user)
        question = version.questions.filter(code=code).first()
        if question is None:
            raise ValidationError(_("问卷中没有问题 %(c)s") % {"c": code})
        if question.is_overall:
            raise ValidationError(_("不能删除总体满意度问题"))
        question.delete()
    return created


def template_create(*, code: str, name: str, kind: str, user):
    """A new (inactive) template whose version 1 holds the overall question, to be filled in.
    ValidationError when the code is taken (the unique constraint decides, so two at once cannot
    both have it)."""

    with translation.override(settings.LANGUAGE_CODE):  # read to the customer: never in the UI language
        overall_text = _("您对本次服务的总体满意程度如何?")
    with transaction.atomic():
        try:
            with transaction.atomic():
                template = Template.objects.create(code=code, name=name, kind=kind, is_active=False)
        except IntegrityError as exc:
            raise ValidationError(_("编码已存在。")) from exc
        version = TemplateVersion.objects.create(template=template, number=1, created_by=user)
        Question.objects.create(
            version=version,
            code="Q1",
            text=overall_text,
            type=QuestionType.SCORE,
            is_overall=True,
        )
    return template


def template_activate(*, template) -> None:
    """Make `template` the one its kind's callbacks ask (the other of that kind stops)."""

    with transaction.atomic():
        Template.objects.filter(kind=template.kind, is_active=True).exclude(pk=template.pk).update(is_active=False)
        Template.objects.filter(pk=template.pk).update(is_active=True)
    template.is_active = True


def call_script_save(*, script: CallScript | None = None, **fields) -> CallScript:
    """Create or change a call script (话术); the fields of `CallScript`."""
    script = script or CallScript()
    for name, value in fields.items():
        setattr(script, name, value)
    script.full_clean()
    script.save()
    return script
