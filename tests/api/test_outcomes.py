import datetime

import pytest
from django.utils import timezone

from clinics.models import AuditAction, AuditEvent
from outcomes.models import OutcomeEntry
from outcomes.services import entry_correct, psfs_activities_add, psfs_record, total_record
from patients.models import Patient
from tests.patients.factories import PatientWithAccountFactory

URL = "/api/v1/outcome-scores/"
ACTIVITIES = ["Carrying the shopping", "Climbing stairs", "Sitting through a film"]


def detail(entry) -> str:
    return f"{URL}{entry.pk}/"


def days_ago(patient, days: int) -> str:
    return (patient.clinic.today() - datetime.timedelta(days=days)).isoformat()


def added_weeks_ago(patient):
    """Scores can be dated back to the day a patient was added."""
    Patient.objects.filter(pk=patient.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=60)
    )
    patient.refresh_from_db()
    return patient


@pytest.fixture
def patient(patient):
    return added_weeks_ago(patient)


@pytest.fixture
def activities(patient):
    return psfs_activities_add(patient=patient, names=ACTIVITIES, by=patient.user)


def odi(patient, total, *, days=0, by):
    return total_record(
        patient=patient,
        measure="odi",
        total=total,
        assessed_on=patient.clinic.today() - datetime.timedelta(days=days),
        by=by,
    )


def reads_of(client) -> list[int]:
    return list(
        AuditEvent.objects.filter(action=AuditAction.API_READ, api_key=client.key).values_list(
            "patient_id", flat=True
        )
    )


def test_the_list_gives_each_score_with_its_ratings_and_audits_the_read(
    api, patient, therapist, activities
):
    psfs = psfs_record(
        patient=patient,
        ratings={activities[0].pk: 3, activities[1].pk: 4, activities[2].pk: 8},
        assessed_on=patient.clinic.today(),
        by=patient.user,
    )
    total = odi(patient, 42, days=5, by=therapist)
    response = api.get(URL)
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[total.pk]["total"] == 42 and rows[total.pk]["measure"] == "odi"
    assert rows[total.pk]["source"] == "staff" and rows[total.pk]["ratings"] == []
    assert rows[psfs.pk]["total"] is None and rows[psfs.pk]["psfs_mean"] == 5.0
    assert rows[psfs.pk]["source"] == "patient"
    assert rows[psfs.pk]["ratings"][1] == {
        "activity": activities[1].pk,
        "activity_name": "Climbing stairs",
        "rating": 4,
    }
    assert reads_of(api) == [patient.pk]


def test_one_score_is_read_and_audited(api, patient, therapist):
    entry = odi(patient, 30, by=therapist)
    response = api.get(detail(entry))
    assert response.status_code == 200 and response.json()["superseded_by"] is None
    assert reads_of(api) == [patient.pk]


def test_the_list_filters_by_patient_measure_and_recording_time(api, patient, therapist):
    other = added_weeks_ago(PatientWithAccountFactory(primary_therapist=therapist))
    old = odi(patient, 40, days=3, by=therapist)
    OutcomeEntry.objects.filter(pk=old.pk).update(
        recorded_at=timezone.now() - datetime.timedelta(days=3)
    )
    new = odi(patient, 35, by=therapist)
    neck = total_record(
        patient=other, measure="ndi", total=20, assessed_on=other.clinic.today(), by=therapist
    )

    def ids(**query):
        return [row["id"] for row in api.get(URL, query).json()["results"]]

    assert ids(patient=patient.pk) == [old.pk, new.pk]
    assert ids(measure="ndi") == [neck.pk]
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert ids(updated_since=since) == [new.pk, neck.pk]
    assert api.get(URL, {"measure": "sf36"}).status_code == 400


def test_a_corrected_score_names_its_correction_and_current_leaves_it_out(api, patient, therapist):
    wrong = odi(patient, 44, by=therapist)
    right = entry_correct(
        entry=wrong, by=therapist, assessed_on=wrong.assessed_on, note="Typo", total=34
    )
    rows = {row["id"]: row for row in api.get(URL).json()["results"]}
    assert rows[wrong.pk]["superseded_by"] == right.pk
    assert rows[right.pk]["supersedes"] == wrong.pk and rows[right.pk]["note"] == "Typo"
    current = api.get(URL, {"current": "true"}).json()["results"]
    assert [row["id"] for row in current] == [right.pk]
    corrected = api.get(URL, {"current": "false"}).json()["results"]
    assert [row["id"] for row in corrected] == [wrong.pk]


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_asks_the_same_number_of_queries_for_2_or_12_patients_scores(
    api, therapist, django_assert_max_num_queries, count
):
    for _ in range(count):
        patient = added_weeks_ago(PatientWithAccountFactory(primary_therapist=therapist))
        odi(patient, 40, days=2, by=therapist)
        odi(patient, 30, by=therapist)
    # The key, its last use, the page, the ratings, and one insert of the audit rows: measured.
    with django_assert_max_num_queries(5):
        response = api.get(URL)
    assert len(response.json()["results"]) == 2 * count
    assert len(reads_of(api)) == count


# Writes --------------------------------------------------------------------------------------


def test_a_total_is_recorded_through_the_service(api, patient, therapist):
    response = api.post(
        URL,
        {"patient": patient.pk, "measure": "ndi", "total": 18, "assessed_on": days_ago(patient, 1)},
    )
    assert response.status_code == 201, response.json()
    entry = OutcomeEntry.objects.get(pk=response.json()["id"])
    assert (entry.measure, entry.total, entry.recorded_by) == ("ndi", 18, therapist)
    assert AuditEvent.objects.filter(
        action=AuditAction.OUTCOME_RECORDED, patient=patient, api_key=api.key
    ).exists()


