"""The caseload: who is listed, searching and filtering, and its query count."""

from django.core.cache import cache
from django.urls import reverse

from tests.patients.factories import PatientFactory, SessionLogFactory
from tests.prescriptions.factories import PlanFactory


def test_caseload_lists_own_patients_and_hides_other_clinics(
    client, therapist, colleague, stranger
):
    PatientFactory(primary_therapist=therapist, first_name="Mine", last_name="Patient")
    PatientFactory(primary_therapist=colleague, first_name="Colleagues", last_name="Patient")
    PatientFactory(primary_therapist=stranger, first_name="Strangers", last_name="Patient")
    client.force_login(therapist)
    page = client.get(reverse("insights:caseload")).text
    assert "Mine Patient" in page
    assert "Colleagues Patient" not in page
    assert "Strangers Patient" not in page
    page = client.get(reverse("insights:caseload"), {"scope": "all", "status": "active"}).text
    assert "Mine Patient" in page and "Colleagues Patient" in page
    assert "Strangers Patient" not in page
    assert page.index("Mine Patient") < page.index("Colleagues Patient")


def test_caseload_search_and_status(client, therapist):
    PatientFactory(primary_therapist=therapist, first_name="Ann", last_name="Archer")
    PatientFactory(
        primary_therapist=therapist, first_name="Ben", last_name="Baker", status="discharged"
    )
    client.force_login(therapist)
    page = client.get(reverse("insights:caseload")).text
    assert "Ann Archer" in page and "Ben Baker" not in page
    page = client.get(reverse("insights:caseload"), {"status": "discharged"}).text
    assert "Ben Baker" in page and "Ann Archer" not in page
    page = client.get(reverse("insights:caseload"), {"q": "arch", "status": ""}).text
    assert "Ann Archer" in page and "Ben Baker" not in page


def test_caseload_query_count_does_not_grow_with_patients(
    client, therapist, django_assert_num_queries
):
    def add_patients(count):
        for _ in range(count):
            plan = PlanFactory(prescribed_by=therapist)
            SessionLogFactory(plan=plan)

    add_patients(2)
    client.force_login(therapist)
    # As in test_dashboard.py: 26 when the new patients' triage rows are worked out first, 9
    # once they are current and the rows' markup is cached, 15 with nothing cached.
    for size in ("small", "large"):
        if size == "large":
            add_patients(15)
        with django_assert_num_queries(26):
            client.get(reverse("insights:caseload"))
        with django_assert_num_queries(9):
            client.get(reverse("insights:caseload"))
        cache.clear()
        with django_assert_num_queries(15):
            response = client.get(reverse("insights:caseload"))
    assert response.text.count("Back spasm relief") == 17
