"""The survey page's answers: posted as `q_<code>` like the call page's (callbacks.forms), and
validated by the one questionnaire rule (surveys.services.answers_validate, through the recording
service). Here only what no answer may hold: NUL bytes, and text beyond a sane length."""

from django.utils.translation import gettext as _

from callbacks.forms import questionnaire_answers

TEXT_MAX_CHARS = 1000


def posted_answers(data, version) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The raw answers ({code: value}) and the errors keyed by question code."""
    answers = questionnaire_answers(data, version)
    errors: dict[str, list[str]] = {}
    for code, value in answers.items():
        if "\x00" in value:
            errors[code] = [_("包含无效字符。")]
        elif len(value) > TEXT_MAX_CHARS:
            errors[code] = [_("最多 %(n)s 个字。") % {"n": TEXT_MAX_CHARS}]
    return answers, errors


def customer_errors(errors: dict[str, list[str]], version, answers: dict[str, str]) -> dict[str, list[str]]:
    """The service's errors as the customer reads them: the missing overall answer says "required"
    instead of naming the question's code (the page numbers the questions, it shows no codes)."""
    overall = next((q for q in version.questions.all() if q.is_overall), None)
    if overall is not None and overall.code in errors and not answers.get(overall.code, "").strip():
        errors = {**errors, overall.code: [_("此题为必答题。")]}
    return errors
