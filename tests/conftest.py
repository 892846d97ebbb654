import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_started
from django.db import reset_queries
from django.test import Client, TestCase
from django.utils import translation

from tests.clinics.factories import (
    ClinicAdminFactory,
    ClinicFactory,
    TherapistFactory,
)
from tests.patients.factories import PatientWithAccountFactory


@pytest.fixture(autouse=True, scope="session")
def _query_log_spans_requests():
    """Query-count blocks wrap test-client requests, and Django empties the query log when a
    request starts, which would make a block count from the wrong place. Keep the log across
    requests during tests, and start every test with it empty."""
    request_started.disconnect(reset_queries)
    yield
    request_started.connect(reset_queries)


@pytest.fixture(autouse=True)
def _empty_query_log():
    reset_queries()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with nothing cached: markup cached by an earlier test (whose rows were
    rolled back, and whose ids a later test may get again) is not this test's."""
    cache.clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request by someone who reads Spanish or French
    leaves their language active in the thread (a server's next request sets its own), which
    would otherwise carry into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


class CommittingClient(Client):
    """The test client, whose requests end as real ones do: each test runs inside a
    transaction that never commits, so the work a request hands on when its writes commit
    (emails from the outbox, stored pictures tidied away) runs as the request ends instead."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client():
    return CommittingClient()


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
