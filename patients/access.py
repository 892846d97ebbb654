from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from prescriptions.models import Plan, PlanItem

from .models import PainReport, Patient, SessionLog, SessionLogEntry


def patient_for_staff(*, user, pk: int) -> Patient:
    """A patient of the staff member's clinic; another clinic's patient answers 404 alike."""
    return get_object_or_404(
        Patient.objects.for_clinic(user.clinic).select_related("primary_therapist"), pk=pk
    )


def patient_for_self(*, user) -> Patient:
    """The signed-in patient's own record, and only that."""
    return get_object_or_404(
        Patient.objects.for_clinic(user.clinic).select_related("clinic", "primary_therapist"),
        user=user,
    )


def plan_for_patient(*, patient: Patient, pk: int) -> Plan:
    """One of the patient's own plans, with its exercises; any other id answers 404."""
    return get_object_or_404(
        Plan.objects.filter(patient=patient).prefetch_related(
            Prefetch(
                "items",
                queryset=PlanItem.objects.select_related("exercise").prefetch_related(
                    "exercise__steps"
                ),
            )
        ),
        pk=pk,
    )


def session_for_patient(*, patient: Patient, pk: int) -> SessionLog:
    """One of the patient's own session logs, with its exercises; any other id answers 404."""
    return get_object_or_404(
        SessionLog.objects.filter(patient=patient)
        .select_related("plan")
        .prefetch_related(
            Prefetch("entries", queryset=SessionLogEntry.objects.select_related("exercise"))
        ),
        pk=pk,
    )


def pain_report_for_patient(*, patient: Patient, pk: int) -> PainReport:
    """One of the patient's own pain reports; any other id answers 404."""
    return get_object_or_404(PainReport.objects.filter(patient=patient), pk=pk)
