"""Lists come in cursor pages, filter by time and patient, and read a fixed number of queries
however many rows they carry."""

import datetime
import uuid

import pytest
import time_machine
from django.utils import timezone

from patients.models import EntryStatus
from patients.services import EntryInput, pain_report_record, session_log_record
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientFactory
from tests.prescriptions.factories import prescribe

pytestmark = pytest.mark.django_db


def _fill(clinic, therapist, count):
    exercise = ExerciseFactory(clinic=clinic)
    for _ in range(count):
        patient = PatientFactory(clinic=clinic, primary_therapist=therapist)
        plan = prescribe(patient, therapist, exercise, ExerciseFactory(clinic=clinic))
        pain_report_record(patient=patient, score=3, recorded_by=therapist)
        entries = [
            EntryInput(
                plan_item=item,
                status=EntryStatus.COMPLETED,
                sets_done=item.sets,
                repetitions_done=item.repetitions,
                hold_seconds_done=item.hold_seconds,
            )
            for item in plan.items.all()
        ]
        session_log_record(
            patient=patient,
            plan=plan,
            performed_at=timezone.now() - datetime.timedelta(hours=1),
            entries=entries,
            client_token=uuid.uuid4(),
            recorded_by=therapist,
        )


@pytest.mark.parametrize(
    "url", ["/api/v1/patients/", "/api/v1/plans/", "/api/v1/pain-reports/", "/api/v1/session-logs/"]
)
def test_list_queries_do_not_grow_with_the_rows(
    api, clinic, therapist, url, django_assert_max_num_queries
):
    _fill(clinic, therapist, 2)
    # The key and its clinic, last-used, the page, any prefetch, and one audit insert.
    with django_assert_max_num_queries(6):
        small = api.get(url)
    _fill(clinic, therapist, 10)
    with django_assert_max_num_queries(6):
        large = api.get(url)
    assert len(large.json()["results"]) > len(small.json()["results"])


def test_pages_follow_a_cursor_without_repeats(api, clinic, therapist):
    PatientFactory.create_batch(5, clinic=clinic, primary_therapist=therapist)
    seen, url = [], "/api/v1/patients/?page_size=2"
    while url:
        body = api.get(url).json()
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]
    assert len(seen) == len(set(seen)) == 5


def test_updated_since_keeps_what_changed(api, clinic, therapist):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3)):
        old = PatientFactory(clinic=clinic, primary_therapist=therapist)
    new = PatientFactory(clinic=clinic, primary_therapist=therapist)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    response = api.get("/api/v1/patients/", {"updated_since": since})
    ids = [row["id"] for row in response.json()["results"]]
    assert new.pk in ids and old.pk not in ids


def test_updated_since_takes_any_offset_iso_8601_allows(api, clinic, therapist):
    """An offset of 23:25 is valid ISO 8601 though the database takes none past 15:59."""
    patient = PatientFactory(clinic=clinic, primary_therapist=therapist)
    response = api.get("/api/v1/patients/", {"updated_since": "2000-07-21T09:50:57+23:25"})
    assert [row["id"] for row in response.json()["results"]] == [patient.pk]


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-12-01T08:00:00", "0001-01-01T00:00:00+23:00", "2026-02-30T08:00Z"]
)
def test_updated_since_needs_a_time_with_a_zone(api, value):
    response = api.get("/api/v1/patients/", {"updated_since": value})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "updated_since"


def test_the_patient_filter(api, clinic, therapist):
    one = PatientFactory(clinic=clinic, primary_therapist=therapist)
    two = PatientFactory(clinic=clinic, primary_therapist=therapist)
    for patient in (one, two):
        pain_report_record(
            patient=patient, score=2, recorded_by=therapist, client_token=uuid.uuid4()
        )
    rows = api.get("/api/v1/pain-reports/", {"patient": one.pk}).json()["results"]
    assert [row["patient"] for row in rows] == [one.pk]
    assert api.get("/api/v1/pain-reports/", {"patient": "x"}).status_code == 400
