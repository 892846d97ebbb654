from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clinics.access import patient_required, staff_required
from prescriptions import builder
from prescriptions.access import template_for_staff
from prescriptions.selectors import templates_for_clinic
from prescriptions.services import plan_create as plan_create_service

from .access import patient_for_self, patient_for_staff
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


@staff_required
def plan_create(request, pk: int):
    """The plan builder for a new plan, optionally started from a template (?template=id)."""
    patient = patient_for_staff(user=request.user, pk=pk)
    clinic = request.user.clinic
    template_id = request.GET.get("template") or request.POST.get("template")
    template = None
    if template_id and str(template_id).isdigit():
        template = template_for_staff(user=request.user, pk=int(template_id))
    today = clinic.today()
    plan_initial = {"start_date": today, "times_per_day": 1, "weekdays": 0b1111111}
    rows = []
    if template is not None:
        plan_initial.update(
            title=template.name,
            times_per_day=template.times_per_day,
            weekdays=template.weekdays,
            notes=template.description,
            template=template.pk,
        )
        rows = builder.rows_from_items(
            template.items.select_related("exercise").order_by("position"), keep_ids=False
        )

    def save(cleaned, items):
        return plan_create_service(
            patient=patient,
            prescribed_by=request.user,
            title=cleaned["title"],
            start_date=cleaned["start_date"],
            end_date=cleaned["end_date"],
            times_per_day=cleaned["times_per_day"],
            weekdays=cleaned["weekdays"],
            notes=cleaned["notes"],
            items=items,
            template=template,
        )

    result = builder.build(
        request, clinic=clinic, plan_initial=plan_initial, rows_initial=rows, save=save
    )
    if not isinstance(result, builder.Builder):
        messages.success(
            request,
            _("“%(title)s” is now %(name)s's plan.")
            % {"title": result.title, "name": patient.first_name},
        )
        return redirect("prescriptions:plan-detail", pk=result.pk)
    return render(
        request,
        "prescriptions/plan_builder.html",
        {
            "builder": result,
            "patient": patient,
            "templates": templates_for_clinic(clinic=clinic),
            "template": template,
        },
    )
