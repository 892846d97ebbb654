"""Writes through the API obey the rules the pages do, because they go through the same
services: dose limits, dates, the plan's version, and the client token of a log."""

import datetime
import uuid

import pytest
from django.utils import timezone

from patients.models import PainReport, SessionLog
from prescriptions.models import Plan, PlanStatus
from tests.exercises.factories import ExerciseFactory
from tests.prescriptions.factories import prescribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def exercise(clinic):
    return ExerciseFactory(clinic=clinic, name="Knee-to-chest stretch")


def plan_body(patient, exercise, **item):
    return {
        "patient": patient.pk,
        "title": "Back spasm relief",
        "start_date": patient.clinic.today().isoformat(),
        "times_per_day": 2,
        "days_of_week": ["mon", "wed", "fri"],
        "items": [
            {
                "exercise": exercise.pk,
                "sets": 3,
                "repetitions": 2,
                "hold_seconds": 30,
                "rest_seconds": 10,
                **item,
            }
        ],
    }


def test_a_plan_is_prescribed_with_its_dose(api, patient, exercise, therapist):
    response = api.post("/api/v1/plans/", plan_body(patient, exercise), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    plan = Plan.objects.get(pk=body["id"])
    assert plan.prescribed_by == therapist
    assert plan.revisions.count() == 1
    assert body["days_of_week"] == ["mon", "wed", "fri"]
    assert body["times_per_day"] == 2
    assert body["version"] == 1
    item = body["items"][0]
    assert (item["sets"], item["repetitions"], item["hold_seconds"]) == (3, 2, 30)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("sets", 11, "Sets"),
        ("sets", 0, "Sets"),
        ("repetitions", 51, "Repetitions"),
        ("hold_seconds", 301, "Hold"),
        ("rest_seconds", 301, "Rest"),
        ("hold_seconds", -1, "Hold"),
    ],
)
def test_one_past_each_dose_limit_is_refused(api, patient, exercise, field, value, words):
    response = api.post(
        "/api/v1/plans/", plan_body(patient, exercise, **{field: value}), format="json"
    )
    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert words in response.json()["detail"]
    assert not Plan.objects.exists()


def test_the_last_value_inside_each_limit_is_accepted(api, patient, exercise):
    body = plan_body(patient, exercise, sets=10, repetitions=50, hold_seconds=300, rest_seconds=300)
    assert api.post("/api/v1/plans/", body, format="json").status_code == 201


def test_times_per_day_past_its_limit_is_refused(api, patient, exercise):
    body = {**plan_body(patient, exercise), "times_per_day": 7}
    response = api.post("/api/v1/plans/", body, format="json")
    assert response.status_code == 400
    assert not Plan.objects.exists()


