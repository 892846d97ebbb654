"""Reading the audit trail: the clinic admin's filterable page, and the patient's "who has viewed
my record"."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clinics import audit
from clinics.models import AuditAction, AuditEvent
from tests.clinics.factories import ClinicAdminFactory, PatientUserFactory
from tests.patients.factories import PatientFactory, PatientWithAccountFactory

TRAIL_URL = reverse("console:audit-trail")
VIEWS_URL = reverse("patients:record-views")


def trail_rows(response) -> list[AuditEvent]:
    return list(response.context["page"].object_list)


@pytest.fixture
def other_patient(stranger):
    return PatientWithAccountFactory(
        primary_therapist=stranger, first_name="Olga", last_name="Elsewhere"
    )


@pytest.fixture
def trail(patient, therapist, colleague, stranger, other_patient):
    """A few events in each clinic, through the same function the app writes them with."""
    return {
        "viewed": audit.record(action=AuditAction.PATIENT_VIEWED, patient=patient, actor=therapist),
        "exported": audit.record(action=AuditAction.EXPORTED_CSV, patient=patient, actor=colleague),
        "signed_in": audit.record(action=AuditAction.SIGNED_IN, actor=therapist),
        "elsewhere": audit.record(
            action=AuditAction.PATIENT_VIEWED, patient=other_patient, actor=stranger
        ),
    }


# The clinic admin's audit trail


def test_the_admin_sees_the_clinics_events_newest_first_and_never_another_clinics(
    client, clinic_admin, trail
):
    client.force_login(clinic_admin)
    response = client.get(TRAIL_URL)
    assert response.status_code == 200
    rows = trail_rows(response)
    assert trail["elsewhere"] not in rows
    assert [row for row in rows if row.pk in {e.pk for e in trail.values()}] == [
        trail["signed_in"],
        trail["exported"],
        trail["viewed"],
    ]
    assert "Olga" not in response.text and "Stan Stranger" not in response.text
    assert "Tess Owner" in response.text and "Exported the logs (CSV)" in response.text


def test_another_clinics_admin_sees_none_of_it(client, other_clinic, trail):
    client.force_login(ClinicAdminFactory(clinic=other_clinic))
    response = client.get(TRAIL_URL)
    rows = trail_rows(response)
    assert trail["elsewhere"] in rows
    assert not {trail["viewed"], trail["exported"], trail["signed_in"]} & set(rows)
    assert "Pat Ient" not in response.text and "Tess Owner" not in response.text


def test_another_clinics_patient_cannot_be_asked_for(client, clinic_admin, trail, other_patient):
    client.force_login(clinic_admin)
    response = client.get(TRAIL_URL, {"patient": other_patient.pk})
    assert "Select a valid choice" in response.text
    assert trail["elsewhere"] not in trail_rows(response)


@pytest.mark.parametrize("persona", ["therapist", "colleague"])
def test_therapists_and_patients_cannot_open_the_trail(client, request, persona, patient, trail):
    for user in (request.getfixturevalue(persona), patient.user):
        client.force_login(user)
        assert client.get(TRAIL_URL).status_code == 403


def test_the_trail_filters_by_patient_person_action_and_days(
    client, clinic, clinic_admin, therapist, colleague, patient, trail
):
    someone_else = PatientFactory(primary_therapist=therapist, first_name="Sam")
    other_view = audit.record(
        action=AuditAction.PATIENT_VIEWED, patient=someone_else, actor=colleague
    )
    client.force_login(clinic_admin)

    by_patient = trail_rows(client.get(TRAIL_URL, {"patient": patient.pk}))
    assert set(by_patient) == {trail["viewed"], trail["exported"]}

    by_person = trail_rows(client.get(TRAIL_URL, {"actor": colleague.pk}))
    assert set(by_person) == {trail["exported"], other_view}

    by_action = trail_rows(client.get(TRAIL_URL, {"action": AuditAction.PATIENT_VIEWED}))
    assert set(by_action) == {trail["viewed"], other_view}

    today = clinic.today()
    yesterday = today - datetime.timedelta(days=1)
    assert trail["viewed"] in trail_rows(client.get(TRAIL_URL, {"date_from": today}))
    assert trail_rows(client.get(TRAIL_URL, {"date_to": yesterday})) == []
    both = client.get(
        TRAIL_URL, {"patient": patient.pk, "actor": therapist.pk, "date_to": today.isoformat()}
    )
    assert trail_rows(both) == [trail["viewed"]]


def test_the_days_are_the_clinics_calendar_days(client, clinic, clinic_admin, patient):
    # Half an hour before midnight in the clinic, on a clinic far from UTC.
    clinic.time_zone = "Pacific/Auckland"
    clinic.save()
    event = audit.record(action=AuditAction.PATIENT_VIEWED, patient=patient, actor=clinic_admin)
    local_day = timezone.localtime(event.created_at, clinic.zone).date()
    client.force_login(clinic_admin)
    same_day = client.get(TRAIL_URL, {"date_from": local_day, "date_to": local_day})
    assert event in trail_rows(same_day)
    next_day = local_day + datetime.timedelta(days=1)
    assert event not in trail_rows(client.get(TRAIL_URL, {"date_from": next_day}))


def test_an_end_before_the_start_is_refused_with_a_clear_message(client, clinic_admin):
    client.force_login(clinic_admin)
    response = client.get(TRAIL_URL, {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert "The end date cannot be before the start date." in response.text


def test_the_trail_is_linked_in_the_admins_navigation(client, clinic_admin):
    client.force_login(clinic_admin)
    page = client.get(reverse("console:staff-list"))
    assert f'href="{TRAIL_URL}"' in page.text


def make_events(*, count, clinic, therapist):
    for index in range(count):
        patient = PatientFactory(primary_therapist=therapist)
        audit.record(
            action=AuditAction.PATIENT_VIEWED if index % 2 else AuditAction.EXPORTED_JSON,
            patient=patient,
            actor=therapist,
        )


def test_the_trail_page_runs_the_same_queries_for_few_events_or_many(
    client, clinic, clinic_admin, therapist, django_assert_max_num_queries
):
    make_events(count=3, clinic=clinic, therapist=therapist)
    client.force_login(clinic_admin)
    # measured: 8, among them the filter's patient and person choices, the count and the rows
    with django_assert_max_num_queries(8) as few:
        assert client.get(TRAIL_URL, {"actor": therapist.pk}).status_code == 200
    make_events(count=80, clinic=clinic, therapist=therapist)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(TRAIL_URL, {"actor": therapist.pk})
    assert len(trail_rows(response)) == 50
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(TRAIL_URL, {"page": 2}).status_code == 200


# The patient's "who has viewed my record"


def test_the_patient_sees_staff_views_of_their_record_without_addresses(
    client, patient, therapist, clinic_admin, other_patient, stranger
):
    client.force_login(patient.user)
    client.get(reverse("patients:history"))  # the patient's own look is not listed
    viewed = audit.record(
        action=AuditAction.PATIENT_VIEWED,
        patient=patient,
        actor=therapist,
        request=None,
    )
    downloaded = audit.record(action=AuditAction.EXPORTED_JSON, patient=patient, actor=clinic_admin)
    changed = audit.record(action=AuditAction.PATIENT_UPDATED, patient=patient, actor=therapist)
    audit.record(action=AuditAction.PATIENT_VIEWED, patient=other_patient, actor=stranger)

    response = client.get(VIEWS_URL)
    assert response.status_code == 200
    assert trail_rows(response) == [downloaded, viewed]
    assert changed not in trail_rows(response)
    text = response.text
    assert "Tess Owner" in text and "Therapist" in text and "Viewed the patient page" in text
    assert "Ada Admin" in text and "Clinic admin" in text
    assert "Exported the record (JSON)" in text
    assert "Stan Stranger" not in text and "Olga" not in text


def test_the_patient_sees_only_their_own_record_views(client, clinic, therapist, patient):
    neighbour = PatientWithAccountFactory(primary_therapist=therapist)
    audit.record(action=AuditAction.PATIENT_VIEWED, patient=neighbour, actor=therapist)
    client.force_login(patient.user)
    response = client.get(VIEWS_URL)
    assert trail_rows(response) == []
    assert "Nobody at your clinic has viewed your record yet." in response.text


def test_the_views_are_on_the_patients_account_page_not_their_history(client, patient):
    client.force_login(patient.user)
    account = client.get(reverse("patients:account")).text
    assert "Privacy: who has viewed your record" in account
    assert "Nobody at your clinic has viewed your record yet." in account
    assert f'href="{VIEWS_URL}"' not in client.get(reverse("patients:history")).text


def test_staff_and_patients_without_a_record_cannot_open_the_page(client, clinic, therapist):
    client.force_login(therapist)
    assert client.get(VIEWS_URL).status_code == 403
    client.force_login(PatientUserFactory(clinic=clinic))
    assert client.get(VIEWS_URL).status_code == 404


def test_the_views_page_runs_the_same_queries_for_few_views_or_many(
    client, patient, therapist, colleague, django_assert_max_num_queries
):
    def views(count):
        for index in range(count):
            audit.record(
                action=AuditAction.PLAN_VIEWED,
                patient=patient,
                actor=therapist if index % 2 else colleague,
            )
            audit.record(
                action=AuditAction.PATIENT_LISTED,
                patient=patient,
                actor=therapist if index % 2 else colleague,
            )

    views(2)
    client.force_login(patient.user)
    # measured: 8, one of them the navigation's count of unread messages, one the caseload's
    # sightings of the patient's name, grouped by person and day
    with django_assert_max_num_queries(8) as few:
        assert client.get(VIEWS_URL).status_code == 200
    views(70)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(VIEWS_URL)
    assert len(trail_rows(response)) == 50
