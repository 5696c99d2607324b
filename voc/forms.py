"""Forms of the VOC pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from voc.models import VocTopic


class VocTopicForm(forms.ModelForm):
    class Meta:
        model = VocTopic
        fields = ["name", "keywords", "department", "is_active", "order"]
        widgets = {"keywords": forms.Textarea(attrs={"rows": 3})}


class FeedbackForm(forms.Form):
    note = forms.CharField(
        label=_("反馈内容"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("告知客户的改进情况及客户的回应")}),
    )
    adopted = forms.BooleanField(label=_("建议已采纳"), required=False)
