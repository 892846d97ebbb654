"""The FHIR bundle through the API: the same bundle as the patient page's download, for a key
of the patient's clinic only, audited with the key."""

import pytest
from fhir.resources.R4B.bundle import Bundle

from clinics.models import AuditAction, AuditEvent
from tests.exercises.factories import ExerciseFactory
from tests.prescriptions.factories import prescribe

pytestmark = pytest.mark.django_db


def url(patient):
    return f"/api/fhir/Patient/{patient.pk}/$everything"


def test_a_read_only_key_fetches_a_valid_bundle(read_only_api, patient, therapist):
    prescribe(patient, therapist, ExerciseFactory(clinic=patient.clinic))
    response = read_only_api.get(url(patient))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = Bundle.model_validate(response.json())
    assert bundle.type == "collection"
    kinds = {entry.resource.get_resource_type() for entry in bundle.entry}
    assert {"Patient", "CarePlan", "ServiceRequest", "ActivityDefinition"} <= kinds
    assert bundle.entry[0].fullUrl.startswith("http://testserver/api/fhir/")
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED_FHIR)
    assert event.patient_id == patient.pk and event.api_key_id == read_only_api.key.pk


def test_plain_json_is_served_to_who_asks_for_it(api, patient):
    response = api.get(url(patient), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_another_clinics_key_gets_404(stranger_api, patient):
    response = stranger_api.get(url(patient))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED_FHIR).exists()


def test_without_a_key_401(client, patient):
    assert client.get(url(patient)).status_code == 401
