"""Forms of the complaint pages: intake, list filters and one small form per workflow action."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from complaints.choices import CaseState, Category, Channel, FinalResult, Level, Responsibility, SlaColour
from complaints.models import Case
from crm.choices import Role
from crm.models import Department, Staff, Store, User


class CaseCreateForm(forms.ModelForm):
    """Intake (受理). The customer comes by id (from a customer page, a call or a hot alert), or by
    name and mobile in the chosen store — the file is found (store + mobile + name, as the import
    matches) or created for someone who is not a customer yet — or by mobile alone when it names
    one customer of the user's stores. `stores`: the stores the user may file in."""

    customer_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    vehicle_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    hot_alert_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    source_task_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    store = forms.ModelChoiceField(label=_("门店"), queryset=Store.objects.none(), required=False)
    name = forms.CharField(
        label=_("客户姓名"),
        required=False,
        max_length=50,
        help_text=_("不是客户的人（潜在客户等）填写姓名和手机，即在所选门店建立客户档案。"),
    )
    mobile = forms.CharField(label=_("客户手机"), required=False, max_length=20)
    level = forms.ChoiceField(
        label=_("投诉等级"), choices=[("", _("按规则建议")), *list(Level.choices)], required=False
    )
    complained_staff = forms.ModelChoiceField(
        label=_("相关责任人"),
        queryset=Staff.objects.none(),
        required=False,
        help_text=_("被投诉的员工（可与处理人不同）；不确定时留空，调查后再认定。"),
    )

    class Meta:
        model = Case
        fields = [
            "channel",
            "category",
            "level",
            "content",
            "demand",
            "fact_when",
            "fact_where",
            "fact_what",
            "fact_view",
            "fact_basis",
            "fact_why",
            "fact_how_much",
            "contact_name",
            "contact_phone",
        ]
        help_texts = {"contact_name": _("投诉人不是客户本人时（如家属用另一部电话）填写。")}
        widgets = {
            "content": forms.Textarea(attrs={"rows": 4}),
            "demand": forms.Textarea(attrs={"rows": 2}),
            "fact_what": forms.Textarea(attrs={"rows": 2}),
            "fact_view": forms.Textarea(attrs={"rows": 2}),
            "fact_basis": forms.Textarea(attrs={"rows": 2}),
            "fact_why": forms.Textarea(attrs={"rows": 2}),
            "fact_how_much": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, stores=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stores is not None:
            self.fields["store"].queryset = stores
            self.fields["complained_staff"].queryset = (
                Staff.objects.filter(store__in=stores, is_active=True).select_related("store").order_by("store", "name")
            )
            only = list(stores[:2])
            if len(only) == 1 and not self.initial.get("store"):
                self.fields["store"].initial = only[0]


class PlainSelect(forms.Select):
    """A <select> whose options are written in Python. Django's select template includes one
    template per option, about 0.1 ms each: the filter bar's 100 options (60 of them departments)
    took 10 ms of every list page. (No optgroups: the filters have none.)"""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "\n",
            '  <option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>\n{}\n</select>', widget["name"], flatatt(widget["attrs"]), options)


