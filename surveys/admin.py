"""Admin: read-only views of questionnaires and responses (edits go through the template editor,
which keeps answered versions frozen); call scripts are plain data."""

from django.contrib import admin

from surveys.models import Answer, CallScript, Question, Response, Template, TemplateVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Template)
class TemplateAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "is_active")


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ("question", "score", "yes", "choice", "text", "is_negative")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ("id", "version", "store", "customer", "answered_at", "source", "overall_score", "has_negative")
    list_filter = ("source", "has_negative", "store")
    list_select_related = ("version__template", "store", "customer")
    raw_id_fields = ("customer",)
    inlines = [AnswerInline]


@admin.register(CallScript)
class CallScriptAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "kind", "order", "is_active")
    list_editable = ("order", "is_active")


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TemplateVersion)
class TemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ("template", "created_at", "frozen_at")
    list_select_related = ("template",)
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ("version", "code", "type")
    list_select_related = ("version__template",)


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ("response", "question", "score", "yes", "choice", "is_negative")
    list_select_related = ("response", "question")
    raw_id_fields = ("response",)
