from django.contrib import admin

from clinics.admin_site import AuditedAdmin

from .models import Exercise, ExerciseStep


class ExerciseStepInline(admin.TabularInline):
    model = ExerciseStep
    extra = 1
    ordering = ["position"]


@admin.register(Exercise)
class ExerciseAdmin(AuditedAdmin):
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
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["copied_from"]
    inlines = [ExerciseStepInline]
    readonly_fields = ["created_at", "updated_at"]
