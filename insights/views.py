"""The therapist's read side: the caseload dashboard, the review of one patient, the exports of
their record, and acknowledging alerts."""

import csv
import json

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
from clinics.access import staff_required
from clinics.models import AuditAction
from lib.web import flash_errors
from messaging.selectors import unread_count as unread_messages_count
from monitoring.selectors import patient_monitoring
from outcomes.selectors import outcomes_section
from patients.access import patient_for_staff
from patients.models import AlertKind

from . import fhir, services
from .forms import AlertAcknowledgeForm, CaseloadFilterForm
from .selectors.caseload import caseload_filter
from .selectors.caseload import dashboard as dashboard_selector
from .selectors.exports import patient_log_rows, patient_record_json
from .selectors.patient import patient_page
from .selectors.review import cursor_from as review_cursor_from
from .selectors.review import patient_review

PAGE_SIZE = 25


@staff_required
def caseload(request):
    """The therapist's home: the caseload, most pressing alert first. The filters apply as they
    change: htmx asks for the same URL and gets only the results (and the emergency banner,
    which the scope and status change too); without JavaScript the form reloads the page."""
    form = CaseloadFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    services.caseload_triage_refresh(
        clinic=request.user.clinic,
        patients=caseload_filter(
            user=request.user, scope=filters["scope"], status=filters["status"]
        ),
    )
    board = dashboard_selector(
        user=request.user, **filters, page_number=request.GET.get("page"), per_page=PAGE_SIZE
    )
    audit.record_listed(
        patients=[
            *(row.patient for row in board.page),
            *(patient for patient, _alert in board.emergencies),
        ],
        summary=_("Caseload."),
    )
    template = "insights/caseload.html"
    if request.htmx and not request.htmx.boosted:
        template += "#caseload-update"
    return render(
        request,
        template,
        {"form": form, "board": board, "page": board.page, "here": request.get_full_path()},
    )


@staff_required
def patient_detail(request, pk: int):
    """The patient at a glance (plan and dose, adherence, pain against baseline, open alerts,
    last session, messages), then their plans, progress, sessions, pain reports and record.
    `?days=` picks the charts' window (the active plan's span by default, or 30, 90 or 365
    days); `?before=` and `?pain_before=` page back through the sessions and the pain reports."""
    patient = patient_for_staff(user=request.user, pk=pk)
    page = patient_page(patient=patient, days=request.GET.get("days"))
    sessions_before = review_cursor_from(request.GET.get("before"))
    pain_before = review_cursor_from(request.GET.get("pain_before"))
    review = patient_review(
        patient=page.patient,
        window=page.window,
        sessions_before=sessions_before,
        pain_before=pain_before,
        plan_span=page.plan_span,
        prescribed=page.prescribed,
    )
    audit.record(
        action=AuditAction.HISTORY_VIEWED
        if sessions_before or pain_before
        else AuditAction.PATIENT_VIEWED,
        patient=patient,
    )
    return render(
        request,
        "insights/patient_detail.html",
        {
            "page": page,
            "review": review,
            "unread_messages": unread_messages_count(patient=patient, reader=request.user),
            "monitoring": patient_monitoring(
                patient=page.patient, month=request.GET.get("rtm_month")
            ),
            "outcomes": outcomes_section(patient=page.patient),
        },
    )


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
@require_safe
def patient_export_fhir(request, pk: int):
    """The patient's program (plans, exercises, sessions, pain and outcome scores) as a FHIR R4
    Bundle, for the clinic's staff to load into another health record system."""
    patient = patient_for_staff(user=request.user, pk=pk)
    bundle = fhir.patient_bundle(
        patient=patient, base_url=request.build_absolute_uri(fhir.FHIR_BASE_PATH)
    )
    body = json.dumps(bundle, ensure_ascii=False, indent=2)
    audit.record(action=AuditAction.EXPORTED_FHIR, patient=patient)
    response = HttpResponse(body, content_type=fhir.CONTENT_TYPE)
    day = patient.clinic.today().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="rehabit-patient-{patient.pk}-fhir-{day}.json"'
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
        back = reverse("insights:caseload")
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
        flash_errors(request, error)
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
