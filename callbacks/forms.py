"""Forms of the callback pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from callbacks.choices import Disposition


class AttemptForm(forms.Form):
    """One attempt from the call page. `overall` stands for the overall question until the
    questionnaire from the surveys app is rendered here."""

    disposition = forms.ChoiceField(label=_("回访结果"), choices=Disposition.choices)
    overall = forms.IntegerField(label=_("总体满意度"), min_value=1, max_value=10, required=False)
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


class DataFixForm(forms.Form):
    corrected_name = forms.CharField(label=_("修正姓名"), max_length=50, required=False)
    corrected_mobile = forms.CharField(label=_("修正手机"), max_length=11, required=False)
    corrected_landline = forms.CharField(label=_("修正固话"), max_length=20, required=False)
    corrected_other = forms.CharField(label=_("其他联系方式"), max_length=100, required=False)


class HotAlertCloseForm(forms.Form):
    note = forms.CharField(label=_("关闭说明"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    task_ids = forms.CharField(widget=forms.HiddenInput)
    assignee = forms.IntegerField(required=False)
