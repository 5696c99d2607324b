"""Forms of the audit checklist, the meeting record and EQC actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from improvement.choices import AuditStatus
from improvement.models import ImprovementMeeting

TEXT = {"class": "form-control form-control-sm", "rows": 2}


class AuditForm(forms.Form):
    """One checklist row. Staff choices come from the page (one query for the whole list)."""

    status = forms.ChoiceField(label=_("检核状态"), choices=[("", "—"), *AuditStatus.choices], required=False)
    abnormal_description = forms.CharField(label=_("异常状态描述"), required=False, max_length=1000)
    improvement_measure = forms.CharField(label=_("改进建议和措施"), required=False, max_length=1000)
    responsible = forms.TypedChoiceField(label=_("问题责任人"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, staff_choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = [("", "—"), *staff_choices]


class MeetingForm(forms.ModelForm):
    store = forms.TypedChoiceField(label=_("门店"), coerce=int)

    class Meta:
        model = ImprovementMeeting
        fields = ["held_on", "attendees", "minutes"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "minutes": forms.Textarea(attrs={"rows": 4}),
        }

    field_order = ["store", "held_on", "attendees", "minutes"]

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.pk, s.name) for s in stores]
        if len(stores) == 1:
            self.fields["store"].initial = stores[0].pk


class MeetingMinutesForm(forms.ModelForm):
    class Meta:
        model = ImprovementMeeting
        fields = ["attendees", "minutes"]
        widgets = {"attendees": forms.Textarea(attrs={"rows": 2}), "minutes": forms.Textarea(attrs={"rows": 5})}


class EqcActionForm(forms.Form):
    question = forms.ChoiceField(label=_("弱项（问卷题目）"))
    cause_analysis = forms.CharField(label=_("原因分析"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    measure = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    owner = forms.CharField(label=_("责任人"), max_length=60)
    due_on = forms.DateField(label=_("完成时间"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        kind_labels = {"sales": _("销售"), "service": _("售后")}
        self.fields["question"].choices = [
            (f"{kind}:{q.code}", f"{kind_labels[kind]} {q.code} {q.text}") for kind, q in questions
        ]

    def question_key(self) -> tuple[str, str]:
        kind, code = self.cleaned_data["question"].split(":", 1)
        return kind, code


class SignOffForm(forms.Form):
    note = forms.CharField(label=_("总经理意见"), required=False, max_length=300)
