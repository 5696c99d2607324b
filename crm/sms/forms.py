from django import forms
from django.utils.translation import gettext_lazy as _

from crm.scoping import stores_for_user
from crm.sms.choices import Direction, SmsReason, SmsStatus
from crm.sms.models import SmsTemplate
from crm.sms.templates import PLACEHOLDERS, unknown_placeholders
from crm.validators import is_valid_mobile, normalize_phone


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=[("", _("全部状态")), *SmsStatus.choices])
    reason = forms.ChoiceField(label=_("原因类型"), required=False, choices=[("", _("全部原因")), *SmsReason.choices])
    direction = forms.ChoiceField(label=_("方向"), required=False, choices=[("", _("全部")), *Direction.choices])
    date_from = forms.DateField(label=_("从"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("到"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    store = forms.ModelChoiceField(label=_("门店"), required=False, queryset=None, empty_label=_("全部门店"))

    def __init__(self, *args, user, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores_for_user(user)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault(
                "class", f"{css} form-control-sm" if css == "form-control" else f"{css} form-select-sm"
            )


class ReplyEnterForm(forms.Form):
    """A reply a customer gave another way (a call back, WeChat), typed in by staff."""

    mobile = forms.CharField(label=_("手机号"), max_length=20)
    text = forms.CharField(label=_("回复内容"), max_length=500, widget=forms.TextInput())

    def clean_mobile(self):
        mobile = normalize_phone(self.cleaned_data["mobile"])
        if not is_valid_mobile(mobile):
            raise forms.ValidationError(_("请输入有效的手机号。"))
        return mobile


class SmsTemplateForm(forms.ModelForm):
    class Meta:
        model = SmsTemplate
        fields = ["name", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        unknown = unknown_placeholders(body)
        if unknown:
            raise forms.ValidationError(
                _("未知的占位符：%(names)s。可用：%(known)s")
                % {
                    "names": "、".join(f"{{{n}}}" for n in unknown),
                    "known": "、".join(f"{{{n}}}" for n in PLACEHOLDERS),
                }
            )
        return body
