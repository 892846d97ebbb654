"""Adding a patient the clinic already has: the page names the record instead of saving."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse

from clinics.models import AuditAction, AuditEvent
from patients.models import Patient, PatientStatus
from patients.selectors.duplicates import patient_matches
from patients.services import PatientMatchesFound, patient_create, patient_discharge
from tests.patients.factories import PatientFactory
from tests.patients.test_patient_pages import valid_form_data

ADD = reverse("patients:patient-add")


@pytest.fixture
def discharged(therapist):
    """A former patient of the clinic, discharged, with the same email as the one typed."""
    patient = PatientFactory(
        primary_therapist=therapist,
        first_name="Rosa",
        last_name="Marsh",
        email="rosa.marsh@example.com",
        date_of_birth=datetime.date(1981, 2, 3),
    )
    patient_discharge(patient=patient, discharged_by=therapist)
    return patient


def typed(**overrides):
    return valid_form_data(
        **{"first_name": "Rosa", "last_name": "Marsh", "email": "Rosa.Marsh@Example.com"}
        | overrides
    )


def test_the_same_email_as_a_discharged_record_is_not_saved_and_offers_to_reactivate_it(
    client, therapist, discharged
):
    client.force_login(therapist)

    response = client.post(ADD, typed(first_name="Rosalind", date_of_birth=""))

    assert response.status_code == 200
    assert Patient.objects.count() == 1
    assert response.context["matches"] == [discharged]
    page = response.text
    assert "Nothing was saved yet: this may be a patient you already have" in page
    assert reverse("insights:patient-detail", args=[discharged.pk]) in page
    assert reverse("patients:patient-reactivate", args=[discharged.pk]) in page
    # What was typed is kept, and a reason is now asked for.
    assert 'value="Rosalind"' in page and 'value="Back spasms after lifting"' in page
    assert 'name="duplicate_reason"' in page
    assert "Add as a new patient" in page
    assert AuditEvent.objects.filter(action=AuditAction.PATIENT_LISTED, patient=discharged).exists()


def test_the_same_name_and_birthday_in_any_case_match_an_active_record(
    client, therapist, colleague
):
    active = PatientFactory(
        primary_therapist=colleague,
        first_name="Rosa",
        last_name="Marsh",
        email="",
        date_of_birth=datetime.date(1981, 2, 3),
    )
    client.force_login(therapist)

    response = client.post(ADD, typed(first_name=" rosa ", last_name="MARSH", email=""))

    assert response.context["matches"] == [active]
    assert Patient.objects.count() == 1
    assert "Cal Colleague" in response.text  # whose patient it is
    assert reverse("patients:patient-reactivate", args=[active.pk]) not in response.text


def test_reactivating_the_offered_record_brings_the_history_back(client, therapist, discharged):
    client.force_login(therapist)
    client.post(ADD, typed())

    response = client.post(reverse("patients:patient-reactivate", args=[discharged.pk]))

    discharged.refresh_from_db()
    assert discharged.status == PatientStatus.ACTIVE
    assert response.url == reverse("insights:patient-detail", args=[discharged.pk])
    assert Patient.objects.count() == 1


def test_adding_anyway_needs_a_reason(client, therapist, discharged):
    client.force_login(therapist)

    response = client.post(ADD, typed(duplicate_reason="   "))

    assert response.status_code == 200
    assert Patient.objects.count() == 1
    assert "Say why this is a different person" in response.text
    assert response.context["matches"] == [discharged]


def test_adding_anyway_with_a_reason_saves_and_keeps_the_reason_in_the_audit_trail(
    client, therapist, discharged
):
    client.force_login(therapist)

    response = client.post(ADD, typed(duplicate_reason="Her daughter, same name and email"))

    added = Patient.objects.exclude(pk=discharged.pk).get()
    assert response.url == reverse("insights:patient-detail", args=[added.pk])
    event = AuditEvent.objects.get(action=AuditAction.PATIENT_CREATED, patient=added)
    assert f"#{discharged.pk}" in event.summary
    assert "Her daughter, same name and email" in event.summary
    assert event.actor == therapist


def test_details_that_match_nothing_are_saved_at_once_as_before(client, therapist, discharged):
    client.force_login(therapist)

    response = client.post(
        ADD, typed(first_name="Nina", email="nina@example.com", date_of_birth="1990-01-01")
    )

    assert response.status_code == 302
    assert Patient.objects.count() == 2
    event = AuditEvent.objects.get(action=AuditAction.PATIENT_CREATED, patient__first_name="Nina")
    assert event.summary == ""


def test_the_same_name_with_another_birthday_or_none_is_not_a_match(therapist, discharged):
    for born in (datetime.date(1981, 2, 4), None):
        assert (
            patient_matches(
                clinic=therapist.clinic,
                first_name="Rosa",
                last_name="Marsh",
                date_of_birth=born,
            )
            == []
        )


def test_another_clinics_patients_never_match_and_are_never_named(client, stranger, discharged):
    client.force_login(stranger)

    response = client.post(ADD, typed())

    assert response.status_code == 302
    added = Patient.objects.get(clinic=stranger.clinic)
    assert added.email == "rosa.marsh@example.com"
    assert patient_matches(clinic=stranger.clinic, email=discharged.email) == [added]
    assert not AuditEvent.objects.filter(
        action=AuditAction.PATIENT_LISTED, patient=discharged
    ).exists()


def test_the_service_refuses_a_match_without_a_reason_and_saves_nothing(therapist, discharged):
    with pytest.raises(PatientMatchesFound) as refused:
        patient_create(
            clinic=therapist.clinic,
            first_name="Rosa",
            last_name="Marsh",
            email="ROSA.MARSH@example.com",
            duplicate_reason="",
        )
    assert refused.value.matches == [discharged]
    assert Patient.objects.count() == 1
    assert (
        not AuditEvent.objects.filter(action=AuditAction.PATIENT_CREATED)
        .exclude(patient=discharged)
        .exists()
    )


def test_data_generators_that_pass_no_reason_are_not_checked(therapist, discharged):
    patient_create(
        clinic=therapist.clinic, first_name="Rosa", last_name="Marsh", email=discharged.email
    )
    assert Patient.objects.count() == 2


def test_the_form_queries_do_not_grow_with_the_matches(
    client, therapist, django_assert_max_num_queries
):
    client.force_login(therapist)
    PatientFactory(primary_therapist=therapist, email="rosa.marsh@example.com")
    with django_assert_max_num_queries(12) as small:
        client.post(ADD, typed())
    PatientFactory.create_batch(
        4,
        primary_therapist=therapist,
        first_name="Rosa",
        last_name="Marsh",
        date_of_birth=datetime.date(1981, 2, 3),
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.post(ADD, typed())
    assert len(response.context["matches"]) == 5


def test_a_patient_added_anyway_whose_audit_row_fails_is_not_saved(therapist, discharged):
    with (
        mock.patch("patients.services.audit.record", side_effect=RuntimeError),
        pytest.raises(RuntimeError),
    ):
        patient_create(
            clinic=therapist.clinic,
            first_name="Rosa",
            last_name="Marsh",
            email=discharged.email,
            duplicate_reason="A namesake",
        )
    assert Patient.objects.count() == 1
