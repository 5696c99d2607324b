"""Forms of the retention pages: a contact on the call page, the store's reminder settings, festivals."""

from django import forms
from django.utils.translation import gettext_lazy as _

from appointments.forms import OutreachBookingFields
from retention.choices import WINBACK_KINDS, OutreachResult, ReasonCategory, results_for_kind
from retention.models import FestivalDate, ReminderKindSetting, ReminderSettings
from retention.store_settings import RULE_MAXIMA


class OutreachAttemptForm(OutreachBookingFields):
    """One contact from the outreach call page; the results are the task kind's. 已预约 books the
    customer in (appointments) with the booking fields every call form shares."""

    result = forms.ChoiceField(label=_("联络结果"), choices=())
    customer_words = forms.CharField(
        label=_("客户意见"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    reason_category = forms.ChoiceField(
        label=_("原因类别"),
        required=False,
        choices=[("", "—"), *ReasonCategory.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )

    field_order = ["result", "booked_on", "booked_slot", "service_type", "booked_advisor"]

    def __init__(self, *args, kind: str, slots: list | None = None, advisors: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_booking_choices(slots=slots, advisors=advisors)
        labels = dict(OutreachResult.choices)
        self.fields["result"].choices = [(r, labels[r]) for r in results_for_kind(kind)]
        self.is_winback = kind in WINBACK_KINDS


class ReminderSettingsForm(forms.ModelForm):
    class Meta:
        model = ReminderSettings
        fields = [
            "first_service_months",
            "periodic_service_months",
            "inspection_interval_years",
            "warranty_years",
            "warranty_km",
            "return_window_days",
        ]
        widgets = {
            name: forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 1, "max": RULE_MAXIMA[name]})
            for name in fields
        }

    def clean(self):
        # Bounded: one store's 30,000 months would put a date past the year 9999 and stop the daily
        # generation of every store (it reads them all in one pass).
        data = super().clean()
        for name, value in list(data.items()):  # add_error drops the field from cleaned_data
            if value is None:
                continue
            if value < 1:
                self.add_error(name, _("须为正数。"))
            elif value > RULE_MAXIMA[name]:
                self.add_error(name, _("不能超过 %(max)s。") % {"max": RULE_MAXIMA[name]})
        return data


class ReminderKindForm(forms.ModelForm):
    class Meta:
        model = ReminderKindSetting
        fields = ["enabled", "lead_days", "channel"]
        widgets = {
            "enabled": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "lead_days": forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 0, "max": 365}),
            "channel": forms.Select(attrs={"class": "form-select form-select-sm"}),
        }

    def clean_lead_days(self):
        value = self.cleaned_data["lead_days"]
        if value > 365:
            raise forms.ValidationError(_("提前天数不能超过365天。"))
        return value


class FestivalDateForm(forms.ModelForm):
    class Meta:
        model = FestivalDate
        fields = ["festival", "date"]
        widgets = {
            "festival": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "date": forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
        }
