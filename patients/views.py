import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from clinics import audit
from clinics.access import patient_required, staff_required
from clinics.forms import posted
from clinics.models import AuditAction
from prescriptions import builder
from prescriptions.access import template_for_staff
from prescriptions.selectors import templates_for_clinic
from prescriptions.services import plan_create as plan_create_service

from . import services
from .access import patient_for_self, patient_for_staff
from .dashboard import dashboard as dashboard_selector
from .dashboard import sort_headers
from .forms import AlertAcknowledgeForm, CaseloadFilterForm, PatientForm
from .models import AlertKind
from .record_export import patient_record_json
from .review import cursor_from as review_cursor_from
from .review import patient_log_rows, patient_review
from .review import window_from as review_window_from
from .selectors import patient_page, today_for_patient

PAGE_SIZE = 25


@staff_required
def caseload(request):
    """The therapist's home: the caseload dashboard with adherence, pain and open alerts."""
    form = CaseloadFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    board = dashboard_selector(
        user=request.user, **filters, page_number=request.GET.get("page"), per_page=PAGE_SIZE
    )
    return render(
        request,
        "patients/patient_caseload.html",
        {
            "form": form,
            "board": board,
            "page": board.page,
            "headers": sort_headers(params=request.GET, sort=board.sort, scope=board.scope),
            "here": request.get_full_path(),
        },
    )


@staff_required
def patient_add(request):
    form = PatientForm(posted(request), user=request.user)
    if form.is_valid():
        try:
            patient = services.patient_create(clinic=request.user.clinic, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": patient.full_name})
            return redirect("patients:patient-detail", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form})


@staff_required
def patient_detail(request, pk: int):
    """The patient's record and the review of their progress: `?days=` picks the window (30, 90
    or 365 days), `?before=` a page of the timeline."""
    patient = patient_for_staff(user=request.user, pk=pk)
    page = patient_page(patient=patient)
    before = review_cursor_from(request.GET.get("before"))
    review = patient_review(
        patient=page.patient,
        days=review_window_from(request.GET.get("days")),
        before=before,
    )
    audit.record(
        action=AuditAction.HISTORY_VIEWED if before else AuditAction.PATIENT_VIEWED,
        patient=patient,
    )
    return render(request, "patients/patient_detail.html", {"page": page, "review": review})


@staff_required
def patient_edit(request, pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    form = PatientForm(
        posted(request),
        user=request.user,
        current_therapist=patient.primary_therapist,
        initial=PatientForm.initial_for(patient),
    )
    if form.is_valid():
        try:
            patient = services.patient_update(
                patient=patient, updated_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("%(name)s's details were saved.") % {"name": patient.full_name}
            )
            return redirect("patients:patient-detail", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient})


@staff_required
@require_POST
def patient_discharge(request, pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    try:
        services.patient_discharge(patient=patient, discharged_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(name)s was discharged; their running plans are now completed.")
            % {"name": patient.full_name},
        )
    return redirect("patients:patient-detail", pk=patient.pk)


@staff_required
@require_POST
def patient_reactivate(request, pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    try:
        services.patient_reactivate(patient=patient, reactivated_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("%(name)s is an active patient again.") % {"name": patient.full_name}
        )
    return redirect("patients:patient-detail", pk=patient.pk)


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


@staff_required
@require_POST
def patient_invite(request, pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    try:
        services.patient_invite(
            patient=patient, invited_by=request.user, base_url=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _(
                "Invitation sent to %(email)s. The link works once, for 7 days; any earlier "
                "invitation no longer works."
            )
            % {"email": patient.email},
        )
    return redirect("patients:patient-detail", pk=patient.pk)


@staff_required
@require_safe
def patient_export(request, pk: int):
    """The patient's session logs and pain reports as a CSV file, for the clinic's staff."""
    patient = patient_for_staff(user=request.user, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    day = patient.clinic.today().isoformat()
    # The file name carries the record number, not the name: downloads folders get shared.
    response["Content-Disposition"] = (
        f'attachment; filename="rehabit-patient-{patient.pk}-{day}.csv"'
    )
    patch_cache_control(response, private=True, no_store=True)
    writer = csv.writer(response)
    writer.writerows(patient_log_rows(patient=patient))
    audit.record(action=AuditAction.EXPORTED_CSV, patient=patient)
    return response


@staff_required
@require_safe
def patient_export_json(request, pk: int):
    """The patient's complete record as a JSON file (the right of access), for the clinic's
    staff to hand to the patient or to another provider."""
    patient = patient_for_staff(user=request.user, pk=pk)
    body = patient_record_json(patient=patient)
    audit.record(action=AuditAction.EXPORTED_JSON, patient=patient)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    day = patient.clinic.today().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="rehabit-patient-{patient.pk}-record-{day}.json"'
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@staff_required
@require_POST
def alert_acknowledge(request, pk: int):
    """Acknowledge one of the patient's alerts with an optional note, then go back to the page
    the form was on (the dashboard with its filters, by default)."""
    patient = patient_for_staff(user=request.user, pk=pk)
    form = AlertAcknowledgeForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("patients:caseload")
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    try:
        services.alert_acknowledge(
            clinic=request.user.clinic,
            patient=patient,
            kind=form.cleaned_data["kind"],
            event_key=form.cleaned_data["event_key"],
            acknowledged_by=request.user,
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Alert acknowledged for %(name)s: %(alert)s.")
            % {
                "name": patient.full_name,
                "alert": AlertKind(form.cleaned_data["kind"]).label.lower(),
            },
        )
    return redirect(back)
