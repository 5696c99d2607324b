"""Forms of the grumble pages: the register's filters, the table-5 handling, the re-call."""

from django import forms
from django.utils.translation import gettext_lazy as _

from callbacks.grumbles.rules import STATUS_DONE, STATUS_OPEN
from callbacks.models import Grumble
from crm.choices import DepartmentKind
from crm.models import Department, Staff


class GrumbleFilterForm(forms.Form):
    store = forms.ModelChoiceField(label=_("门店"), queryset=None, required=False, empty_label=_("全部门店"))
    month = forms.DateField(
        label=_("月份"), required=False, input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"})
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), (STATUS_OPEN, _("处理中")), (STATUS_DONE, _("已处理完毕"))],
    )
    department = forms.ChoiceField(
        label=_("责任部门"), required=False, choices=[("", _("全部")), *DepartmentKind.choices]
    )

    def __init__(self, *args, stores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css


class GrumbleForm(forms.ModelForm):
    """Table 5's handling columns; the person and department lists are the alert's store's."""

    class Meta:
        model = Grumble
        fields = ["category", "content", "handling", "responsible_staff", "department", "handled_on", "result_summary"]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "handling": forms.Textarea(attrs={"rows": 4}),
            "result_summary": forms.Textarea(attrs={"rows": 3}),
            "handled_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"handled_on": _("填写后即为处理完毕；须先填写处理过程和处理结果总结。")}

    def __init__(self, *args, store_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_staff"].queryset = Staff.objects.filter(store=store_id, is_active=True)
        self.fields["department"].queryset = Department.objects.filter(store=store_id)


class RecallForm(forms.Form):
    recall_note = forms.CharField(
        label=_("再次回访记录"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("处理完毕后再次致电客户：客户对处理结果的看法。"),
    )
