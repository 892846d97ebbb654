from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Clinic, User


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
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


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
