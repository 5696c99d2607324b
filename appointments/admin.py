from django.contrib import admin

from appointments.forms import AppointmentSettingsForm
from appointments.models import Appointment, AppointmentSettings


@admin.register(AppointmentSettings)
class AppointmentSettingsAdmin(admin.ModelAdmin):
    """The settings page's form and rules (bounds; closing after opening, the model's clean)."""

    form = AppointmentSettingsForm
    fields = ("store", "opens_at", "closes_at", "slot_minutes", "capacity")
    list_display = ("store", "opens_at", "closes_at", "slot_minutes", "capacity")


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Read only: bookings change through the booking service (capacity under the slot lock)."""

    list_display = ("day", "slot", "store", "customer", "service_type", "source", "state")
    list_filter = ("store", "state", "source")
    list_select_related = ("store", "customer")
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
