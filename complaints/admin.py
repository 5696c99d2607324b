"""Django admin for the complaints app: for administrators fixing data. Daily work happens on the
case pages, where the workflow service enforces the transitions; edits here bypass it."""

from django.contrib import admin

from complaints.models import (
    CalendarDay,
    Case,
    CaseAttachment,
    CaseCounter,
    CaseEvent,
    Notification,
    SlaPolicy,
    WorkingPeriod,
)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    raw_id_fields = ("actor",)
    readonly_fields = ("at", "actor", "action")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("case_no", "store", "customer", "category", "level", "state", "received_at", "handler")
    list_filter = ("state", "level", "category", "channel", "store")
    list_select_related = ("store", "customer", "handler")
    search_fields = ("case_no", "customer__name", "customer__mobile", "content")
    raw_id_fields = ("customer", "vehicle", "repeat_of", "department", "handler", "created_by", "complained_staff")
    date_hierarchy = "received_at"
    inlines = [CaseEventInline]


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ("case", "at", "action", "actor")
    list_select_related = ("case", "actor")
    raw_id_fields = ("case", "actor")
    date_hierarchy = "at"


@admin.register(CaseCounter)
class CaseCounterAdmin(admin.ModelAdmin):
    list_display = ("store", "__str__")
    list_select_related = ("store",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "title", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient",)


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    extra = 0


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("store", "updated_at")
    list_select_related = ("store",)
    inlines = [WorkingPeriodInline, CalendarDayInline]


admin.site.register(WorkingPeriod)
admin.site.register(CalendarDay)


@admin.register(CaseAttachment)
class CaseAttachmentAdmin(admin.ModelAdmin):
    """Metadata only: the file itself is read through the case page's scoped download."""

    list_display = ("case", "original_name", "content_type", "size", "uploaded_at", "uploaded_by")
    list_select_related = ("case", "uploaded_by")
    raw_id_fields = ("case", "uploaded_by")
    readonly_fields = ("file", "content_type", "size")
