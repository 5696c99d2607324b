from django.contrib import admin

from surveylink.models import StoreSurveyLinkSettings, SurveyLink


@admin.register(StoreSurveyLinkSettings)
class StoreSurveyLinkSettingsAdmin(admin.ModelAdmin):
    list_display = ["store", "mode", "after_hours"]
    list_select_related = ["store"]


@admin.register(SurveyLink)
class SurveyLinkAdmin(admin.ModelAdmin):
    # The hash is no secret but useless to read; the token is not stored at all.
    list_display = ["task", "created_at", "expires_at", "first_opened_at", "answered_at"]
    list_select_related = ["task"]
    readonly_fields = ["task", "version", "created_at", "expires_at", "first_opened_at", "answered_at"]
    exclude = ["token_hash"]
    raw_id_fields = ["task"]

    def has_add_permission(self, request) -> bool:
        return False  # a link is made by the send service only (its token exists only in the SMS)
