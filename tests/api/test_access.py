"""Who may call the API and what each call leaves in the audit trail."""

import pytest
from rest_framework.test import APIClient

from clinics.models import ApiScope, AuditAction, AuditEvent
from clinics.services import api_key_create, api_key_revoke
from tests.api.conftest import key_client
from tests.clinics.factories import TherapistFactory
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PainReportFactory
from tests.prescriptions.factories import prescribe

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_no_key_answers_401_with_a_challenge(patient):
    response = APIClient().get("/api/v1/patients/")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == 'Bearer realm="rehabit"'


@pytest.mark.parametrize(
    "header",
    ["Bearer rhk_000000000000_wrong", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer "],
)
def test_a_wrong_key_answers_401(api, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/patients/")
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_a_key_with_a_right_prefix_and_a_wrong_secret_answers_401(api):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api.raw[:-3]}xyz")
    assert client.get("/api/v1/patients/").status_code == 401


def test_a_revoked_key_answers_401(api, clinic_admin, patient):
    assert api.get("/api/v1/patients/").status_code == 200
    api_key_revoke(key=api.key, revoked_by=clinic_admin)
    assert api.get("/api/v1/patients/").status_code == 401


def test_a_key_stops_when_its_staff_member_leaves(clinic, clinic_admin, patient):
    colleague = TherapistFactory(clinic=clinic)
    client = key_client(clinic=clinic, admin=clinic_admin, acts_as=colleague)
    assert client.get("/api/v1/patients/").status_code == 200
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    assert client.get("/api/v1/patients/").status_code == 401


def test_a_read_only_key_cannot_write(read_only_api, patient, therapist):
    plan = prescribe(patient, therapist, ExerciseFactory(clinic=patient.clinic))
    writes = [
        ("post", "/api/v1/patients/", {"first_name": "A", "last_name": "B"}),
        ("patch", f"/api/v1/patients/{patient.pk}/", {"phone": "1"}),
        ("post", "/api/v1/plans/", {}),
        ("put", f"/api/v1/plans/{plan.pk}/", {}),
        ("post", f"/api/v1/plans/{plan.pk}/status/", {"status": "paused"}),
        ("post", "/api/v1/session-logs/", {}),
        ("post", "/api/v1/pain-reports/", {"patient": patient.pk, "score": 3}),
    ]
    for method, url, body in writes:
        response = getattr(read_only_api, method)(url, body, format="json")
        assert response.status_code == 403, (method, url)
        assert "only read" in response.json()["detail"]
    assert read_only_api.get("/api/v1/patients/").status_code == 200


def test_another_clinics_key_gets_404_for_every_id(stranger_api, patient, therapist):
    plan = prescribe(patient, therapist, ExerciseFactory(clinic=patient.clinic))
    report = PainReportFactory(patient=patient)
    urls = [
        ("get", f"/api/v1/patients/{patient.pk}/"),
        ("patch", f"/api/v1/patients/{patient.pk}/"),
        ("get", f"/api/v1/plans/{plan.pk}/"),
        ("put", f"/api/v1/plans/{plan.pk}/"),
        ("post", f"/api/v1/plans/{plan.pk}/status/"),
        ("get", f"/api/v1/plans/{plan.pk}/revisions/"),
        ("get", f"/api/v1/pain-reports/{report.pk}/"),
    ]
    for method, url in urls:
        response = getattr(stranger_api, method)(url, {}, format="json")
        assert response.status_code == 404, (method, url)
        assert response["Content-Type"] == PROBLEM
    for url in ("/api/v1/patients/", "/api/v1/plans/", "/api/v1/pain-reports/"):
        assert stranger_api.get(url).json()["results"] == []


def test_another_clinics_patient_cannot_be_named_in_a_write(stranger_api, patient):
    response = stranger_api.post(
        "/api/v1/pain-reports/", {"patient": patient.pk, "score": 3}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "patient"


def test_each_read_of_a_patient_leaves_an_audit_row_naming_the_key(api, patient, therapist):
    api.get(f"/api/v1/patients/{patient.pk}/")
    event = AuditEvent.objects.get(action=AuditAction.API_READ)
    assert event.patient_id == patient.pk
    assert event.api_key_id == api.key.pk
    assert event.actor_id == therapist.pk
    assert event.summary == f"GET /api/v1/patients/{patient.pk}/"


def test_a_list_leaves_one_row_per_patient_it_carried(api, clinic, therapist):
    from tests.patients.factories import PatientFactory

    patients = PatientFactory.create_batch(3, clinic=clinic, primary_therapist=therapist)
    api.get("/api/v1/patients/")
    rows = AuditEvent.objects.filter(action=AuditAction.API_READ, api_key=api.key)
    assert sorted(rows.values_list("patient_id", flat=True)) == sorted(p.pk for p in patients)


def test_a_write_through_the_api_is_audited_with_the_key(api, patient):
    api.post("/api/v1/pain-reports/", {"patient": patient.pk, "score": 4}, format="json")
    event = AuditEvent.objects.get(action=AuditAction.PAIN_REPORTED)
    assert event.api_key_id == api.key.pk


def test_calls_beyond_the_keys_ceiling_answer_429(api, patient, settings):
    settings.REHABIT_API_RATE = "3/minute"
    answers = [api.get("/api/v1/patients/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    response = api.get("/api/v1/patients/")
    assert response["Content-Type"] == PROBLEM
    assert int(response["Retry-After"]) > 0


def test_the_ceiling_is_per_key(api, read_only_api, patient, settings):
    settings.REHABIT_API_RATE = "2/minute"
    for _ in range(2):
        api.get("/api/v1/patients/")
    assert api.get("/api/v1/patients/").status_code == 429
    assert read_only_api.get("/api/v1/patients/").status_code == 200


def test_keys_are_kept_only_as_a_digest(clinic, clinic_admin):
    key, raw = api_key_create(
        clinic=clinic,
        name="Billing",
        scope=ApiScope.READ,
        acts_as=clinic_admin,
        created_by=clinic_admin,
    )
    secret = raw.split("_", 2)[2]
    assert secret not in key.secret_digest
    assert raw.startswith(f"rhk_{key.prefix}_")


def test_the_schema_and_its_page_need_no_key(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    page = client.get("/api/docs/")
    assert page.status_code == 200
    assert b"swagger-ui-bundle.js" in page.content
