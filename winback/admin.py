from django.contrib import admin

from winback.models import WinbackEntry, WinbackSettings


@admin.register(WinbackSettings)
class WinbackSettingsAdmin(admin.ModelAdmin):
    list_display = ("store", "lost_after_months", "at_risk_after_months")


@admin.register(WinbackEntry)
class WinbackEntryAdmin(admin.ModelAdmin):
    """Read mostly: entries are made by the scan and closed by a come-back RO, not by hand."""

    list_display = ("customer", "store", "month", "last_visit_on", "service_advisor", "recovered_on")
    list_filter = ("month", "store")
    list_select_related = ("customer", "store", "service_advisor")
    raw_id_fields = ("customer", "last_repair_order", "service_advisor", "vehicle", "task", "recovered_by")
    search_fields = ("customer__name", "customer__mobile")
