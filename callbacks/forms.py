"""Forms of the callback pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from callbacks.choices import CallbackKind, Disposition, Mood
from callbacks.queue_sources import extra_kind_choices
from surveys.choices import NO_LABEL, YES_LABEL, QuestionType


class AttemptForm(forms.Form):
    """One attempt from the call page. The questionnaire's answers are posted as `q_<code>` fields
    (see `questionnaire_answers`) and validated by surveys.services, which knows the questions;
    `version` names the questionnaire version the agent saw."""

    disposition = forms.ChoiceField(label=_("回访结果"), choices=Disposition.choices)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    appointment_at = forms.DateTimeField(
        label=_("约定时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    grumble = forms.BooleanField(
        label=_("抱怨"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    mood = forms.ChoiceField(
        label=_("客户心情"),
        required=False,
        choices=[("", "—"), *Mood.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )


ANSWER_PREFIX = "q_"


def questionnaire_answers(data, version) -> dict[str, str]:
    """The raw answers posted for `version` ({code: value}); empty values mean "not answered"."""
    return {q.code: data.get(f"{ANSWER_PREFIX}{q.code}", "") for q in version.questions.all()}


def questionnaire_rows(version, data=None, errors: dict | None = None) -> list[dict]:
    """What the call page draws for each question: the question, its field name, the posted value
    (kept when the page comes back with errors), its errors, and its answer buttons."""

    rows = []
    for q in version.questions.all():
        name = f"{ANSWER_PREFIX}{q.code}"
        if q.type == QuestionType.SCORE:
            # Keys: digits 1–9, and 0 for 10.
            options = [(str(n), str(n), str(n % 10)) for n in range(1, 11)]
        elif q.type == QuestionType.YES_NO:
            options = [(YES_LABEL, YES_LABEL, "y"), (NO_LABEL, NO_LABEL, "n")]
        elif q.type == QuestionType.CHOICE:
            options = [(label, label, str(i)) for i, label in enumerate(q.choices, start=1)]
        else:
            options = []
        rows.append(
            {
                "question": q,
                "name": name,
                "value": (data or {}).get(name, ""),
                "errors": (errors or {}).get(q.code, []),
                "options": [{"value": v, "label": lbl, "key": k} for v, lbl, k in options],
            }
        )
    return rows


class DataFixForm(forms.Form):
    corrected_name = forms.CharField(label=_("修正姓名"), max_length=50, required=False)
    corrected_mobile = forms.CharField(label=_("修正手机"), max_length=11, required=False)
    corrected_landline = forms.CharField(label=_("修正固话"), max_length=20, required=False)
    corrected_other = forms.CharField(label=_("其他联系方式"), max_length=100, required=False)


class HotAlertCloseForm(forms.Form):
    """The closing note of one alert or of many ticked ones. Required is the service's rule
    (callbacks.hot_alerts._hot_alert_close_note); the form refuses what no note may hold (NUL bytes)."""

    note = forms.CharField(label=_("关闭说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    task_ids = forms.CharField(widget=forms.HiddenInput)
    assignee = forms.IntegerField(required=False)


class QueueFilterForm(forms.Form):
    """The call queue's filters (all optional): kind, about to expire, my appointments."""

    kind = forms.ChoiceField(
        label=_("类型"),
        choices=[("", _("全部类型")), *CallbackKind.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    expiring = forms.BooleanField(
        label=_("24小时内到期"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    mine = forms.BooleanField(
        label=_("我的预约"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Reminder and win-back calls worked from this queue (callbacks.queue_sources).
        self.fields["kind"].choices = [*self.fields["kind"].choices, *extra_kind_choices()]
