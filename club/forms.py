"""Forms of the club pages: the member list's filters, point actions, activities, a store's level
thresholds."""

from django import forms
from django.utils.translation import gettext_lazy as _

from club.choices import ACTIVITY_POINTS_MAX, ACTIVITY_POINTS_MIN, Level
from club.models import ClubSettings
from club.selectors import EXPIRED, REPLACED, VALID, CardFilters

SELECT = {"class": "form-select form-select-sm"}
TEXT = {"class": "form-control form-control-sm"}


class CardFilterForm(forms.Form):
    store = forms.TypedChoiceField(
        label=_("门店"), required=False, coerce=int, empty_value=None, widget=forms.Select(attrs=SELECT)
    )
    level = forms.ChoiceField(
        label=_("等级"), required=False, choices=[("", _("全部")), *Level.choices], widget=forms.Select(attrs=SELECT)
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), (VALID, _("有效")), (EXPIRED, _("已过期")), (REPLACED, _("已补卡"))],
        widget=forms.Select(attrs=SELECT),
    )
    q = forms.CharField(
        label=_("卡号 / 车牌 / 姓名"), required=False, max_length=30, widget=forms.TextInput(attrs=TEXT)
    )

    def __init__(self, *args, stores: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [("", _("全部")), *stores]

    def filters(self) -> CardFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return CardFilters(
            store=data.get("store"),
            level=data.get("level") or None,
            status=data.get("status") or None,
            text=(data.get("q") or "").strip(),
        )


class RedeemForm(forms.Form):
    points = forms.IntegerField(
        label=_("兑换积分"), min_value=1, max_value=10_000_000, widget=forms.NumberInput(attrs=TEXT)
    )
    note = forms.CharField(label=_("兑换内容"), max_length=200, widget=forms.TextInput(attrs=TEXT))


class AdjustForm(forms.Form):
    points = forms.IntegerField(
        label=_("调整积分"),
        min_value=-10_000_000,
        max_value=10_000_000,
        help_text=_("正数增加，负数扣减"),
        widget=forms.NumberInput(attrs=TEXT),
    )
    reason = forms.CharField(label=_("调整原因"), max_length=200, widget=forms.TextInput(attrs=TEXT))


class ReplaceForm(forms.Form):
    reason = forms.CharField(label=_("补卡原因"), max_length=100, required=False, widget=forms.TextInput(attrs=TEXT))


class ActivityForm(forms.Form):
    store = forms.TypedChoiceField(label=_("门店"), coerce=int, widget=forms.Select(attrs=SELECT))
    name = forms.CharField(label=_("活动名称"), max_length=100, widget=forms.TextInput(attrs=TEXT))
    held_on = forms.DateField(label=_("活动日期"), widget=forms.DateInput(attrs={**TEXT, "type": "date"}))
    points = forms.IntegerField(
        label=_("参与积分"),
        min_value=ACTIVITY_POINTS_MIN,
        max_value=ACTIVITY_POINTS_MAX,
        widget=forms.NumberInput(attrs=TEXT),
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2}))

    def __init__(self, *args, stores: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = stores


class ParticipantForm(forms.Form):
    number = forms.CharField(label=_("会员卡号"), max_length=30, widget=forms.TextInput(attrs=TEXT))


class ClubSettingsForm(forms.ModelForm):
    """A store's level thresholds (points earned in the last 12 months); gold above silver is the
    service's rule (club_settings_save), shown on the gold field."""

    class Meta:
        model = ClubSettings
        fields = ["silver_from", "gold_from"]
        widgets = {
            "silver_from": forms.NumberInput(attrs={**TEXT, "min": 1}),
            "gold_from": forms.NumberInput(attrs={**TEXT, "min": 2}),
        }
