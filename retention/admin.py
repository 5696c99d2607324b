"""Django admin for the retention app: for administrators fixing data, not for daily work (the CR
manager edits settings and festivals on their own pages)."""

from django.contrib import admin

from retention.models import (
    FestivalDate,
    OutreachAttempt,
    OutreachTask,
    Reminder,
    ReminderKindSetting,
    ReminderRun,
    ReminderSettings,
)


class OutreachAttemptInline(admin.TabularInline):
    model = OutreachAttempt
    extra = 0
    raw_id_fields = ("user",)


@admin.register(OutreachTask)
class OutreachTaskAdmin(admin.ModelAdmin):
    list_display = ("id", "store", "kind", "customer", "state", "result", "window_closes_at")
    list_filter = ("kind", "state", "store")
    list_select_related = ("store", "customer")
    raw_id_fields = ("customer", "vehicle", "assigned_to", "claimed_by")
    inlines = [OutreachAttemptInline]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("id", "store", "kind", "customer", "due_on", "send_on", "channel", "status")
    list_filter = ("kind", "status", "channel", "store")
    list_select_related = ("store", "customer")
    raw_id_fields = ("customer", "vehicle", "sms_message", "outreach_task")


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    list_display = ("store", "first_service_months", "periodic_service_months", "warranty_km")
    list_select_related = ("store",)


@admin.register(ReminderKindSetting)
class ReminderKindSettingAdmin(admin.ModelAdmin):
    list_display = ("store", "kind", "enabled", "lead_days", "channel")
    list_filter = ("kind", "store")


@admin.register(FestivalDate)
class FestivalDateAdmin(admin.ModelAdmin):
    list_display = ("store", "festival", "date")
    list_filter = ("festival", "store")


@admin.register(ReminderRun)
class ReminderRunAdmin(admin.ModelAdmin):
    list_display = ("day", "started_at", "finished_at", "store_ids")


admin.site.register(OutreachAttempt)
