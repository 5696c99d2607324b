"""Django admin for report packages: read-only, because an approved package must never change
(reports.approval enforces the workflow; the admin only shows what was frozen)."""

from django.contrib import admin

from reports.models import ReportPackage


@admin.register(ReportPackage)
class ReportPackageAdmin(admin.ModelAdmin):
    list_display = ("store", "month", "state", "generated_at", "submitted_at", "approved_at", "approved_by")
    list_filter = ("state", "store")
    list_select_related = ("store", "approved_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
