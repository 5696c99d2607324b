from django import forms
from django.utils.translation import gettext_lazy as _

from telephony.models import StoreRecordingSettings


class RecordingUploadForm(forms.Form):
    recording = forms.FileField(label=_("录音文件"))


class RecordingSettingsForm(forms.ModelForm):
    class Meta:
        model = StoreRecordingSettings
        fields = ["retention_months"]
        widgets = {"retention_months": forms.NumberInput(attrs={"min": 1, "max": 120})}

    def clean_retention_months(self) -> int:
        months = self.cleaned_data["retention_months"]
        if not 1 <= months <= 120:
            raise forms.ValidationError(_("保存月数须在 1 到 120 之间。"))
        return months
