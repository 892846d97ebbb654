"""The technical admin site, for the site's own superusers only, and what every ModelAdmin of
the project builds on: an audit row for each look at a clinic's records, and read-only pages for
the records that hold a patient's health information.

Clinic staff never need the admin site (their pages are the app's); a staff flag with view
permissions given by mistake must not open every clinic's patients to them.
"""

from django.contrib import admin
from django.utils.translation import gettext as _

from . import audit
from .models import AuditAction


class RehabitAdminSite(admin.AdminSite):
    site_header = "Rehabit"
    site_title = "Rehabit admin"

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_superuser


class AuditedAdmin(admin.ModelAdmin):
    """A change page writes one audit row about the record shown; a list page one row for each
    patient (or, for records of no patient, each clinic) among the rows shown, together."""

    audit_patients_listed = True

    def audit_scope(self, obj) -> tuple[int | None, int | None]:
        """The ids of the clinic and the patient a record belongs to."""
        return getattr(obj, "clinic_id", None), getattr(obj, "patient_id", None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        shown = (getattr(response, "context_data", None) or {}).get("original")
        if shown is not None:
            self._record(request, [shown])
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            self._record(request, changelist.result_list)
        return response

    def _record(self, request, rows):
        label = self.model._meta.verbose_name_plural
        scopes = {}
        for row in rows:
            clinic_id, patient_id = self.audit_scope(row)
            if not self.audit_patients_listed:
                patient_id = None
            if clinic_id is not None or patient_id is not None:
                scopes.setdefault((clinic_id, patient_id), row.pk)
        if len(rows) == 1 and scopes:
            summary = _("%(model)s #%(id)s.") % {"model": label, "id": rows[0].pk}
        else:
            summary = _("A list of %(model)s.") % {"model": label}
        audit.record_many(
            action=AuditAction.ADMIN_VIEWED,
            scopes=list(scopes),
            summary=summary,
            request=request,
        )


class WritesNothing:
    """Mixed in before a ModelAdmin or an inline: nothing is added, changed or deleted."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(WritesNothing, AuditedAdmin):
    """A patient's records (their details, plans, sessions, pain reports, messages) are read
    here, never added, changed or deleted: the app's pages do that, through the services that
    keep the audit trail and the record's own history."""


class ReadOnlyInline(WritesNothing):
    """An inline of a read-only record; mixed in before TabularInline."""

    can_delete = False
    extra = 0
