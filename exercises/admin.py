from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from clinics.admin_site import AuditedAdmin

from .models import Exercise, ExerciseStep


class ExerciseStepInline(TranslationTabularInline):
    model = ExerciseStep
    extra = 1
    ordering = ["position"]


@admin.register(Exercise)
class ExerciseAdmin(AuditedAdmin, TranslationAdmin):
    """Each text in every language, side by side; the bare field (which follows the reader's
    language) is left out so that one post cannot write a language twice."""

    list_display = [
        "name",
        "body_region",
        "kind",
        "clinic",
        "default_sets",
        "default_repetitions",
        "default_hold_seconds",
        "is_archived",
    ]
    list_filter = ["body_region", "kind", "is_archived", ("clinic", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug", "summary", "contraindications"]
    list_select_related = ["clinic"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["copied_from"]
    inlines = [ExerciseStepInline]
    readonly_fields = ["created_at", "updated_at"]
