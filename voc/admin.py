from django.contrib import admin

from voc.models import VocCursor, VocEntry, VocTopic


@admin.register(VocTopic)
class VocTopicAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "is_active", "order", "updated_at"]
    list_filter = ["is_active", "department"]
    search_fields = ["name", "keywords"]


@admin.register(VocEntry)
class VocEntryAdmin(admin.ModelAdmin):
    list_display = ["said_at", "store", "source", "department", "polarity", "needs_feedback", "feedback_at"]
    list_filter = ["source", "department", "polarity", "needs_feedback"]
    search_fields = ["text"]
    list_select_related = ["store"]
    raw_id_fields = ["staff", "customer", "feedback_by"]
    readonly_fields = ["source", "source_id", "words", "tagged_at"]


@admin.register(VocCursor)
class VocCursorAdmin(admin.ModelAdmin):
    list_display = ["source", "last_id", "updated_at"]