def test_a_start_date_years_away_is_refused_with_the_pages_sentence(api, patient, exercise):
    body = {**plan_body(patient, exercise), "start_date": "2202-01-01"}
    response = api.post("/api/v1/plans/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "start_date"
    assert "a year either side of today" in response.json()["errors"][0]["detail"]


def test_another_clinics_exercise_cannot_be_prescribed(api, patient):
    foreign = ExerciseFactory()
    response = api.post("/api/v1/plans/", plan_body(patient, foreign), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "items[0].exercise"


def test_a_plan_changed_meanwhile_answers_409_and_keeps_the_other_change(api, patient, exercise):
    created = api.post("/api/v1/plans/", plan_body(patient, exercise), format="json").json()
    url = f"/api/v1/plans/{created['id']}/"
    change = {**created, "title": "Gentler", "items": [{**created["items"][0], "sets": 2}]}
    first = api.put(url, change, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["version"] == 2
    assert first.json()["items"][0]["sets"] == 2
    late = api.put(url, {**created, "title": "Stale"}, format="json")
    assert late.status_code == 409
    assert late.json()["type"] == "urn:rehabit:problem:stale"
    assert Plan.objects.get(pk=created["id"]).title == "Gentler"
    revisions = api.get(f"{url}revisions/").json()
    assert [row["number"] for row in revisions] == [2, 1]


def test_a_plan_is_paused_through_its_status(api, patient, exercise):
    created = api.post("/api/v1/plans/", plan_body(patient, exercise), format="json").json()
    response = api.post(
        f"/api/v1/plans/{created['id']}/status/", {"status": "paused"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == PlanStatus.PAUSED


def test_patient_details_change_and_a_duplicate_needs_a_reason(api, patient):
    response = api.patch(f"/api/v1/patients/{patient.pk}/", {"phone": "555 0100"}, format="json")
    assert response.json()["phone"] == "555 0100"
    same = {"first_name": "Pat", "last_name": "Ient", "email": patient.email}
    refused = api.post("/api/v1/patients/", same, format="json")
    assert refused.status_code == 409
    assert refused.json()["matches"] == [patient.pk]
    accepted = api.post(
        "/api/v1/patients/", {**same, "duplicate_reason": "Twin sister"}, format="json"
    )
    assert accepted.status_code == 201


def session_body(patient, plan, token, **values):
    item = plan.items.get()
    return {
        "patient": patient.pk,
        "plan": plan.pk,
        "performed_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "client_token": str(token),
        "pain_before": 4,
        "pain_after": 3,
        "entries": [
            {
                "plan_item": item.pk,
                "status": "completed",
                "sets_done": item.sets,
                "repetitions_done": item.repetitions,
                "hold_seconds_done": item.hold_seconds,
            }
        ],
        **values,
    }


def test_a_repeated_client_token_records_one_session(api, patient, therapist, exercise):
    plan = prescribe(patient, therapist, exercise)
    token = uuid.uuid4()
    first = api.post("/api/v1/session-logs/", session_body(patient, plan, token), format="json")
    assert first.status_code == 201, first.json()
    again = api.post("/api/v1/session-logs/", session_body(patient, plan, token), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert SessionLog.objects.count() == 1
    assert first.json()["entries"][0]["prescribed_hold_seconds"] == 30


def test_a_session_past_the_limits_saves_nothing(api, patient, therapist, exercise):
    plan = prescribe(patient, therapist, exercise)
    body = session_body(patient, plan, uuid.uuid4(), pain_after=11)
    body["entries"][0]["repetitions_done"] = 51
    response = api.post("/api/v1/session-logs/", body, format="json")
    assert response.status_code == 400
    assert not SessionLog.objects.exists()


def test_a_session_for_another_patients_plan_is_refused(api, patient, therapist, exercise):
    from tests.patients.factories import PatientFactory

    other = PatientFactory(clinic=patient.clinic, primary_therapist=therapist)
    plan = prescribe(other, therapist, exercise)
    response = api.post(
        "/api/v1/session-logs/", session_body(patient, plan, uuid.uuid4()), format="json"
    )
    assert response.status_code == 400
    assert not SessionLog.objects.exists()


def test_a_session_in_the_future_is_refused(api, patient, therapist, exercise):
    plan = prescribe(patient, therapist, exercise)
    later = (timezone.now() + datetime.timedelta(hours=2)).isoformat()
    body = session_body(patient, plan, uuid.uuid4(), performed_at=later)
    response = api.post("/api/v1/session-logs/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "performed_at"


def test_a_repeated_pain_token_records_one_report(api, patient):
    body = {"patient": patient.pk, "score": 6, "client_token": str(uuid.uuid4())}
    assert api.post("/api/v1/pain-reports/", body, format="json").status_code == 201
    assert api.post("/api/v1/pain-reports/", body, format="json").status_code == 200
    assert PainReport.objects.count() == 1


@pytest.mark.parametrize("score", [-1, 11])
def test_pain_outside_0_to_10_is_refused(api, patient, score):
    response = api.post(
        "/api/v1/pain-reports/", {"patient": patient.pk, "score": score}, format="json"
    )
    assert response.status_code == 400
    assert not PainReport.objects.exists()


def test_an_unknown_warning_sign_is_refused(api, patient):
    body = {"patient": patient.pk, "score": 3, "red_flags": ["not-a-flag"]}
    response = api.post("/api/v1/pain-reports/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "red_flags[0]"
