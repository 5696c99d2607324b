"""Forms of the customer pages: the list's search and filters, and one edit form per card section."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.choices import CardType
from crm.importing.readers import WORKBOOK_SUFFIXES
from crm.models import Customer
from crm.scoping import stores_for_user
from crm.selectors import CARD_SECTION_BY_KEY


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"placeholder": _("姓名 / 手机(后4位) / 车牌 / 车架号(后6位)"), "autofocus": True, "type": "search"}
        ),
    )
    card_type = forms.ChoiceField(label=_("卡类型"), required=False, choices=[("", _("全部卡类型")), *CardType.choices])
    store = forms.ModelChoiceField(label=_("门店"), required=False, queryset=None, empty_label=_("全部门店"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the user's own stores are offered; another store's id is simply invalid.
        self.fields["store"].queryset = stores_for_user(user)


def customer_section_form_class(section_key: str) -> type[forms.ModelForm]:
    """A ModelForm over exactly the fields of one card section (KeyError for an unknown section)."""
    section = CARD_SECTION_BY_KEY[section_key]
    date_widgets = {
        name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        for name in section.fields
        if Customer._meta.get_field(name).get_internal_type() == "DateField"
    }
    meta = type(
        "Meta",
        (),
        {
            "model": Customer,
            "fields": list(section.fields),
            "widgets": {**date_widgets, "notes": forms.Textarea(attrs={"rows": 3})},
        },
    )
    return type(f"Customer{section_key.title()}Form", (CustomerSectionForm,), {"Meta": meta})


class CustomerSectionForm(forms.ModelForm):
    """Base of the section forms: two columns, the form tag written by the template."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        names = list(self.fields)
        self.helper.layout = Layout(
            *[Row(*[Column(name, css_class="col-md-6") for name in names[i : i + 2]]) for i in range(0, len(names), 2)]
        )

    def clean(self):
        cleaned = super().clean()
        # The DMS matches customers by mobile + name within a store; two files must not collide.
        name = cleaned.get("name", self.instance.name)
        mobile = cleaned.get("mobile", self.instance.mobile)
        if ("name" in self.changed_data or "mobile" in self.changed_data) and (
            Customer.objects.filter(store_id=self.instance.store_id, name=name, mobile=mobile)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(_("本店已有同名同手机号的客户档案。"))
        return cleaned


class ImportUploadForm(forms.Form):
    """The DMS upload: a workbook or CSV, and the store for rows without a 门店 column."""

    MAX_BYTES = 50 * 1024 * 1024

    file = forms.FileField(
        label=_("DMS 导出文件"),
        help_text=_(
            "工作簿（.xlsx、.xls 或 .ods，工作表：交车、工单、回访结果、投诉）或以工作表英文名开头的 .csv 文件"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.xls,.ods,.csv"}),
    )
    store = forms.ModelChoiceField(
        label=_("门店"),
        queryset=None,
        required=False,
        empty_label=_("按文件中的“门店”列"),
        help_text=_("文件没有“门店”列时，行导入到此门店"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        stores = stores_for_user(user)
        self.fields["store"].queryset = stores
        if len(stores) == 1:
            self.fields["store"].initial = stores[0].pk
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((*WORKBOOK_SUFFIXES, ".csv")):
            raise forms.ValidationError(_("只接受 .xlsx、.xls、.ods 工作簿或 .csv 文件。"))
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("文件超过 50 MB，请按月份拆分后上传。"))
        return upload
