"""The patient's own pages: today's routine, reporting pain, their history, who has viewed
their record, and correcting a session log. Every lookup starts from the signed-in patient's
own record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinics import audit
from clinics.access import patient_required
from clinics.forms import LanguageForm
from clinics.languages import language_for
from clinics.models import AuditAction
from clinics.selectors import caseload_sightings_for_patient, record_views_for_patient
from lib.web import form_reasons, posted, wants_json
from push.views import push_section

from .. import services
from ..access import pain_report_for_patient, patient_for_self, session_for_patient
from ..cautions import SAFETY_RULE
from ..forms.own import HistoryPageForm, PainReportForm, ReminderForm, SessionCorrectionForm
from ..red_flags import RED_FLAGS_BY_CODE, Severity
from ..selectors.history import patient_history
from ..selectors.records import reminder_settings_for
from ..selectors.today import today_for_patient


@patient_required
def today(request):
    patient = patient_for_self(user=request.user)
    return render(
        request,
        "patients/patient_today.html",
        {
            "patient": patient,
            "today": today_for_patient(patient=patient),
            "safety_rule": SAFETY_RULE,
        },
    )


@patient_required
def pain_report(request):
    patient = patient_for_self(user=request.user)
    form = PainReportForm(posted(request))
    if form.is_valid():
        try:
            report = services.pain_report_record(
                patient=patient,
                recorded_by=request.user,
                score=form.cleaned_data["score"],
                body_location=form.cleaned_data["body_location"],
                note=form.cleaned_data["note"],
                red_flag_codes=form.cleaned_data["red_flags"],
                client_token=form.cleaned_data["client_token"],
                recorded_at=form.cleaned_data["reported_at"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            result = reverse("patients:pain-report-result", args=[report.pk])
            if wants_json(request):
                # The phone sending a report it kept while offline (static/js/worker.js).
                return JsonResponse({"sent": True, "url": result})
            return redirect(result)
    if form.is_bound and wants_json(request):
        return JsonResponse({"sent": False, "reasons": form_reasons(form)}, status=422)
    return render(request, "patients/pain_report_form.html", {"form": form})


@patient_required
def pain_report_result(request, pk: int):
    patient = patient_for_self(user=request.user)
    report = pain_report_for_patient(patient=patient, pk=pk)
    flags = [RED_FLAGS_BY_CODE[code] for code in report.red_flags]
    return render(
        request,
        "patients/pain_report_result.html",
        {
            "patient": patient,
            "report": report,
            "emergency_flags": [flag for flag in flags if flag.severity == Severity.EMERGENCY],
            "urgent_flags": [flag for flag in flags if flag.severity == Severity.URGENT],
        },
    )


@patient_required
def history(request):
    patient = patient_for_self(user=request.user)
    page_form = HistoryPageForm(request.GET)
    before = page_form.cleaned_data["before"] if page_form.is_valid() else None
    history = patient_history(patient=patient, before=before)
    audit.record(action=AuditAction.HISTORY_VIEWED, patient=patient)
    return render(
        request, "patients/patient_history.html", {"patient": patient, "history": history}
    )


RECORD_VIEWS_PAGE_SIZE = 50


ACCOUNT_RECORD_VIEWS = 5


@patient_required
def account(request):
    """The patient's account and privacy: who they are to the clinic, their reminders, their
    password, and the latest views of their record by the clinic's staff."""
    patient = patient_for_self(user=request.user)
    reminders = reminder_settings_for(patient=patient)
    form = ReminderForm(
        posted(request),
        sessions=reminders.sessions_per_day,
        initial=ReminderForm.initial_for(reminders.settings, reminders.times),
    )
    if form.is_valid():
        try:
            services.reminder_settings_update(
                patient=patient,
                updated_by=request.user,
                is_on=form.cleaned_data["is_on"],
                times=form.cleaned_data["times"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your reminders were saved."))
            return redirect(reverse("patients:account") + "#reminders")
    views = list(record_views_for_patient(patient=patient)[: ACCOUNT_RECORD_VIEWS + 1])
    return render(
        request,
        "patients/account.html",
        {
            "patient": patient,
            "reminder_form": form,
            "reminders": reminders,
            "record_views": views[:ACCOUNT_RECORD_VIEWS],
            "more_record_views": len(views) > ACCOUNT_RECORD_VIEWS,
            "sightings": caseload_sightings_for_patient(
                patient=patient, days=7, limit=ACCOUNT_RECORD_VIEWS
            ),
            "push": push_section(
                user=request.user, back=reverse("patients:account") + "#notifications"
            ),
            "language_form": LanguageForm(
                initial={"language": request.user.language}, clinic=patient.clinic
            ),
        },
    )


@patient_required
@require_POST
def account_language(request):
    """The patient's own language, from their account page."""
    patient = patient_for_self(user=request.user)
    form = LanguageForm(request.POST, clinic=patient.clinic)
    if form.is_valid():
        services.patient_language_set(patient=patient, language=form.cleaned_data["language"])
        request.user.refresh_from_db(fields=["language"])
        # Said in the language just chosen, the first sign that it took.
        with translation.override(language_for(request.user)):
            messages.success(request, _("Your language was saved."))
    else:
        messages.error(request, _("Choose one of the languages in the list."))
    return redirect(reverse("patients:account") + "#language")


@patient_required
def record_views(request):
    """Who at the clinic has looked at the patient's record, and when."""
    patient = patient_for_self(user=request.user)
    page = Paginator(record_views_for_patient(patient=patient), RECORD_VIEWS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "patients/record_views.html",
        {
            "patient": patient,
            "page": page,
            "sightings": caseload_sightings_for_patient(patient=patient),
        },
    )


@patient_required
def session_correct(request, pk: int):
    patient = patient_for_self(user=request.user)
    session = session_for_patient(patient=patient, pk=pk)
    context = {"session": session, "correctable_until": session.correctable_until}
    if not session.can_be_corrected:
        status = 403 if request.method == "POST" else 200
        return render(request, "patients/log_correct.html", context, status=status)
    form = SessionCorrectionForm(posted(request), session=session)
    if form.is_valid():
        was_flagged = session.is_flagged
        try:
            session = services.session_log_correct(
                session=session,
                corrected_by=request.user,
                reason=form.cleaned_data["reason"],
                **form.changes(),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("Your correction was saved. The earlier version is kept as well.")
            )
            if session.is_flagged and not was_flagged:
                messages.warning(
                    request,
                    _(
                        "Your therapist will see that this session hurt. If an exercise "
                        "causes pain, stop it and contact your therapist."
                    ),
                )
            return redirect(reverse("patients:history") + f"#session-{session.pk}")
    return render(request, "patients/log_correct.html", {**context, "form": form})
