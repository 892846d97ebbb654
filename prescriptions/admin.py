from django.contrib import admin

from clinics.admin_site import AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline

from .forms import ScheduleAdminForm
from .models import Plan, PlanItem, PlanPause, PlanRevision, PlanTemplate, PlanTemplateItem


class PlanItemInline(ReadOnlyInline, admin.TabularInline):
    model = PlanItem


class PlanPauseInline(ReadOnlyInline, admin.TabularInline):
    model = PlanPause


class PlanRevisionInline(ReadOnlyInline, admin.TabularInline):
    model = PlanRevision
    readonly_fields = ["number", "changed_by", "changed_at", "summary"]
    fields = readonly_fields


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    """A patient's prescription: read here, changed only in the plan builder, which keeps its
    revisions."""

    list_display = ["title", "patient", "clinic", "status", "start_date", "end_date", "version"]
    list_filter = ["status", "clinic", "times_per_day"]
    search_fields = ["title", "patient__first_name", "patient__last_name"]
    list_select_related = ["patient", "clinic"]
    date_hierarchy = "start_date"
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [PlanItemInline, PlanPauseInline, PlanRevisionInline]


class PlanTemplateItemInline(admin.TabularInline):
    model = PlanTemplateItem
    extra = 0
    autocomplete_fields = ["exercise"]


@admin.register(PlanTemplate)
class PlanTemplateAdmin(AuditedAdmin):
    form = ScheduleAdminForm
    list_display = ["name", "clinic", "times_per_day", "is_archived"]
    list_filter = ["is_archived", ("clinic", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug"]
    list_select_related = ["clinic"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PlanTemplateItemInline]


@admin.register(PlanRevision)
class PlanRevisionAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "changed_by", "changed_at"]
    search_fields = ["plan__title", "summary"]
    list_select_related = ["plan", "changed_by"]
    readonly_fields = ["plan", "number", "changed_by", "changed_at", "summary", "snapshot"]

    def audit_scope(self, obj):
        return obj.plan.clinic_id, obj.plan.patient_id
