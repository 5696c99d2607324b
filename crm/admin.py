from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import (
    Customer,
    Delivery,
    Department,
    ImportJob,
    RepairOrder,
    RepairTeam,
    ServiceHeartbeat,
    SmsMessage,
    SmsTemplate,
    Staff,
    Store,
    User,
    Vehicle,
    VehicleOwnership,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("门店与角色"), {"fields": ("display_name", "phone", "stores", "is_group_level")}),
    )
    list_display = ("username", "display_name", "is_group_level", "is_active", "last_login")
    filter_horizontal = ("groups", "user_permissions", "stores")


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "phone", "is_active")
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("store", "kind", "manager")
    list_filter = ("store", "kind")
    raw_id_fields = ("manager",)


@admin.register(RepairTeam)
class RepairTeamAdmin(admin.ModelAdmin):
    list_display = ("store", "name")
    list_filter = ("store",)


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("name", "store", "role", "department", "repair_team", "user", "is_active")
    list_filter = ("store", "role", "is_active")
    search_fields = ("name", "code")
    raw_id_fields = ("user",)


class OwnershipInline(admin.TabularInline):
    model = VehicleOwnership
    extra = 0
    raw_id_fields = ("customer",)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "store", "mobile", "card_type", "last_visit_at")
    list_filter = ("store", "card_type")
    search_fields = ("name", "=mobile")
    show_full_result_count = False


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ("vin", "plate", "model", "owner", "store")
    list_filter = ("store",)
    search_fields = ("=vin", "plate")
    raw_id_fields = ("owner",)
    inlines = [OwnershipInline]
    show_full_result_count = False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("delivery_no", "store", "delivered_on", "customer", "sales_consultant")
    list_filter = ("store",)
    search_fields = ("=delivery_no",)
    raw_id_fields = ("customer", "vehicle", "sales_consultant")
    date_hierarchy = "delivered_on"
    show_full_result_count = False


@admin.register(RepairOrder)
class RepairOrderAdmin(admin.ModelAdmin):
    list_display = ("ro_no", "store", "opened_at", "delivered_at", "customer", "service_advisor", "work_type")
    list_filter = ("store", "work_type", "is_rework")
    search_fields = ("=ro_no",)
    raw_id_fields = ("customer", "vehicle", "service_advisor", "repair_team")
    show_full_result_count = False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("original_name", "store", "status", "processed_rows", "total_rows", "created_at", "resumed_at")
    list_filter = ("status",)
    readonly_fields = ("summary", "heartbeat_at", "attempts", "resumed_at")


@admin.register(ServiceHeartbeat)
class ServiceHeartbeatAdmin(admin.ModelAdmin):
    """Read-only: the processes write these rows (crm.operations.heartbeats)."""

    list_display = ("name", "seen_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    list_display = ("queued_at", "direction", "mobile", "reason", "status", "sent_at", "outcome", "handled")
    list_filter = ("direction", "status", "reason", "outcome", "handled", "store")
    # A queued survey-link SMS still carries its token in `body`: the admin shows the redacted copy,
    # searches it (a search on `body` would read a token out letter by letter from the counts), and
    # changes nothing (the log is the record of what was sent; blanking body_redacted would show the
    # token).
    search_fields = ("mobile", "related_key", "provider_id")
    raw_id_fields = ("customer", "reply_to", "handled_by", "entered_by")
    exclude = ("body", "body_redacted")
    readonly_fields = ("shown_body",)

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            # The text as pages show it: the body, or its redacted copy where there is one.
            shown = Q(body_redacted="", body__icontains=term) | Q(body_redacted__icontains=term)
            found |= queryset.filter(shown)
        return found, duplicates

    def has_change_permission(self, request, obj=None):
        return False

    date_hierarchy = "queued_at"


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "updated_at")
    search_fields = ("code", "name", "body")


@admin.register(VehicleOwnership)
class VehicleOwnershipAdmin(admin.ModelAdmin):
    list_display = ("vehicle", "customer", "started_on", "ended_on")
    list_select_related = ("vehicle", "customer")
    raw_id_fields = ("vehicle", "customer")
