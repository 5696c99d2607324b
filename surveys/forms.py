"""Forms of the template and script editors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.choices import NO_LABEL, YES_LABEL, QuestionType, TemplateKind
from surveys.models import CallScript


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class QuestionForm(forms.Form):
    """One question. Choices and negative choices are typed one label per line."""

    code = forms.RegexField(label=_("编号"), regex=r"^[A-Za-z][A-Za-z0-9_]{0,9}$", max_length=10)
    text = forms.CharField(label=_("问题"), widget=forms.Textarea(attrs={"rows": 2}))
    type = forms.ChoiceField(label=_("题型"), choices=QuestionType.choices)
    is_overall = forms.BooleanField(label=_("总体满意度"), required=False)
    order = forms.IntegerField(label=_("顺序"), min_value=0, initial=0)
    choices = forms.CharField(label=_("选项（每行一个）"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    negative_answer = forms.ChoiceField(
        label=_("负面回答（是/否题）"),
        required=False,
        choices=[("", _("无")), (YES_LABEL, _(YES_LABEL)), (NO_LABEL, _(NO_LABEL))],  # values stay 是 / 否
    )
    negative_choices = forms.CharField(
        label=_("负面选项（每行一个）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_choices(self):
        return _lines(self.cleaned_data["choices"])

    def clean_negative_choices(self):
        return _lines(self.cleaned_data["negative_choices"])

    @classmethod
    def initial_for(cls, question) -> dict:
        return {
            "code": question.code,
            "text": question.text,
            "type": question.type,
            "is_overall": question.is_overall,
            "order": question.order,
            "choices": "\n".join(question.choices),
            "negative_answer": question.negative_answer,
            "negative_choices": "\n".join(question.negative_choices),
        }


class TemplateCreateForm(forms.Form):
    code = forms.SlugField(label=_("编码"), max_length=30)
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=TemplateKind.choices)


class CallScriptForm(forms.ModelForm):
    class Meta:
        model = CallScript
        fields = ["code", "title", "kind", "order", "say", "do_not_say", "is_active"]
        widgets = {"say": forms.Textarea(attrs={"rows": 5}), "do_not_say": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "say": _("可用占位符：{称呼}（姓+先生/女士）、{姓名}、{门店}、{专员}"),
            "code": _("以 opening 开头的显示在问卷上方，以 closing 开头的显示在问卷下方，其余显示在侧栏"),
        }
