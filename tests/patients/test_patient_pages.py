import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from patients.forms.staff import PatientForm
from patients.models import Patient, PatientStatus
from patients.services import patient_discharge, patient_update
from prescriptions.models import PlanStatus
from tests.clinics.factories import TherapistFactory
from tests.patients.factories import (
    PatientFactory,
)
from tests.prescriptions.factories import PlanFactory


@pytest.fixture
def owned(therapist):
    """A patient of the owner persona, without a login of their own."""
    return PatientFactory(
        primary_therapist=therapist,
        first_name="Nora",
        last_name="Nolan",
        condition="Low back pain",
        date_of_birth=datetime.date(1970, 5, 17),
    )


def detail_url(patient):
    return reverse("insights:patient-detail", args=[patient.pk])


def valid_form_data(**overrides):
    data = {
        "first_name": "Rosa",
        "last_name": "Typedname",
        "email": "  Rosa.Typedname@Example.com ",
        "date_of_birth": "1981-02-03",
        "phone": "01632 960123",
        "condition": "Back spasms after lifting",
        "primary_therapist": "",
    }
    data.update(overrides)
    return data


# Adding a patient


def test_add_patient_form_preselects_the_therapist_and_saves_in_their_clinic(client, therapist):
    client.force_login(therapist)
    form_page = client.get(reverse("patients:patient-add"))
    assert form_page.status_code == 200
    preselected = form_page.context["form"]["primary_therapist"].value()
    assert preselected == therapist.pk

    response = client.post(
        reverse("patients:patient-add"), valid_form_data(primary_therapist=preselected)
    )

    patient = Patient.objects.get(last_name="Typedname")
    assert response.status_code == 302
    assert response.url == detail_url(patient)
    assert patient.clinic == therapist.clinic
    assert patient.primary_therapist == therapist
    assert patient.email == "rosa.typedname@example.com"
    assert patient.date_of_birth == datetime.date(1981, 2, 3)
    assert patient.status == PatientStatus.ACTIVE
    assert "Rosa Typedname was added." in client.get(response.url).text


def test_a_clinic_admin_adds_a_patient_without_a_preselected_therapist(client, clinic_admin):
    client.force_login(clinic_admin)
    form_page = client.get(reverse("patients:patient-add"))
    assert form_page.context["form"]["primary_therapist"].value() is None
    client.post(reverse("patients:patient-add"), valid_form_data())
    patient = Patient.objects.get(last_name="Typedname")
    assert patient.clinic == clinic_admin.clinic
    assert patient.primary_therapist is None


def test_the_therapist_choice_lists_only_active_staff_of_the_clinic(
    client, therapist, colleague, clinic_admin, stranger, patient
):
    TherapistFactory(clinic=therapist.clinic, full_name="Left Already", is_active=False)
    client.force_login(therapist)
    choices = client.get(reverse("patients:patient-add")).context["form"]["primary_therapist"]
    names = {label for _value, label in choices.field.choices}
    assert {"Tess Owner", "Cal Colleague", "Ada Admin"} <= names
    assert "Stan Stranger" not in names
    assert "Left Already" not in names
    assert patient.user.full_name not in names


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"last_name": "   "}, "Enter the patient&#x27;s last name."),
        ({"date_of_birth": "2999-01-01"}, "The date of birth cannot be in the future."),
        ({"date_of_birth": "1850-06-01"}, "Enter a date of birth from 1900 onwards."),
        ({"date_of_birth": "03/02/81x"}, "Enter a date such as 1975-03-21."),
        ({"email": "not-an-address"}, "Enter an email address such as name@example.com."),
    ],
)
def test_bad_input_is_explained_keeps_what_was_typed_and_saves_nothing(
    client, therapist, overrides, message
):
    client.force_login(therapist)
    response = client.post(reverse("patients:patient-add"), valid_form_data(**overrides))
    assert response.status_code == 200
    page = response.text
    assert message in page
    assert "Nothing was saved" in page
    assert 'value="Rosa"' in page
    assert "Back spasms after lifting" in page
    assert not Patient.objects.exists()


