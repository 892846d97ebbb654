"""Outcomes in the patient's JSON record, and the caseload's "function worsening" filter."""

import json

import pytest
from django.urls import reverse

from outcomes import services
from tests.insights.test_dashboard import add_patients_with_logs
from tests.patients.factories import PatientWithAccountFactory

from .conftest import ACTIVITY_NAMES, odi, rate

pytestmark = pytest.mark.django_db
CASELOAD = reverse("insights:caseload")


def test_the_record_holds_every_score_and_its_correction(client, patient, therapist, activities):
    first = rate(patient, activities, [2, 3, 4], days=10)
    services.entry_correct(
        entry=first,
        by=therapist,
        assessed_on=first.assessed_on,
        ratings={activity.pk: 5 for activity in activities},
        note="Tapped the wrong row",
    )
    odi(patient, 38, days=2, by=therapist)
    client.force_login(therapist)
    response = client.get(reverse("insights:patient-export-json", args=[patient.pk]))
    outcomes = json.loads(response.content)["outcomes"]
    assert [activity["name"] for activity in outcomes["psfs_activities"]] == ACTIVITY_NAMES
    scores = outcomes["scores"]
    assert [score["measure"] for score in scores] == ["psfs", "psfs", "odi"]
    assert scores[1]["supersedes_id"] == scores[0]["id"]
    assert scores[1]["correction_note"] == "Tapped the wrong row"
    assert [rating["rating"] for rating in scores[0]["ratings"]] == [2, 3, 4]
    assert scores[0]["source"] == "patient" and scores[2]["source"] == "staff"
    assert scores[2]["total"] == 38


def worsen(patient, therapist):
    odi(patient, 30, days=20, by=therapist)
    odi(patient, 45, days=1, by=therapist)


def test_the_filter_lists_patients_whose_function_is_worsening(client, therapist):
    worse = PatientWithAccountFactory(primary_therapist=therapist, first_name="Wendy")
    steady = PatientWithAccountFactory(primary_therapist=therapist, first_name="Stella")
    for person in (worse, steady):
        type(person).objects.filter(pk=person.pk).update(
            created_at=person.created_at.replace(year=2020)
        )
        person.refresh_from_db()
    worsen(worse, therapist)
    odi(steady, 30, days=20, by=therapist)
    odi(steady, 39, days=1, by=therapist)  # 9 points: no clear change
    client.force_login(therapist)
    page = client.get(CASELOAD, {"function_worsening": "on"})
    names = [row.patient.first_name for row in page.context["board"].page]
    assert names == ["Wendy"]
    assert "Only function worsening" in page.text
    assert len(client.get(CASELOAD).context["board"].page) == 2


def test_the_filter_keeps_its_query_count_at_3_and_at_30_patients(
    client, therapist, django_assert_max_num_queries
):
    def add(count):
        add_patients_with_logs(therapist, count)
        for person in type(therapist.clinic).objects.get(pk=therapist.clinic_id).patients.all():
            if not hasattr(person, "outcomes"):
                type(person).objects.filter(pk=person.pk).update(
                    created_at=person.created_at.replace(year=2020)
                )
                person.refresh_from_db()
                worsen(person, therapist)

    add(3)
    client.force_login(therapist)
    client.get(CASELOAD, {"function_worsening": "on"})
    with django_assert_max_num_queries(40) as few:
        response = client.get(CASELOAD, {"function_worsening": "on"})
    assert response.context["board"].total == 3
    add(27)
    client.get(CASELOAD, {"function_worsening": "on"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(CASELOAD, {"function_worsening": "on"})
    assert len(response.context["board"].page) == 25
