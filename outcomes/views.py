"""Outcome measures' pages: for the clinic's staff, recording ODI and NDI totals, setting up a
patient's PSFS and correcting a score; for the patient, their own outcomes and the PSFS
rating on their phone (under /patients/me/, inside the phone app's scope)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinics import audit
from clinics.access import patient_required, staff_required
from clinics.models import AuditAction
from lib.web import flash_errors, posted
from patients.access import patient_for_self, patient_for_staff

from . import services
from .forms import ActivitiesForm, CorrectForm, IntervalForm, PsfsRateForm, TotalForm
from .scores import PSFS_MAX_ACTIVITIES
from .selectors import (
    activities_of,
    activity_for_patient,
    entry_for_patient,
    outcomes_section,
)


def _saved(request, form, action, *, success: str) -> bool:
    """Run the service behind a valid form; a refusal goes back onto the form."""
    if not form.is_valid():
        return False
    try:
        action()
    except ValidationError as error:
        form.add_service_error(error)
        return False
    messages.success(request, success)
    return True


def _patient_page(patient) -> str:
    return reverse("insights:patient-detail", args=[patient.pk]) + "#outcomes"


def _staff_page(request, patient, **forms):
    """The staff's outcomes page, showing a refused form as it was typed."""
    section = outcomes_section(patient=patient)
    free = PSFS_MAX_ACTIVITIES - len(section.activities)
    context = {
        "section": section,
        "total_form": forms.get("total_form") or TotalForm(initial={"assessed_on": section.today}),
        "activities_form": forms.get("activities_form") or ActivitiesForm(free=free),
        "interval_form": forms.get("interval_form")
        or IntervalForm(initial={"days": section.interval_days}),
    }
    audit.record(action=AuditAction.OUTCOMES_VIEWED, patient=patient)
    return render(request, "outcomes/outcomes_staff.html", context)


@staff_required
def staff_outcomes(request, pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    return _staff_page(request, patient)


@staff_required
@require_POST
def total_record(request, pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    form = TotalForm(request.POST)
    if _saved(
        request,
        form,
        lambda: services.total_record(
            patient=patient,
            measure=form.cleaned_data["measure"],
            total=form.cleaned_data["total"],
            assessed_on=form.cleaned_data["assessed_on"],
            by=request.user,
        ),
        success=_("Score recorded."),
    ):
        return redirect(_patient_page(patient))
    return _staff_page(request, patient, total_form=form)


@staff_required
@require_POST
def activities_add(request, pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    free = PSFS_MAX_ACTIVITIES - len(activities_of(patient))
    form = ActivitiesForm(request.POST, free=free)
    if _saved(
        request,
        form,
        lambda: services.psfs_activities_add(patient=patient, names=form.names(), by=request.user),
        success=_("PSFS activities saved."),
    ):
        return redirect(_patient_page(patient))
    return _staff_page(request, patient, activities_form=form)


@staff_required
@require_POST
def activity_retire(request, pk: int, activity_pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    activity = activity_for_patient(patient=patient, pk=activity_pk)
    try:
        services.psfs_activity_retire(patient=patient, activity=activity, by=request.user)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("Activity taken off the list; its ratings are kept."))
    return redirect(reverse("outcomes:staff-outcomes", args=[patient.pk]))


@staff_required
@require_POST
def interval_set(request, pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    form = IntervalForm(request.POST)
    if _saved(
        request,
        form,
        lambda: services.psfs_interval_set(
            patient=patient, days=form.cleaned_data["days"], by=request.user
        ),
        success=_("PSFS interval saved."),
    ):
        return redirect(_patient_page(patient))
    return _staff_page(request, patient, interval_form=form)


@staff_required
def entry_correct(request, pk: int, entry_pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    entry = entry_for_patient(patient=patient, pk=entry_pk)
    initial = {"assessed_on": entry.assessed_on, "total": entry.total}
    initial |= {f"activity_{rating.activity_id}": rating.rating for rating in entry.ratings.all()}
    form = CorrectForm(posted(request), entry=entry, initial=initial)
    if _saved(
        request,
        form,
        lambda: services.entry_correct(
            entry=entry,
            by=request.user,
            assessed_on=form.cleaned_data["assessed_on"],
            note=form.cleaned_data["note"],
            total=form.cleaned_data.get("total"),
            ratings=form.ratings() if entry.total is None else None,
        ),
        success=_("Score corrected; the earlier one is kept in the record."),
    ):
        return redirect(_patient_page(patient))
    audit.record(action=AuditAction.OUTCOMES_VIEWED, patient=patient)
    return render(
        request, "outcomes/entry_correct.html", {"patient": patient, "entry": entry, "form": form}
    )


# The patient's own ---------------------------------------------------------------------------


@patient_required
def my_outcomes(request):
    patient = patient_for_self(user=request.user)
    section = outcomes_section(patient=patient)
    form = ActivitiesForm(free=PSFS_MAX_ACTIVITIES - len(section.activities))
    return render(request, "outcomes/my_outcomes.html", {"section": section, "form": form})


@patient_required
@require_POST
def my_activities_add(request):
    patient = patient_for_self(user=request.user)
    activities = activities_of(patient)
    form = ActivitiesForm(request.POST, free=PSFS_MAX_ACTIVITIES - len(activities))
    if _saved(
        request,
        form,
        lambda: services.psfs_activities_add(patient=patient, names=form.names(), by=request.user),
        success=_("Your activities are saved. Now rate each one."),
    ):
        return redirect("outcomes:psfs-rate")
    section = outcomes_section(patient=patient)
    return render(request, "outcomes/my_outcomes.html", {"section": section, "form": form})


@patient_required
def psfs_rate(request):
    patient = patient_for_self(user=request.user)
    activities = activities_of(patient)
    if not activities:
        return redirect("outcomes:my-outcomes")
    form = PsfsRateForm(posted(request), activities=activities)
    if _saved(
        request,
        form,
        lambda: services.psfs_record(
            patient=patient,
            ratings=form.ratings(),
            assessed_on=patient.clinic.today(),
            by=request.user,
        ),
        success=_("Thank you. Your answers are with your therapist."),
    ):
        return redirect("outcomes:my-outcomes")
    return render(request, "outcomes/psfs_rate.html", {"form": form})
