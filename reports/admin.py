"""Django admin for report packages and the stored dashboard figures: read-only, because an approved
package must never change (reports.packages.approval enforces the workflow; the admin only shows what was
frozen), and the figures are a copy of the database's counts that only reports.dashboard.figures writes."""

from django.contrib import admin

from reports.models import ReportPackage, StoreMonthFigures


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportPackage)
class ReportPackageAdmin(ReadOnlyAdmin):
    list_display = ("store", "month", "state", "generated_at", "submitted_at", "approved_at", "approved_by")
    list_filter = ("state", "store")
    list_select_related = ("store", "approved_by")


@admin.register(StoreMonthFigures)
class StoreMonthFiguresAdmin(ReadOnlyAdmin):
    list_display = ("store", "month", "version", "computed_at")
    list_filter = ("store", "month")
    list_select_related = ("store",)
