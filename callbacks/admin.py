"""Django admin for the callbacks app: for administrators fixing data, not for daily work."""

from django.contrib import admin

from callbacks.models import (
    CallAttempt,
    CallbackTask,
    CallbackTaskRepairOrder,
    DataFixRecord,
    Grumble,
    HotAlert,
    StoreCallbackSettings,
)


@admin.register(StoreCallbackSettings)
class StoreCallbackSettingsAdmin(admin.ModelAdmin):
    list_display = ("store",)
    list_select_related = ("store",)


class CallAttemptInline(admin.TabularInline):
    model = CallAttempt
    extra = 0
    raw_id_fields = ("agent",)


class CallbackTaskRepairOrderInline(admin.TabularInline):
    model = CallbackTaskRepairOrder
    extra = 0
    raw_id_fields = ("repair_order",)


@admin.register(CallbackTask)
class CallbackTaskAdmin(admin.ModelAdmin):
    list_display = ("id", "store", "kind", "customer", "state", "window_opens_at", "window_closes_at", "assigned_to")
    list_filter = ("kind", "state", "store")
    list_select_related = ("store", "customer", "assigned_to")
    search_fields = ("customer__name", "customer__mobile", "vehicle__plate")
    raw_id_fields = ("customer", "vehicle", "delivery", "repair_order", "assigned_to", "claimed_by")
    date_hierarchy = "window_closes_at"
    inlines = [CallAttemptInline, CallbackTaskRepairOrderInline]


@admin.register(CallAttempt)
class CallAttemptAdmin(admin.ModelAdmin):
    list_display = ("task", "at", "disposition", "agent")
    list_filter = ("disposition",)
    list_select_related = ("task", "agent")
    raw_id_fields = ("task", "agent")
    date_hierarchy = "at"


@admin.register(HotAlert)
class HotAlertAdmin(admin.ModelAdmin):
    list_display = ("id", "task", "raised_at", "closed_at", "closed_by")
    list_select_related = ("task", "closed_by")
    raw_id_fields = ("task", "closed_by")


@admin.register(DataFixRecord)
class DataFixRecordAdmin(admin.ModelAdmin):
    list_display = ("id", "customer", "task", "reported_at", "fixed_at")
    list_select_related = ("customer", "task")
    raw_id_fields = ("task", "customer", "reported_by", "fixed_by")


@admin.register(CallbackTaskRepairOrder)
class CallbackTaskRepairOrderAdmin(admin.ModelAdmin):
    list_display = ("task", "repair_order")
    raw_id_fields = ("task", "repair_order")


@admin.register(Grumble)
class GrumbleAdmin(admin.ModelAdmin):
    list_display = ("alert", "category", "responsible_staff", "handled_on")
    list_select_related = ("alert", "responsible_staff")
    raw_id_fields = ("alert", "responsible_staff", "department", "recall_by", "updated_by")
