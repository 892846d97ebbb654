from django.contrib import admin

from clinics.admin_site import ReadOnlyAdmin, ReadOnlyInline

from .models import PainReport, Patient, SessionLog, SessionLogEntry, SessionLogRevision


@admin.register(Patient)
class PatientAdmin(ReadOnlyAdmin):
    list_display = ["last_name", "first_name", "clinic", "primary_therapist", "status", "email"]
    list_filter = ["status", "clinic"]
    search_fields = ["first_name", "last_name", "email", "condition"]
    list_select_related = ["clinic", "primary_therapist"]
    readonly_fields = ["created_at", "updated_at"]

    def audit_scope(self, obj):
        return obj.clinic_id, obj.pk


class SessionLogEntryInline(ReadOnlyInline, admin.TabularInline):
    model = SessionLogEntry


@admin.register(SessionLog)
class SessionLogAdmin(ReadOnlyAdmin):
    list_display = [
        "patient",
        "plan",
        "performed_at",
        "pain_before",
        "pain_after",
        "difficulty",
        "is_flagged",
    ]
    list_filter = ["is_flagged", "difficulty", "clinic"]
    search_fields = ["patient__first_name", "patient__last_name", "note"]
    list_select_related = ["patient", "plan"]
    date_hierarchy = "performed_at"
    readonly_fields = ["client_token", "created_at", "updated_at"]
    inlines = [SessionLogEntryInline]


@admin.register(SessionLogRevision)
class SessionLogRevisionAdmin(ReadOnlyAdmin):
    list_display = ["session", "revised_by", "revised_at", "reason"]
    list_select_related = ["session", "revised_by"]
    readonly_fields = ["session", "revised_by", "revised_at", "reason", "previous"]

    def audit_scope(self, obj):
        return obj.session.clinic_id, obj.session.patient_id


@admin.register(PainReport)
class PainReportAdmin(ReadOnlyAdmin):
    list_display = ["patient", "recorded_at", "score", "body_location", "red_flag_severity"]
    list_filter = ["red_flag_severity", "clinic"]
    search_fields = ["patient__first_name", "patient__last_name", "body_location", "note"]
    list_select_related = ["patient"]
    date_hierarchy = "recorded_at"
