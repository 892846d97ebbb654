from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .admin_site import AuditedAdmin
from .models import AccessLink, AuditEvent, Clinic, User


@admin.register(Clinic)
class ClinicAdmin(AuditedAdmin):
    list_display = ["name", "time_zone", "contact_email", "created_at"]
    search_fields = ["name", "contact_email"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "time_zone", "logo"]}),
        (_("Contact"), {"fields": ["contact_email", "phone", "address"]}),
        (
            _("Alert thresholds"),
            {
                "fields": [
                    "alert_pain_at_or_above",
                    "alert_pain_rise",
                    "alert_inactive_days",
                    "alert_adherence_below_percent",
                ]
            },
        ),
    ]

    def audit_scope(self, obj):
        return obj.pk, None


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "clinic", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "clinic", "is_staff", "is_superuser"]
    search_fields = ["email", "full_name"]
    list_select_related = ["clinic"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "clinic", "role"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "clinic", "role", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ["groups"]


@admin.register(AccessLink)
class AccessLinkAdmin(AuditedAdmin):
    """Invitations and sign-in links, for support: read-only, and never showing a token."""

    list_display = ["user", "purpose", "created_at", "expires_at", "used_at", "revoked_at"]
    list_filter = ["purpose"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = ["user", "purpose", "created_by", "created_at", "expires_at", "used_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def audit_scope(self, obj):
        return obj.user.clinic_id, None


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedAdmin):
    """The audit trail, for reading only: nobody adds, changes or deletes a row here. Reading
    it is recorded once per clinic shown, not once per patient named in the rows, or every look
    at the trail would add a screenful of rows to it."""

    audit_patients_listed = False

    list_display = ["created_at", "actor_email", "actor_role", "action", "patient", "ip_address"]
    list_filter = ["action", "actor_role", "clinic"]
    search_fields = ["actor_email", "actor_name", "summary"]
    list_select_related = ["patient"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "clinic",
        "actor",
        "actor_name",
        "actor_email",
        "actor_role",
        "patient",
        "action",
        "summary",
        "ip_address",
        "user_agent",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
