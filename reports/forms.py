import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import User
from crm.periods import parse_month
from crm.scoping import stores_for_user
from reports.periods import default_month


class ReportFilterForm(forms.Form):
    """Store and month of a report page. Only the user's stores are offered; an empty store means
    every store the user may see."""

    store = forms.ModelChoiceField(
        label=_("门店"),
        queryset=None,
        required=False,
        empty_label=_("全部门店"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    month = forms.CharField(
        label=_("月份"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores_for_user(user).order_by("code")

    def clean_month(self) -> dt.date:
        text = self.cleaned_data.get("month")
        if not text:
            return default_month()
        try:
            return parse_month(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class WeekFilterForm(ReportFilterForm):
    """The weekly report: a day of the week instead of a month."""

    month = None
    week = forms.DateField(
        label=_("周（任选一天）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
    )