def test_a_forged_therapist_from_another_clinic_is_refused(client, therapist, stranger):
    client.force_login(therapist)
    response = client.post(
        reverse("patients:patient-add"), valid_form_data(primary_therapist=stranger.pk)
    )
    assert response.status_code == 200
    assert "Choose a therapist of this clinic." in response.text
    assert 'value="Typedname"' in response.text
    assert not Patient.objects.exists()


def test_a_service_refusal_lands_next_to_its_field_or_above_the_form(therapist):
    form = PatientForm(valid_form_data(), user=therapist)
    assert form.is_valid()
    form.add_service_error(
        ValidationError(
            {
                "primary_therapist": "Choose a therapist of this clinic.",
                "clinic": "Not a field of the form.",
                "__all__": "A patient needs a first and a last name.",
            }
        )
    )
    assert form.errors["primary_therapist"] == ["Choose a therapist of this clinic."]
    assert set(form.non_field_errors()) == {
        "Not a field of the form.",
        "A patient needs a first and a last name.",
    }


# Editing


def test_a_colleague_opens_and_edits_the_owners_patient(client, owned, colleague):
    client.force_login(colleague)
    assert client.get(detail_url(owned)).status_code == 200
    edit_url = reverse("patients:patient-edit", args=[owned.pk])
    form_page = client.get(edit_url)
    assert 'value="Nolan"' in form_page.text
    assert form_page.context["form"]["primary_therapist"].value() == owned.primary_therapist_id

    response = client.post(
        edit_url,
        valid_form_data(
            first_name="Nora",
            last_name=" Nolan-Smith ",
            condition="Sciatica",
            primary_therapist=colleague.pk,
        ),
    )

    assert response.status_code == 302
    assert response.url == detail_url(owned)
    owned.refresh_from_db()
    assert owned.last_name == "Nolan-Smith"
    assert owned.condition == "Sciatica"
    assert owned.primary_therapist == colleague
    assert owned.email == "rosa.typedname@example.com"
    assert "Nora Nolan-Smith&#x27;s details were saved." in client.get(response.url).text


def test_a_bad_edit_changes_nothing(client, owned, therapist):
    client.force_login(therapist)
    response = client.post(
        reverse("patients:patient-edit", args=[owned.pk]),
        valid_form_data(first_name="Changed", date_of_birth="2999-01-01"),
    )
    assert response.status_code == 200
    assert "The date of birth cannot be in the future." in response.text
    assert 'value="Changed"' in response.text
    owned.refresh_from_db()
    assert owned.first_name == "Nora"
    assert owned.date_of_birth == datetime.date(1970, 5, 17)


def test_patient_update_keeps_the_clinic_rules(owned, therapist, stranger):
    with pytest.raises(ValidationError) as refused:
        patient_update(patient=owned, updated_by=therapist, primary_therapist=stranger)
    assert "primary_therapist" in refused.value.message_dict
    with pytest.raises(ValidationError):
        patient_update(patient=owned, updated_by=stranger, condition="Not theirs")
    with pytest.raises(ValidationError):
        patient_update(patient=owned, updated_by=therapist, last_name="  ")
    with pytest.raises(TypeError):
        patient_update(patient=owned, updated_by=therapist, clinic=stranger.clinic)
    owned.refresh_from_db()
    assert (owned.last_name, owned.condition, owned.primary_therapist) == (
        "Nolan",
        "Low back pain",
        therapist,
    )
    updated = patient_update(patient=owned, updated_by=therapist, email=" NORA@Example.COM ")
    assert updated.email == "nora@example.com"
    assert updated.last_name == "Nolan"


# Discharge and reactivation