class CaseFilterForm(forms.Form):
    """The list filters (all optional). `departments`: the (id, name) choices of the user's stores."""

    q = forms.CharField(
        label=_("编号或客户"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("受理编号或客户姓名")}),
    )
    colour = forms.ChoiceField(
        label=_("SLA颜色"), choices=[("", _("全部")), *list(SlaColour.choices)], required=False, widget=PlainSelect
    )
    state = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *list(CaseState.choices)], required=False, widget=PlainSelect
    )
    level = forms.ChoiceField(
        label=_("等级"), choices=[("", _("全部")), *list(Level.choices)], required=False, widget=PlainSelect
    )
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部")), *list(Category.choices)], required=False, widget=PlainSelect
    )
    channel = forms.ChoiceField(
        label=_("渠道"), choices=[("", _("全部")), *list(Channel.choices)], required=False, widget=PlainSelect
    )
    department = forms.TypedChoiceField(
        label=_("部门"), coerce=int, empty_value=None, required=False, widget=PlainSelect
    )
    received_from = forms.DateField(label=_("受理自"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(label=_("受理至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(
        label=_("排序"),
        choices=[("colour", _("按颜色（红色优先）")), ("received", _("按受理时间"))],
        required=False,
        widget=PlainSelect,
    )

    def __init__(self, *args, departments: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("全部")), *departments]
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css


def _handler_field(users):
    return forms.ModelChoiceField(label=_("处理人"), queryset=users)


class HandlerSelect(forms.Select):
    """The handler list of the dispatch form: each option says which departments the person works
    in (`data-departments`, empty for store-wide roles such as the GM), so that static/js/app.js
    shows only the chosen department's people (`data-follows` names the department field)."""

    def __init__(self, *args, departments_of: dict[int, set[int]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments_of = departments_of or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        pk = getattr(value, "value", value)
        if pk not in ("", None):
            option["attrs"]["data-departments"] = " ".join(str(d) for d in sorted(self.departments_of.get(pk, ())))
        return option


def _departments_of_users(store_id) -> dict[int, set[int]]:
    """{user id: ids of the store's departments they manage or work in (their staff record)}: two queries."""
    found: dict[int, set[int]] = {}
    managed = Department.objects.filter(store=store_id, manager__isnull=False).values_list("manager_id", "id")
    staffed = Staff.objects.filter(
        store=store_id, user__isnull=False, department__isnull=False, is_active=True
    ).values_list("user_id", "department_id")
    for user_id, department_id in [*managed, *staffed]:
        found.setdefault(user_id, set()).add(department_id)
    return found


class DispatchForm(forms.Form):
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=Department.objects.none())
    handler = forms.ModelChoiceField(label=_("处理人"), queryset=User.objects.none())
    memo = forms.CharField(label=_("备注"), required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["department"].queryset = Department.objects.filter(store=case.store_id)
            self.fields["handler"].queryset = _store_handlers(case.store_id)
            self.fields["handler"].widget = HandlerSelect(
                attrs={"data-follows": "department"}, departments_of=_departments_of_users(case.store_id)
            )
            self.fields["handler"].widget.choices = self.fields["handler"].choices


def _store_handlers(store_id):
    return (
        User.objects.filter(stores=store_id, is_active=True)
        .filter(groups__name__in=[Role.CONSULTANT, Role.DEPARTMENT_MANAGER, Role.GENERAL_MANAGER, Role.CR_MANAGER])
        .distinct()
        .order_by("display_name", "username")
    )


class MemoForm(forms.Form):
    memo = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RequiredMemoForm(forms.Form):
    memo = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}))


class FeedbackForm(forms.Form):
    investigation = forms.CharField(label=_("调查情况"), widget=forms.Textarea(attrs={"rows": 2}))
    cause = forms.CharField(label=_("原因分析"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsibility = forms.ChoiceField(label=_("责任归属"), choices=Responsibility.choices)
    plan = forms.CharField(label=_("处理方案"), widget=forms.Textarea(attrs={"rows": 2}))


class RecallbackForm(forms.Form):
    acceptance = forms.CharField(label=_("客户接受程度"), max_length=100)
    memo = forms.CharField(label=_("回访记录"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    cr_activity_result = forms.CharField(label=_("客关活动结果"), widget=forms.Textarea(attrs={"rows": 2}))
    final_result = forms.ChoiceField(label=_("最终结果"), choices=FinalResult.choices)
    result_detail = forms.CharField(label=_("结果详情"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    commitments = forms.CharField(label=_("承诺事项"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # Blank keeps the responsibility the department's feedback recorded.
    responsibility = forms.ChoiceField(
        label=_("责任归属"), choices=[("", _("保持不变")), *Responsibility.choices], required=False
    )


class ComplainedStaffForm(forms.Form):
    """相关责任人 (table 6): a member of the case's store, or blank to clear."""

    staff = forms.ModelChoiceField(label=_("相关责任人"), queryset=Staff.objects.none(), required=False)
    memo = forms.CharField(label=_("备注"), required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["staff"].queryset = Staff.objects.filter(store=case.store_id, is_active=True)
            self.fields["staff"].initial = case.complained_staff_id


class AttachmentForm(forms.Form):
    """One file for the case; the type, content and size checks are complaints.attachments'."""

    file = forms.FileField(
        label=_("文件"),
        help_text=_("照片、信函或录音：jpg、png、heic、pdf、mp3、m4a、wav、amr。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.heic,.pdf,.mp3,.m4a,.wav,.amr"}),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class EscalateForm(forms.Form):
    reason = forms.CharField(label=_("升级原因"), widget=forms.Textarea(attrs={"rows": 2}))
    plan = forms.CharField(label=_("新的处理方案"), widget=forms.Textarea(attrs={"rows": 2}))
    manufacturer_case_ref = forms.CharField(label=_("厂家案例编号（升级到厂家时必填）"), required=False)


class TransferForm(forms.Form):
    role = forms.ChoiceField(
        label=_("角色"),
        choices=[(r, Role(r).label) for r in (Role.CONSULTANT, Role.DEPARTMENT_MANAGER, Role.GENERAL_MANAGER)],
    )
    handler = forms.ModelChoiceField(label=_("处理人"), queryset=User.objects.none())
    memo = forms.CharField(label=_("转交说明"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["handler"].queryset = _store_handlers(case.store_id)
