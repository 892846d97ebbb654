import datetime

import pytest

from clinics.models import AuditAction, AuditEvent
from patients.models import AlertAcknowledgement
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientWithAccountFactory
from tests.prescriptions.factories import prescribe

URL = "/api/v1/alerts/"


def ending_soon(patient, therapist):
    """A plan that began five weeks ago with no session logged since, and ends in three days:
    the patient has a plan-ending alert, besides the quiet spell's."""
    today = patient.clinic.today()
    return prescribe(
        patient,
        therapist,
        ExerciseFactory(clinic=patient.clinic),
        end_date=today + datetime.timedelta(days=3),
    )


@pytest.fixture
def plan(patient, therapist):
    return ending_soon(patient, therapist)


def plan_ending(client, patient, **query) -> dict:
    rows = client.get(URL, {"patient": patient.pk, **query}).json()["results"]
    return next(row for row in rows if row["kind"] == "plan_ending")


def acknowledgement(row, note="Rang them.") -> dict:
    return {
        "patient": row["patient"],
        "kind": row["kind"],
        "event_key": row["event_key"],
        "note": note,
    }


def reads_of(client) -> list[int]:
    rows = AuditEvent.objects.filter(action=AuditAction.API_READ, api_key=client.key)
    return list(rows.values_list("patient_id", flat=True))


def test_the_list_gives_each_alert_as_the_caseload_works_it_out(api, patient, plan):
    response = api.get(URL)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["patient"] for row in rows} == {patient.pk}
    ending = next(row for row in rows if row["kind"] == "plan_ending")
    assert ending["event_key"] == f"plan:{plan.pk}:{plan.end_date.isoformat()}"
    assert ending["level"] == "notice" and ending["summary"] == "Plan ends in 3 days"
    assert ending["page"] == f"http://testserver/plans/{plan.pk}/"
    assert ending["acknowledged"] is False and ending["acknowledgement"] is None
    assert reads_of(api) == [patient.pk]


def test_the_list_filters_by_patient(api, patient, plan, therapist):
    other = PatientWithAccountFactory(primary_therapist=therapist)
    ending_soon(other, therapist)
    rows = api.get(URL, {"patient": other.pk}).json()["results"]
    assert rows and {row["patient"] for row in rows} == {other.pk}
    assert reads_of(api) == [other.pk]


def test_acknowledging_goes_through_the_service_and_the_filter_follows(
    api, patient, plan, therapist
):
    row = plan_ending(api, patient)
    response = api.post(URL + "acknowledge/", acknowledgement(row))
    assert response.status_code == 200, response.json()
    answered = response.json()
    assert answered["acknowledged"] is True and answered["event_key"] == row["event_key"]
    assert answered["acknowledgement"]["by"] == therapist.pk
    assert answered["acknowledgement"]["note"] == "Rang them."
    assert AuditEvent.objects.filter(
        action=AuditAction.ALERT_ACKNOWLEDGED, patient=patient, api_key=api.key
    ).exists()
    open_kinds = [row["kind"] for row in api.get(URL, {"acknowledged": "false"}).json()["results"]]
    seen = api.get(URL, {"acknowledged": "true"}).json()["results"]
    assert "plan_ending" not in open_kinds and open_kinds
    assert [row["kind"] for row in seen] == ["plan_ending"]
    assert api.get(URL, {"acknowledged": "perhaps"}).status_code == 400


def test_a_second_acknowledgement_keeps_the_first(api, admin_api, patient, plan, therapist):
    row = plan_ending(api, patient)
    api.post(URL + "acknowledge/", acknowledgement(row, note="First"))
    again = admin_api.post(URL + "acknowledge/", acknowledgement(row, note="Second"))
    assert again.status_code == 200
    assert again.json()["acknowledgement"]["note"] == "First"
    assert again.json()["acknowledgement"]["by"] == therapist.pk
    assert AlertAcknowledgement.objects.filter(patient=patient).count() == 1


def test_an_alert_that_has_passed_is_refused_with_the_services_sentence(api, patient, plan):
    row = plan_ending(api, patient)
    response = api.post(
        URL + "acknowledge/", {**acknowledgement(row), "event_key": "plan:1:2020-01-01"}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "This alert is no longer open: something newer has replaced it, or it has passed."
    )
    assert not AlertAcknowledgement.objects.exists()


def test_a_note_past_its_length_is_refused_with_the_services_sentence(api, patient, plan):
    row = plan_ending(api, patient)
    response = api.post(URL + "acknowledge/", acknowledgement(row, note="x" * 501))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "note", "detail": "Keep the note to 500 characters."}
    ]


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_asks_the_same_number_of_queries_for_2_or_12_patients(
    api, therapist, django_assert_max_num_queries, count
):
    for _ in range(count):
        ending_soon(PatientWithAccountFactory(primary_therapist=therapist), therapist)
    # The key, its last use, the patients, their kept figures (twice), four for adherence and
    # pain, their active plans, the acknowledgements, one insert of the audit rows: measured.
    with django_assert_max_num_queries(12):
        response = api.get(URL)
    assert len({row["patient"] for row in response.json()["results"]}) == count
    assert len(reads_of(api)) == count


def test_the_list_is_paged_by_number(api, therapist):
    for _ in range(3):
        ending_soon(PatientWithAccountFactory(primary_therapist=therapist), therapist)
    first = api.get(URL, {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["count"] > 2
    second = api.get(first["next"]).json()
    assert not {(r["patient"], r["event_key"]) for r in first["results"]} & {
        (r["patient"], r["event_key"]) for r in second["results"]
    }


# Scope --------------------------------------------------------------------------------------


def test_another_clinics_key_sees_and_acknowledges_none_of_the_clinics_alerts(
    stranger_api, api, patient, plan
):
    row = plan_ending(api, patient)
    assert stranger_api.get(URL).json()["results"] == []
    assert stranger_api.get(URL, {"patient": patient.pk}).json()["results"] == []
    refused = stranger_api.post(URL + "acknowledge/", acknowledgement(row))
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "patient"
    assert not AlertAcknowledgement.objects.exists()
    assert reads_of(stranger_api) == []


def test_a_read_only_key_may_list_but_not_acknowledge(read_only_api, patient, plan):
    row = plan_ending(read_only_api, patient)
    assert read_only_api.post(URL + "acknowledge/", acknowledgement(row)).status_code == 403
    assert not AlertAcknowledgement.objects.exists()