def test_discharge_completes_running_plans_and_leaves_the_default_caseload(
    client, owned, therapist
):
    plan = PlanFactory(patient=owned, prescribed_by=therapist, title="Morning stretches")
    paused = PlanFactory(patient=owned, prescribed_by=therapist, status=PlanStatus.PAUSED)
    client.force_login(therapist)
    assert "Nora Nolan" in client.get(reverse("insights:caseload")).text
    assert "1 running plan" not in client.get(detail_url(owned)).text
    assert "2 running plans will be marked completed" in client.get(detail_url(owned)).text

    response = client.post(reverse("patients:patient-discharge", args=[owned.pk]), follow=True)

    assert response.redirect_chain == [(detail_url(owned), 302)]
    assert "Nora Nolan was discharged; their running plans are now completed." in response.text
    assert "Discharged on" in response.text
    assert reverse("patients:plan-create", args=[owned.pk]) not in response.text
    owned.refresh_from_db()
    plan.refresh_from_db()
    paused.refresh_from_db()
    assert owned.status == PatientStatus.DISCHARGED
    assert owned.discharged_on == owned.clinic.today()
    assert plan.status == PlanStatus.COMPLETED
    assert paused.status == PlanStatus.COMPLETED
    assert "Nora Nolan" not in client.get(reverse("insights:caseload")).text


def test_discharging_twice_says_so(client, owned, therapist):
    patient_discharge(patient=owned, discharged_by=therapist)
    client.force_login(therapist)
    response = client.post(reverse("patients:patient-discharge", args=[owned.pk]), follow=True)
    assert "This patient is already discharged." in response.text


def test_reactivate_brings_the_patient_back(client, owned, therapist):
    patient_discharge(patient=owned, discharged_by=therapist)
    client.force_login(therapist)
    response = client.post(reverse("patients:patient-reactivate", args=[owned.pk]), follow=True)
    assert response.redirect_chain == [(detail_url(owned), 302)]
    assert "Nora Nolan is an active patient again." in response.text
    owned.refresh_from_db()
    assert owned.status == PatientStatus.ACTIVE
    assert owned.discharged_on is None
    assert "Nora Nolan" in client.get(reverse("insights:caseload")).text


@pytest.mark.parametrize("name", ["patients:patient-discharge", "patients:patient-reactivate"])
def test_status_changes_refuse_get(client, owned, therapist, name):
    client.force_login(therapist)
    assert client.get(reverse(name, args=[owned.pk])).status_code == 405
    owned.refresh_from_db()
    assert owned.status == PatientStatus.ACTIVE


# Access


def test_a_stranger_gets_404_everywhere_and_changes_nothing(client, owned, stranger):
    PlanFactory(patient=owned, prescribed_by=owned.primary_therapist)
    client.force_login(stranger)
    edit_url = reverse("patients:patient-edit", args=[owned.pk])
    assert client.get(detail_url(owned)).status_code == 404
    assert client.get(edit_url).status_code == 404
    assert client.post(edit_url, valid_form_data()).status_code == 404
    assert client.post(reverse("patients:patient-discharge", args=[owned.pk])).status_code == 404
    owned.refresh_from_db()
    assert owned.status == PatientStatus.ACTIVE
    assert owned.plans.get().status == PlanStatus.ACTIVE
    assert owned.last_name == "Nolan"

    patient_discharge(patient=owned, discharged_by=owned.primary_therapist)
    assert client.post(reverse("patients:patient-reactivate", args=[owned.pk])).status_code == 404
    owned.refresh_from_db()
    assert owned.status == PatientStatus.DISCHARGED


def test_a_missing_id_answers_404_like_another_clinics(client, therapist):
    client.force_login(therapist)
    assert client.get(reverse("insights:patient-detail", args=[999999])).status_code == 404


def test_a_stranger_never_sees_the_clinics_patients_in_the_therapist_choice(
    client, therapist, stranger
):
    client.force_login(stranger)
    page = client.get(reverse("patients:patient-add")).text
    assert "Tess Owner" not in page


def test_patients_cannot_reach_the_therapist_pages(client, patient):
    client.force_login(patient.user)
    urls = [
        reverse("patients:patient-add"),
        detail_url(patient),
        reverse("patients:patient-edit", args=[patient.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("patients:patient-add"), valid_form_data()).status_code == 403
    for name in ("patients:patient-discharge", "patients:patient-reactivate"):
        assert client.post(reverse(name, args=[patient.pk])).status_code == 403
    patient.refresh_from_db()
    assert patient.status == PatientStatus.ACTIVE
    assert Patient.objects.count() == 1
