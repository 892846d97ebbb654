from django.core.paginator import Paginator
from django.shortcuts import render

from clinics.access import patient_required, staff_required

from .access import patient_for_self
from .forms import CaseloadFilterForm
from .models import PatientStatus
from .selectors import caseload as caseload_selector
from .selectors import today_for_patient

PAGE_SIZE = 25


@staff_required
def caseload(request):
    form = CaseloadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    patients = caseload_selector(
        user=request.user,
        scope=filters.get("scope") or "mine",
        status=filters.get("status", PatientStatus.ACTIVE) if form.is_bound else "active",
        query=filters.get("q", ""),
    )
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "patients/patient_caseload.html", {"form": form, "page": page})


@patient_required
def today(request):
    patient = patient_for_self(user=request.user)
    return render(
        request,
        "patients/patient_today.html",
        {"patient": patient, "today": today_for_patient(patient=patient)},
    )
