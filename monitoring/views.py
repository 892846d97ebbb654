"""Remote-monitoring pages: setting up a patient's monitoring, logging and correcting time
(each a page of its own, reached from the patient page's monitoring section), and the
clinic's monthly report with its CSV file."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from clinics import audit
from clinics.access import staff_required
from clinics.models import AuditAction
from lib.web import posted
from patients.access import patient_for_staff
from patients.models import Patient

from . import services
from .access import time_entry_for_patient
from .forms import EnrolmentForm, TimeEntryForm
from .models import TimeEntry
from .selectors import (
    enrolment_of,
    monthly_report,
    own_messages_offered,
    report_csv_rows,
)


def _patient_page(patient: Patient, *, month=None) -> str:
    url = reverse("insights:patient-detail", args=[patient.pk])
    query = f"?rtm_month={month:%Y-%m}" if month else ""
    return f"{url}{query}#monitoring"


@staff_required
@require_http_methods(["GET", "POST"])
def enrolment_edit(request, pk: int):
    """Set up the patient's remote monitoring, or change or end it."""
    patient = patient_for_staff(user=request.user, pk=pk)
    enrolment = enrolment_of(patient=patient)
    initial = (
        {"started_on": enrolment.started_on, "ended_on": enrolment.ended_on}
        if enrolment
        else {"started_on": patient.clinic.today()}
    )
    form = EnrolmentForm(posted(request), initial=initial)
    if form.is_valid():
        try:
            services.enrolment_save(
                patient=patient,
                started_on=form.cleaned_data["started_on"],
                ended_on=form.cleaned_data["ended_on"],
                saved_by=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Remote monitoring saved."))
            return redirect(_patient_page(patient))
    audit.record(
        action=AuditAction.PATIENT_FORM_VIEWED, patient=patient, summary=_("Remote monitoring.")
    )
    return render(
        request,
        "monitoring/enrolment_edit.html",
        {"patient": patient, "enrolment": enrolment, "form": form},
    )


def _time_entry_page(request, *, patient: Patient, correcting: TimeEntry | None):
    if correcting is not None:
        initial = {
            "performed_on": correcting.performed_on,
            "minutes": correcting.minutes,
            "activity": correcting.activity,
            "communication": correcting.communication,
            "message": correcting.message_id,
        }
    else:
        initial = {"performed_on": patient.clinic.today()}
    form = TimeEntryForm(
        posted(request),
        initial=initial,
        patient=patient,
        author=request.user,
        offered=own_messages_offered(patient=patient, author=request.user),
    )
    if form.is_valid():
        try:
            entry = services.time_entry_record(
                patient=patient,
                performed_on=form.cleaned_data["performed_on"],
                minutes=form.cleaned_data["minutes"],
                activity=form.cleaned_data["activity"],
                communication=form.cleaned_data["communication"],
                message=form.cleaned_data["message"],
                recorded_by=request.user,
                supersedes=correcting,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Correction saved; the earlier entry stays, marked corrected.")
                if correcting
                else _("%(minutes)s minutes logged.") % {"minutes": entry.minutes},
            )
            return redirect(_patient_page(patient, month=entry.performed_on.replace(day=1)))
    audit.record(
        action=AuditAction.PATIENT_FORM_VIEWED,
        patient=patient,
        summary=_("Remote monitoring time log."),
    )
    return render(
        request,
        "monitoring/time_entry_form.html",
        {"patient": patient, "form": form, "correcting": correcting},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def time_entry_add(request, pk: int):
    """Log treatment-management time for the patient."""
    patient = patient_for_staff(user=request.user, pk=pk)
    return _time_entry_page(request, patient=patient, correcting=None)


@staff_required
@require_http_methods(["GET", "POST"])
def time_entry_correct(request, pk: int, entry_pk: int):
    """Correct a time entry with a new one; the one corrected stays, out of the totals."""
    patient = patient_for_staff(user=request.user, pk=pk)
    entry = time_entry_for_patient(patient=patient, pk=entry_pk)
    return _time_entry_page(request, patient=patient, correcting=entry)


@staff_required
@require_safe
def report(request):
    """The month's monitoring records, per patient: a therapist's own patients, or the whole
    clinic for an admin."""
    month_report = monthly_report(user=request.user, month=request.GET.get("month"))
    audit.record_listed(
        patients=month_report.patients,
        summary=_("Monitoring report, %(month)s.") % {"month": f"{month_report.month:%Y-%m}"},
    )
    return render(request, "monitoring/report.html", {"report": month_report})


@staff_required
@require_safe
def report_export(request):
    """The monthly report as a CSV file, one row per patient and period."""
    month_report = monthly_report(user=request.user, month=request.GET.get("month"))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="rehabit-monitoring-{month_report.month:%Y-%m}.csv"'
    )
    patch_cache_control(response, private=True, no_store=True)
    csv.writer(response).writerows(report_csv_rows(month_report))
    audit.record_many(
        action=AuditAction.MONITORING_REPORT_EXPORTED,
        scopes=[(patient.clinic_id, patient.pk) for patient in month_report.patients],
        summary=_("Monitoring report, %(month)s.") % {"month": f"{month_report.month:%Y-%m}"},
    )
    return response
