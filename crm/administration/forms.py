"""Forms of the administrator's pages: user search, user, store, department."""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from crm.administration.selectors import department_managers, staff_linkable
from crm.choices import DepartmentKind, Role, StaffRole
from crm.models import Department, Staff, Store, User

ACTIVE_CHOICES = [("", _("全部状态")), ("1", _("启用")), ("0", _("已停用"))]


class UserSearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("用户名 / 姓名 / 电话"), "type": "search"}),
    )
    store = forms.ModelChoiceField(label=_("门店"), required=False, queryset=None, empty_label=_("全部门店"))
    role = forms.ChoiceField(label=_("角色"), required=False, choices=[("", _("全部角色")), *Role.choices])
    active = forms.ChoiceField(label=_("状态"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores

    def filters(self) -> dict:
        """The search's arguments; an invalid field (an unknown store id) filters nothing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        active = data.get("active")
        return {
            "query": (data.get("q") or "").strip(),
            "store": data.get("store"),
            "role": data.get("role") or "",
            "active": None if not active else active == "1",
        }


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, staff: Staff) -> str:
        role = dict(StaffRole.choices).get(staff.role, staff.role)
        return f"{staff.store.name} · {staff.name}（{role}）"


USER_FIELDS = ("username", "display_name", "phone", "is_group_level", "is_active")


class UserForm(forms.ModelForm):
    """A login: who it is, where it works (stores, or every store when 集团级), what it may do
    (roles), the staff record whose figures it sees, whether it may sign in, and its password."""

    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    staff = StaffChoiceField(
        label=_("关联员工档案"),
        queryset=Staff.objects.none(),
        required=False,
        empty_label=_("（不关联）"),
        help_text=_("销售顾问/服务顾问关联自己的员工档案后，可在“我的满意度”查看本人数据。"),
    )
    password1 = forms.CharField(
        label=_("密码"), required=False, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "phone", "stores", "is_group_level", "is_active"]
        widgets = {"stores": forms.CheckboxSelectMultiple}
        labels = {"username": _("用户名"), "is_active": _("启用")}
        help_texts = {"username": _("登录用，字母、数字和 @/./+/-/_"), "is_active": _("停用后不能登录，数据保留")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = self.instance.pk is None
        self.fields["stores"].queryset = Store.objects.order_by("code")
        self.fields["staff"].queryset = staff_linkable(user=self.instance)
        if self.creating:
            self.fields["password1"].required = self.fields["password2"].required = True
        else:
            self.fields["password1"].label = _("新密码")
            self.fields["password1"].help_text = _("留空则不修改密码")
            self.initial["roles"] = sorted(self.instance.role_codes)
            self.initial["staff"] = Staff.objects.filter(user=self.instance).values_list("pk", flat=True).first()

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 or password2:
            if password1 != password2:
                self.add_error("password2", _("两次输入的密码不一致。"))
            else:
                try:
                    validate_password(password1, self.instance)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        staff, stores = data.get("staff"), data.get("stores")
        if staff is not None and stores is not None and not data.get("is_group_level") and staff.store not in stores:
            self.add_error("staff", _("员工档案所在门店必须是该用户的所属门店之一。"))
        return data

    def service_kwargs(self) -> dict:
        """What `crm.administration.services.user_save` takes from the form."""
        data = self.cleaned_data
        return {
            "fields": {name: data[name] for name in USER_FIELDS},
            "roles": data["roles"],
            "stores": list(data["stores"]),
            "staff": data["staff"],
            "password": data.get("password1") or None,
        }


class StoreForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = ["code", "name", "phone", "address", "is_active"]


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["kind", "manager"]

    def __init__(self, *args, store: Store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = DepartmentKind.choices
        self.fields["manager"].queryset = department_managers(
            store=store, department=self.instance if self.instance.pk else None
        )
        self.fields["manager"].empty_label = _("（未指定）")
        if self.instance.pk:
            # A department is what complaints are dispatched to: its kind stays; its manager changes.
            self.fields["kind"].disabled = True
