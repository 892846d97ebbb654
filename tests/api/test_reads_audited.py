"""Every read of a patient's data through the API leaves an audit row naming the key, whichever
resource answers it."""

import pytest

from clinics.models import AuditAction, AuditEvent
from tests.exercises.factories import ExerciseFactory
from tests.prescriptions.factories import prescribe


@pytest.fixture
def plan(patient, therapist):
    return prescribe(patient, therapist, ExerciseFactory(clinic=patient.clinic))


@pytest.mark.parametrize(
    "path",
    ["patients/", "patients/{patient}/", "plans/", "plans/{plan}/", "plans/{plan}/revisions/"],
)
def test_a_read_of_patient_data_is_audited_with_the_key(api, patient, plan, path):
    response = api.get("/api/v1/" + path.format(patient=patient.pk, plan=plan.pk))
    assert response.status_code == 200
    rows = AuditEvent.objects.filter(action=AuditAction.API_READ, api_key=api.key)
    assert list(rows.values_list("patient_id", flat=True)) == [patient.pk]
