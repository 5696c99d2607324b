"""Forms of the SLA calendar page (投诉时效与工作日历)."""

from django import forms
from django.forms import modelformset_factory
from django.utils.translation import gettext_lazy as _

from complaints.calendar import parse_calendar_lines
from complaints.models.calendar import SlaPolicy, Weekday, WorkingPeriod

# A text field rather than type=time: browsers render type=time in the OS locale (AM/PM on some),
# and a dealership writes its hours as 08:30–17:30.
TIME_ATTRS = {"class": "form-control form-control-sm", "placeholder": "08:30", "inputmode": "numeric", "maxlength": 5}
PASTE_EXAMPLE = "2026-10-01 holiday 国庆节\n2026-09-26 workday 国庆调休"


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "business_hours_enabled",
            "dispatch_minutes",
            "first_contact_warning_minutes",
            "first_contact_minutes",
            "feedback_minutes",
        ]
        help_texts = {
            "dispatch_minutes": _("默认 30 分钟。"),
            "first_contact_warning_minutes": _("默认 1200 分钟（20 小时），到时标黄并提醒。"),
            "first_contact_minutes": _("默认 1440 分钟（24 小时），超时标红。"),
            "feedback_minutes": _("默认 2880 分钟（48 小时），超时提醒总经理并自动升级。"),
        }

    def clean(self):
        cleaned = super().clean()
        warning, deadline = cleaned.get("first_contact_warning_minutes"), cleaned.get("first_contact_minutes")
        if warning is not None and deadline is not None and warning >= deadline:
            self.add_error("first_contact_warning_minutes", _("预警时间必须早于首次联系时限。"))
        return cleaned


class WorkingPeriodForm(forms.ModelForm):
    class Meta:
        model = WorkingPeriod
        fields = ["weekday", "starts_at", "ends_at"]
        widgets = {
            "weekday": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "starts_at": forms.TimeInput(attrs=TIME_ATTRS, format="%H:%M"),
            "ends_at": forms.TimeInput(attrs=TIME_ATTRS, format="%H:%M"),
        }

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("结束时间必须晚于开始时间。"))
        return cleaned


# A week holds a handful of periods; the caps keep a forged form-TOTAL_FORMS from building
# Django's default 2,000 forms.
WorkingPeriodFormSet = modelformset_factory(
    WorkingPeriod, form=WorkingPeriodForm, extra=2, can_delete=True, max_num=50, absolute_max=50
)


class CalendarDaysForm(forms.Form):
    """Special dates pasted one a line: `2026-10-01 holiday 国庆节` or `2026-09-26 workday 国庆调休`."""

    lines = forms.CharField(
        label=_("特殊日期（每行一个）"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": PASTE_EXAMPLE}),
        help_text=_("格式：日期 类型 名称；类型为 holiday（休）或 workday（班）。同一日期再次录入将覆盖。"),
    )
    works_like = forms.TypedChoiceField(
        label=_("调休上班按星期几的工作时间"), choices=Weekday.choices, coerce=int, initial=Weekday.MONDAY
    )

    def clean_lines(self):
        parsed, errors = parse_calendar_lines(self.cleaned_data["lines"])
        if errors:
            raise forms.ValidationError(_("无法识别的行：%(lines)s"), params={"lines": "；".join(errors)})
        if not parsed:
            raise forms.ValidationError(_("请至少录入一行。"))
        return parsed
