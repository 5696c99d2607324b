"""Forms of the win-back pages: the list's filters and the contact form of an entry."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from appointments.forms import OutreachBookingFields
from crm.periods import parse_month
from retention.choices import WINBACK_RESULTS, OutreachChannel, OutreachResult, ReasonCategory
from winback.selectors import NOT_CONTACTED, EntryFilters

SELECT = {"class": "form-select form-select-sm"}
RADIO = {"class": "form-check-input"}
RESULT_LABELS = dict(OutreachResult.choices)


class EntryFilterForm(forms.Form):
    """The list's filters: month added, service advisor of the last RO, latest result, recovered."""

    month = forms.CharField(
        label=_("流失月份"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control form-control-sm"}),
    )
    service_advisor = forms.TypedChoiceField(
        label=_("服务顾问"), required=False, coerce=int, empty_value=None, widget=forms.Select(attrs=SELECT)
    )
    result = forms.ChoiceField(label=_("联络结果"), required=False, widget=forms.Select(attrs=SELECT))
    recovered = forms.ChoiceField(
        label=_("是否挽回"),
        required=False,
        choices=[("", _("全部")), ("yes", _("是")), ("no", _("否"))],
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, advisors: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_advisor"].choices = [("", _("全部")), *advisors]
        self.fields["result"].choices = [
            ("", _("全部")),
            (NOT_CONTACTED, _("未联络")),
            *[(value, RESULT_LABELS[value]) for value in WINBACK_RESULTS],
        ]

    def clean_month(self) -> dt.date | None:
        text = self.cleaned_data.get("month")
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def filters(self, *, default_month: dt.date | None) -> EntryFilters:
        """The filters to apply (the default month when none is chosen; nothing but it when invalid)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        recovered = {"yes": True, "no": False}.get(data.get("recovered") or "")
        return EntryFilters(
            month=data.get("month") or default_month,
            service_advisor=data.get("service_advisor"),
            result=data.get("result") or None,
            recovered=recovered,
        )


class ContactForm(OutreachBookingFields):
    """One contact of a lost customer (流失客户联络表: 联络结果, 客户意见 and its reason category); 已预约
    books with the booking fields every call form shares (date, slot, service, advisor)."""

    channel = forms.ChoiceField(
        label=_("联络方式"),
        choices=OutreachChannel.choices,
        initial=OutreachChannel.CALL,
        widget=forms.RadioSelect(RADIO),
    )
    result = forms.ChoiceField(
        label=_("联络结果"), choices=[(v, RESULT_LABELS[v]) for v in WINBACK_RESULTS], widget=forms.RadioSelect(RADIO)
    )
    reason_category = forms.ChoiceField(
        label=_("原因类别"),
        required=False,
        choices=[("", "—"), *ReasonCategory.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    customer_words = forms.CharField(
        label=_("客户意见"),
        required=False,
        max_length=2000,
        help_text=_("照录客户原话：为什么不再来店。"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    note = forms.CharField(
        label=_("备注"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    field_order = ["channel", "result", "booked_on", "booked_slot", "service_type", "booked_advisor"]

    def __init__(self, *args, store_id: int, slots: list | None = None, advisors: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_booking_choices(slots=slots, advisors=advisors, store_id=store_id)

    def clean(self):
        data = super().clean()
        if data.get("result") == OutreachResult.BOOKED and not data.get("booked_on"):
            self.add_error("booked_on", _("已预约须填写预约日期。"))
        return data


class SettingsForm(forms.Form):
    """A store's two numbers (SPEC §10: every rule a per-store setting)."""

    lost_after_months = forms.IntegerField(label=_("流失月数"), min_value=2, max_value=60)
    at_risk_after_months = forms.IntegerField(label=_("即将流失月数"), min_value=1, max_value=59)

    def clean(self):
        data = super().clean()
        lost, risk = data.get("lost_after_months"), data.get("at_risk_after_months")
        if lost is not None and risk is not None and risk >= lost:
            self.add_error("at_risk_after_months", _("即将流失月数须小于流失月数。"))
        return data
