from django.contrib import admin

from club.models import Activity, ClubSettings, MemberCard


@admin.register(ClubSettings)
class ClubSettingsAdmin(admin.ModelAdmin):
    """The per-store level thresholds; the number counter is the app's, not to be edited."""

    list_display = ("store", "silver_from", "gold_from", "last_number")
    readonly_fields = ("last_number",)


@admin.register(MemberCard)
class MemberCardAdmin(admin.ModelAdmin):
    """Read only: cards and points change through the club's pages, which write the ledger."""

    list_display = ("number", "store", "customer", "level", "balance", "expires_on", "state")
    list_filter = ("store", "level", "state")
    list_select_related = ("store", "customer")
    search_fields = ("number", "customer__name", "vehicle__plate")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Once a member took part, the store and the points are fixed: the ledger rows already paid
    were booked at that store with those points."""

    list_display = ("name", "store", "held_on", "points")
    list_filter = ("store",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.participations.exists():
            return ("store", "points")
        return ()
