import pytest

from tests.clinics.factories import (
    ClinicAdminFactory,
    ClinicFactory,
    TherapistFactory,
)
from tests.patients.factories import PatientWithAccountFactory


@pytest.fixture
def clinic(db):
    return ClinicFactory(name="Riverside Physio")


@pytest.fixture
def other_clinic(db):
    return ClinicFactory(name="Hillside Physio")


@pytest.fixture
def therapist(clinic):
    """The owner persona: the patient's primary therapist."""
    return TherapistFactory(clinic=clinic, full_name="Tess Owner")


@pytest.fixture
def colleague(clinic):
    """A therapist in the same clinic who is not the patient's primary therapist."""
    return TherapistFactory(clinic=clinic, full_name="Cal Colleague")


@pytest.fixture
def clinic_admin(clinic):
    return ClinicAdminFactory(clinic=clinic, full_name="Ada Admin")


@pytest.fixture
def stranger(other_clinic):
    """A therapist of another clinic: must never see the first clinic's data."""
    return TherapistFactory(clinic=other_clinic, full_name="Stan Stranger")


@pytest.fixture
def patient(therapist):
    return PatientWithAccountFactory(
        primary_therapist=therapist, first_name="Pat", last_name="Ient"
    )
