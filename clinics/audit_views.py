from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .access import clinic_admin_required
from .audit_forms import AuditFilterForm
from .selectors import audit_events_for_clinic

AUDIT_PAGE_SIZE = 50


@clinic_admin_required
@require_safe
def audit_trail(request):
    """The clinic's audit trail for its admins: who did what to which record, newest first."""
    clinic = request.user.clinic
    form = AuditFilterForm(request.GET or None, clinic=clinic)
    events = audit_events_for_clinic(clinic=clinic, **form.filters())
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "clinics/audit_trail.html", {"form": form, "page": page})
