from django.contrib import admin

from telephony.models import AgentExtension, CallEvent, CallRecord, DialRequest, StoreRecordingSettings


@admin.register(AgentExtension)
class AgentExtensionAdmin(admin.ModelAdmin):
    list_display = ("extension", "user")
    search_fields = ("extension", "user__username", "user__display_name")
    raw_id_fields = ("user",)


@admin.register(StoreRecordingSettings)
class StoreRecordingSettingsAdmin(admin.ModelAdmin):
    list_display = ("store", "retention_months")


@admin.register(DialRequest)
class DialRequestAdmin(admin.ModelAdmin):
    list_display = ("requested_at", "extension", "number", "user", "status", "call_id")
    list_filter = ("status",)
    raw_id_fields = ("user", "customer", "callback_task", "outreach_task", "store")


@admin.register(CallRecord)
class CallRecordAdmin(admin.ModelAdmin):
    list_display = ("started_at", "call_id", "direction", "extension", "agent", "duration_seconds", "recording_state")
    list_filter = ("direction", "recording_state")
    search_fields = ("call_id", "number", "extension")
    raw_id_fields = (
        "agent",
        "customer",
        "store",
        "dial_request",
        "callback_task",
        "call_attempt",
        "outreach_task",
        "outreach_attempt",
    )


@admin.register(CallEvent)
class CallEventAdmin(admin.ModelAdmin):
    list_display = ("received_at", "call_id", "event")
    search_fields = ("call_id",)
