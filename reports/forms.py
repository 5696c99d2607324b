import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import User
from crm.periods import parse_month
from crm.scoping import stores_for_user
from reports.periods import default_month
from reports.tables.callback_weekly import default_week


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


class PeriodFilterForm(ReportFilterForm):
    """A quarter or year report: a year (and a quarter) instead of a month. `cleaned_data['month']`
    is the period's first month, what the report's builder takes. The page opens on the period
    that holds last month (reports.periods.default_month), written into the form by the view."""

    month = None
    kind = "year"
    year = forms.IntegerField(
        label=_("年份"),
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "style": "width:6.5rem"}),
    )

    @classmethod
    def default_params(cls) -> dict[str, str]:
        month = default_month()
        return {"year": str(month.year)}

    def clean(self):
        data = super().clean()
        year = data.get("year") or default_month().year
        quarter = int(data.get("quarter") or 1)
        data["month"] = dt.date(year, (quarter - 1) * 3 + 1, 1) if self.kind == "quarter" else dt.date(year, 1, 1)
        return data


class QuarterFilterForm(PeriodFilterForm):
    kind = "quarter"
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        required=False,
        coerce=int,
        choices=[(1, _("第1季度")), (2, _("第2季度")), (3, _("第3季度")), (4, _("第4季度"))],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    @classmethod
    def default_params(cls) -> dict[str, str]:
        month = default_month()
        return {"year": str(month.year), "quarter": str((month.month - 1) // 3 + 1)}


# The filter form of a report page, by the report's period (reports.registry.ReportSpec.period).
PERIOD_FORMS: dict[str, type[ReportFilterForm]] = {
    "month": ReportFilterForm,
    "quarter": QuarterFilterForm,
    "year": PeriodFilterForm,
}


class CallbackWeekFilterForm(WeekFilterForm):
    """The weekly callback report: it opens on the week before last (its windows have closed)."""

    @classmethod
    def default_params(cls) -> dict[str, str]:
        return {"week": default_week().isoformat()}
