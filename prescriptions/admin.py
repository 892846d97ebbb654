from django.contrib import admin

from .forms import ScheduleAdminForm
from .models import Plan, PlanItem, PlanPause, PlanRevision, PlanTemplate, PlanTemplateItem


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0
    autocomplete_fields = ["exercise"]


class PlanPauseInline(admin.TabularInline):
    model = PlanPause
    extra = 0


class PlanRevisionInline(admin.TabularInline):
    model = PlanRevision
    extra = 0
    can_delete = False
    readonly_fields = ["number", "changed_by", "changed_at", "summary"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    form = ScheduleAdminForm
    list_display = ["title", "patient", "clinic", "status", "start_date", "end_date", "version"]
    list_filter = ["status", "clinic", "times_per_day"]
    search_fields = ["title", "patient__first_name", "patient__last_name"]
    list_select_related = ["patient", "clinic"]
    autocomplete_fields = ["patient", "prescribed_by", "template"]
    date_hierarchy = "start_date"
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [PlanItemInline, PlanPauseInline, PlanRevisionInline]


class PlanTemplateItemInline(admin.TabularInline):
    model = PlanTemplateItem
    extra = 0
    autocomplete_fields = ["exercise"]


@admin.register(PlanTemplate)
class PlanTemplateAdmin(admin.ModelAdmin):
    form = ScheduleAdminForm
    list_display = ["name", "clinic", "times_per_day", "is_archived"]
    list_filter = ["is_archived", ("clinic", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug"]
    list_select_related = ["clinic"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PlanTemplateItemInline]


@admin.register(PlanRevision)
class PlanRevisionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "changed_by", "changed_at"]
    search_fields = ["plan__title", "summary"]
    list_select_related = ["plan", "changed_by"]
    readonly_fields = ["plan", "number", "changed_by", "changed_at", "summary", "snapshot"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
