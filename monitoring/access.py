from django.shortcuts import get_object_or_404

from patients.models import Patient

from .models import TimeEntry


def time_entry_for_patient(*, patient: Patient, pk: int) -> TimeEntry:
    """One of the patient's own time entries; another patient's or another clinic's answers
    404 alike."""
    return get_object_or_404(
        TimeEntry.objects.for_clinic(patient.clinic_id)
        .filter(patient=patient)
        .select_related("message", "corrected_by"),
        pk=pk,
    )
