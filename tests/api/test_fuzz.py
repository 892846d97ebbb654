"""The API fuzzed from its own OpenAPI schema with the demo clinic's published key: for every
operation, requests generated from the schema never make the server fail (no 5xx), and every
answer matches the schema (status codes, content types, headers and bodies). The demo's
records give the generated ids something to hit; a bounded number of examples per operation
keeps the run short."""

import io
import json

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi import checks as openapi_checks

from devdata.demo import DEMO_API_KEY

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
def connection_kept():
    """The WSGI application closes the database connection at the end of each request, as it
    should in production; inside a test's transaction that would end the test's connection, so
    (as Django's own test client does) the connection stays open while the fuzzing runs."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_operation_answers_as_its_schema_says(db, settings, connection_kept):
    settings.REHABIT_API_RATE = "100000/minute"
    call_command("seed_demo", allow_production=True, stdout=io.StringIO())
    app = get_wsgi_application()
    headers = {"Authorization": f"Bearer {DEMO_API_KEY}"}
    failures = []
    for operation in OPERATIONS:

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

        try:
            answers_as_documented()
        except Exception as failure:  # each operation's findings, all reported at the end
            failures.append(f"{operation.label}: {failure}")
    assert failures == [], "\n\n".join(failures)


def test_every_operation_is_fuzzed():
    labels = {operation.label for operation in OPERATIONS}
    assert len(labels) >= 30
    assert "GET /api/fhir/Patient/{id}/$everything" in labels
    assert "POST /api/v1/session-logs/" in labels
