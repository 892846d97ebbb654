"""The API fuzzed from its own OpenAPI schema: for every operation, requests generated from
the schema never make the server fail (no 5xx), and every answer matches the schema (status
codes, content types, headers and bodies). A bounded number of examples per operation keeps
the run short; the data is a small clinic whose ids the generated requests can hit."""

import datetime
import json
import uuid

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi import checks as openapi_checks

from patients.models import EntryStatus
from patients.services import EntryInput, pain_report_record, session_log_record
from tests.api.conftest import key_client
from tests.clinics.factories import ClinicAdminFactory, ClinicFactory, TherapistFactory
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientFactory
from tests.prescriptions.factories import prescribe

EXAMPLES = 15
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]


def _schema():
    """The schema as the API serves it, drawn in-process (no request, no database)."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(raw)))


SCHEMA = _schema()
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture
def demo_key(db, settings):
    """A key of a small clinic whose patients, plans, sessions and pain reports have ids the
    generated requests can hit, with a ceiling high enough not to get in the way."""
    settings.REHABIT_API_RATE = "100000/minute"
    clinic = ClinicFactory(name="Fuzz Physio")
    admin = ClinicAdminFactory(clinic=clinic)
    therapist = TherapistFactory(clinic=clinic)
    exercises = [ExerciseFactory(clinic=clinic), ExerciseFactory(clinic=None)]
    for _ in range(3):
        patient = PatientFactory(clinic=clinic, primary_therapist=therapist)
        plan = prescribe(patient, therapist, *exercises)
        pain_report_record(patient=patient, score=4, recorded_by=therapist)
        session_log_record(
            patient=patient,
            plan=plan,
            performed_at=timezone.now() - datetime.timedelta(hours=2),
            entries=[
                EntryInput(
                    plan_item=item,
                    status=EntryStatus.COMPLETED,
                    sets_done=item.sets,
                    repetitions_done=item.repetitions,
                    hold_seconds_done=item.hold_seconds,
                )
                for item in plan.items.all()
            ],
            client_token=uuid.uuid4(),
            recorded_by=therapist,
        )
    return key_client(clinic=clinic, admin=admin, acts_as=therapist).raw


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_every_operation_answers_as_its_schema_says(operation, demo_key):
    app = get_wsgi_application()
    headers = {"Authorization": f"Bearer {demo_key}"}

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def answers_as_documented(case):
        response = case.call(app=app, headers=headers)
        case.validate_response(response, checks=CHECKS)

    answers_as_documented()


def test_every_operation_is_fuzzed():
    assert len(OPERATIONS) >= 14
