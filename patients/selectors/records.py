"""Single reads of a patient's records that pages and other apps' services need."""

import uuid

from clinics.models import User

from ..models import Patient, SessionLog


def patients_of_therapist_count(*, therapist: User) -> int:
    """How many patients, active or discharged, have `therapist` as their primary therapist."""
    return Patient.objects.filter(primary_therapist=therapist).count()


def patient_of_account(*, account: User) -> Patient | None:
    """The patient record a patient's sign-in belongs to, if any."""
    return Patient.objects.filter(user=account).first()


def session_for_token(*, patient: Patient, client_token: uuid.UUID) -> SessionLog | None:
    """The patient's session saved with this form's token, if it was saved."""
    return SessionLog.objects.filter(patient=patient, client_token=client_token).first()
