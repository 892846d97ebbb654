from django.shortcuts import get_object_or_404

from .models import Patient


def patient_for_staff(*, user, pk: int) -> Patient:
    """A patient of the staff member's clinic; another clinic's patient answers 404 alike."""
    return get_object_or_404(
        Patient.objects.for_clinic(user.clinic).select_related("primary_therapist"), pk=pk
    )


def patient_for_self(*, user) -> Patient:
    """The signed-in patient's own record, and only that."""
    return get_object_or_404(
        Patient.objects.for_clinic(user.clinic).select_related("clinic"), user=user
    )
