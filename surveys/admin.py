"""Django admin for surveys. Templates are edited on the CR manager's pages (which version a
template once it has answers); the admin is for administrators looking at data."""

from django.contrib import admin

from surveys.models import Answer, CallScript, Question, Response, Template, TemplateVersion


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "created_at")


@admin.register(TemplateVersion)
class TemplateVersionAdmin(admin.ModelAdmin):
    list_display = ("template", "created_at", "frozen_at")
    list_select_related = ("template",)
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("version", "code", "type")
    list_select_related = ("version__template",)


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("id", "version", "store", "customer", "source", "answered_at")
    list_filter = ("source", "store")
    list_select_related = ("version__template", "store", "customer")
    raw_id_fields = ("customer", "agent")
    date_hierarchy = "answered_at"
    inlines = [AnswerInline]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ("response", "question", "choice")
    list_select_related = ("response", "question")
    raw_id_fields = ("response",)


@admin.register(CallScript)
class CallScriptAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "updated_at")
