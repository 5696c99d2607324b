"""The administrator creates and revokes API clients here; a new token is shown once."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.choices import Scope
from api.models import ApiClient
from api.services import api_client_revoke, api_client_rotate_token, new_token
from crm.tokens import token_hash

TOKEN_PREFIX_LEN = 12


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("权限范围"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=True
    )

    class Meta:
        model = ApiClient
        fields = ("name", "stores", "scopes", "is_active", "note")


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ("name", "token_prefix", "scopes", "is_active", "revoked_at", "last_used_at", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    filter_horizontal = ("stores",)
    readonly_fields = ("token_prefix", "revoked_at", "last_used_at", "created_at")
    actions = ("revoke", "rotate_token")

    def save_model(self, request, obj, form, change):
        if not change:
            # The token exists only in this response: the table keeps its hash.
            token = new_token()
            obj.token_hash = token_hash(token)
            obj.token_prefix = token[:TOKEN_PREFIX_LEN]
            super().save_model(request, obj, form, change)
            self.message_user(
                request,
                _("接口客户端“%(name)s”的令牌（只显示这一次，请立即保存）：%(token)s")
                % {"name": obj.name, "token": token},
                messages.WARNING,
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("吊销所选接口客户端"))
    def revoke(self, request, queryset):
        count = sum(api_client_revoke(client=client) for client in queryset)
        self.message_user(request, ngettext("已吊销 %(n)d 个客户端", "已吊销 %(n)d 个客户端", count) % {"n": count})

    @admin.action(description=_("为所选客户端生成新令牌（旧令牌立即失效）"))
    def rotate_token(self, request, queryset):
        for client in queryset:
            token = api_client_rotate_token(client=client)
            self.message_user(
                request,
                _("接口客户端“%(name)s”的新令牌（只显示这一次，请立即保存）：%(token)s")
                % {"name": client.name, "token": token},
                messages.WARNING,
            )