@pytest.mark.parametrize(
    ("measure", "total", "sentence"),
    [
        ("odi", 101, "The ODI total must be a whole number from 0 to 100."),
        ("ndi", 51, "The NDI total must be a whole number from 0 to 50."),
        ("odi", None, "The ODI total must be a whole number from 0 to 100."),
    ],
)
def test_a_total_past_its_scale_is_refused_with_the_services_sentence(
    api, patient, measure, total, sentence
):
    response = api.post(
        URL,
        {
            "patient": patient.pk,
            "measure": measure,
            "total": total,
            "assessed_on": days_ago(patient, 0),
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "total", "detail": sentence}]
    assert not OutcomeEntry.objects.exists()


def test_a_score_dated_tomorrow_is_refused(api, patient):
    tomorrow = (patient.clinic.today() + datetime.timedelta(days=1)).isoformat()
    response = api.post(
        URL, {"patient": patient.pk, "measure": "odi", "total": 20, "assessed_on": tomorrow}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "assessed_on",
            "detail": "The date cannot be in the future: choose today or earlier.",
        }
    ]


def test_a_psfs_is_recorded_by_activity_ids(api, patient, activities):
    listed = api.get(URL + "psfs-activities/", {"patient": patient.pk})
    assert [row["name"] for row in listed.json()] == ACTIVITIES
    ratings = [{"activity": row["id"], "rating": 6} for row in listed.json()]
    response = api.post(
        URL,
        {
            "patient": patient.pk,
            "measure": "psfs",
            "ratings": ratings,
            "assessed_on": days_ago(patient, 0),
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["psfs_mean"] == 6.0
    assert [row["rating"] for row in response.json()["ratings"]] == [6, 6, 6]


def test_a_psfs_rating_past_ten_or_an_activity_left_out_is_refused(api, patient, activities):
    def record(ratings):
        return api.post(
            URL,
            {
                "patient": patient.pk,
                "measure": "psfs",
                "assessed_on": days_ago(patient, 0),
                "ratings": [{"activity": a.pk, "rating": r} for a, r in ratings],
            },
        )

    too_high = record(zip(activities, [5, 11, 5], strict=True))
    assert too_high.status_code == 400
    assert too_high.json()["errors"] == [
        {
            "field": f"activity_{activities[1].pk}",
            "detail": "Each rating must be a whole number from 0 to 10.",
        }
    ]
    missing = record(zip(activities[:2], [5, 5], strict=True))
    assert missing.status_code == 400
    assert missing.json()["detail"] == "Rate every activity, and only the ones asked about."
    assert not OutcomeEntry.objects.exists()


def test_the_psfs_activities_read_is_audited_and_scoped(api, patient, activities, stranger_api):
    assert api.get(URL + "psfs-activities/", {"patient": patient.pk}).status_code == 200
    assert reads_of(api) == [patient.pk]
    assert stranger_api.get(URL + "psfs-activities/", {"patient": patient.pk}).status_code == 400
    assert api.get(URL + "psfs-activities/").status_code == 400


def test_a_correction_supersedes_the_score_through_the_service(api, patient, therapist):
    wrong = odi(patient, 44, by=therapist)
    response = api.post(
        detail(wrong) + "correct/",
        {"assessed_on": wrong.assessed_on.isoformat(), "total": 34, "note": "Added up wrongly"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["supersedes"] == wrong.pk and response.json()["total"] == 34
    assert api.get(detail(wrong)).json()["superseded_by"] == response.json()["id"]
    assert AuditEvent.objects.filter(
        action=AuditAction.OUTCOME_CORRECTED, patient=patient, api_key=api.key
    ).exists()
    again = api.post(
        detail(wrong) + "correct/",
        {"assessed_on": wrong.assessed_on.isoformat(), "total": 30, "note": "Again"},
    )
    assert again.status_code == 400
    assert again.json()["detail"] == "This score was corrected already; correct the newer one."


def test_a_correction_needs_a_reason(api, patient, therapist):
    entry = odi(patient, 44, by=therapist)
    response = api.post(
        detail(entry) + "correct/",
        {"assessed_on": entry.assessed_on.isoformat(), "total": 34, "note": " "},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "note", "detail": "Say why the score is corrected."}
    ]


# Scope --------------------------------------------------------------------------------------


def test_another_clinics_key_gets_404_for_every_score(stranger_api, patient, therapist):
    entry = odi(patient, 44, by=therapist)
    assert stranger_api.get(detail(entry)).status_code == 404
    correction = {"assessed_on": entry.assessed_on.isoformat(), "total": 1, "note": "Mine"}
    assert stranger_api.post(detail(entry) + "correct/", correction).status_code == 404
    assert stranger_api.get(URL).json()["results"] == []
    assert stranger_api.get(URL, {"patient": patient.pk}).json()["results"] == []
    refused = stranger_api.post(
        URL,
        {"patient": patient.pk, "measure": "odi", "total": 1, "assessed_on": days_ago(patient, 0)},
    )
    assert refused.status_code == 400
    assert OutcomeEntry.objects.count() == 1
    assert reads_of(stranger_api) == []


def test_a_missing_score_answers_404(api, db):
    assert api.get(f"{URL}999999/").status_code == 404


def test_a_read_only_key_is_refused_every_write(read_only_api, patient, therapist):
    entry = odi(patient, 44, by=therapist)
    assert (
        read_only_api.post(
            URL,
            {
                "patient": patient.pk,
                "measure": "odi",
                "total": 20,
                "assessed_on": days_ago(patient, 0),
            },
        ).status_code
        == 403
    )
    correction = {"assessed_on": entry.assessed_on.isoformat(), "total": 1, "note": "Typo"}
    assert read_only_api.post(detail(entry) + "correct/", correction).status_code == 403
    assert OutcomeEntry.objects.count() == 1
