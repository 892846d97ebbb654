"""Each person reads Rehabit in their language: their own choice, else their clinic's default;
signed-out pages follow the language switch, else the browser. Emails and notifications are
written in the recipient's language, whoever or whatever asked for them."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinics.languages import language_for
from clinics.models import AccessPurpose, AuditAction, AuditEvent, Clinic
from clinics.services import access_link_issue, user_language_set
from console.services import clinic_settings_update
from patients.models import Patient
from patients.services import patient_invite, patient_language_set, patient_update
from tests.clinics.factories import PatientUserFactory
from tests.patients.factories import PatientFactory

SPANISH_ACCOUNT = "Su cuenta"
FRENCH_ACCOUNT = "Votre compte"


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.text).group(1)


# Whose language


def test_a_person_reads_their_own_language_else_their_clinics_default(patient, therapist):
    assert language_for(patient.user) == "en"
    Clinic.objects.filter(pk=therapist.clinic_id).update(default_language="fr")
    therapist.clinic.refresh_from_db()
    patient.user.clinic.refresh_from_db()
    assert language_for(therapist) == "fr"
    user_language_set(user=therapist, language="es")
    assert language_for(therapist) == "es"
    user_language_set(user=therapist, language="")
    assert language_for(therapist) == "fr"


def test_an_unknown_language_is_refused(therapist):
    with pytest.raises(ValidationError):
        user_language_set(user=therapist, language="de")
    therapist.refresh_from_db()
    assert therapist.language == ""


# Pages


def test_a_signed_in_patient_reads_their_pages_in_their_language(client, patient):
    user_language_set(user=patient.user, language="es")
    client.force_login(patient.user)
    response = client.get(reverse("patients:account"), HTTP_ACCEPT_LANGUAGE="fr")
    assert html_lang(response) == "es"
    assert SPANISH_ACCOUNT in response.text


def test_a_signed_in_person_without_a_choice_reads_the_clinics_default(client, therapist):
    Clinic.objects.filter(pk=therapist.clinic_id).update(default_language="fr")
    client.force_login(therapist)
    response = client.get(reverse("clinics:email-settings"), HTTP_ACCEPT_LANGUAGE="es")
    assert html_lang(response) == "fr"


def test_signed_out_pages_follow_the_browser(client, db):
    response = client.get(reverse("clinics:login"), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert html_lang(response) == "es"
    # The switch names each language in itself, not in the page's language.
    assert 'lang="en" class="btn btn-sm btn-outline-light" aria-pressed="false">English' in (
        response.text
    )
    assert html_lang(client.get(reverse("clinics:login"))) == "en"


def test_the_switch_on_an_invitation_page_keeps_the_token_and_shows_spanish(client, patient):
    patient.user.set_unusable_password()
    patient.user.save()
    token = access_link_issue(user=patient.user, purpose=AccessPurpose.INVITATION)
    page = reverse("clinics:invitation-accept", args=[token])
    client.handler.enforce_csrf_checks = True
    shown = client.get(page)
    assert html_lang(shown) == "en"
    assert f'name="next" value="{page}"' in shown.text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', shown.text).group(1)

    response = client.post(
        reverse("set_language"),
        {"language": "es", "next": page, "csrfmiddlewaretoken": csrf},
        follow=True,
    )

    assert response.redirect_chain == [(page, 302)]
    assert html_lang(response) == "es"
    assert "Le damos la bienvenida a Rehabit" in response.text


# Who sets it


def test_a_therapist_sets_a_new_patients_language_and_the_invitation_account_takes_it(
    client, therapist, django_capture_on_commit_callbacks
):
    client.force_login(therapist)
    response = client.post(
        reverse("patients:patient-add"),
        {
            "first_name": "Lucía",
            "last_name": "Martínez",
            "email": "lucia@example.com",
            "language": "es",
            "primary_therapist": therapist.pk,
        },
    )
    assert response.status_code == 302
    patient = Patient.objects.get(email="lucia@example.com")
    assert patient.language == "es"

    with django_capture_on_commit_callbacks(execute=True):
        patient_invite(patient=patient, invited_by=therapist, base_url="http://testserver/")

    patient.refresh_from_db()
    assert patient.user.language == "es"
    (message,) = mail.outbox
    assert "El enlace funciona una sola vez y vence en 7 días." in message.body


def test_the_patient_form_refuses_a_language_not_in_the_list(client, therapist):
    patient = PatientFactory(primary_therapist=therapist)
    client.force_login(therapist)
    response = client.post(
        reverse("patients:patient-edit", args=[patient.pk]),
        {"first_name": patient.first_name, "last_name": patient.last_name, "language": "de"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["language"] == [
        "Choose one of the languages in the list."
    ]
    patient.refresh_from_db()
    assert patient.language == ""


def test_a_therapists_change_reaches_the_patients_account_and_is_audited(therapist, patient):
    patient_update(patient=patient, updated_by=therapist, language="fr")
    patient.user.refresh_from_db()
    assert patient.user.language == "fr"
    event = AuditEvent.objects.filter(action=AuditAction.PATIENT_UPDATED).latest("pk")
    assert event.summary == "Changed: language."


def test_a_patient_changes_their_own_language_on_their_account_page(client, patient):
    client.force_login(patient.user)
    response = client.post(reverse("patients:account-language"), {"language": "fr"}, follow=True)
    assert response.redirect_chain == [(reverse("patients:account") + "#language", 302)]
    assert "Votre langue a été enregistrée." in response.text
    assert FRENCH_ACCOUNT in response.text
    patient.refresh_from_db()
    patient.user.refresh_from_db()
    assert (patient.language, patient.user.language) == ("fr", "fr")
    event = AuditEvent.objects.filter(action=AuditAction.PATIENT_UPDATED).latest("pk")
    assert (event.actor, event.summary) == (patient.user, "Changed: language.")


def test_a_patient_cannot_choose_a_language_not_in_the_list(client, patient):
    client.force_login(patient.user)
    response = client.post(reverse("patients:account-language"), {"language": "xx"}, follow=True)
    assert "Choose one of the languages in the list." in response.text
    patient.user.refresh_from_db()
    assert patient.user.language == ""


def test_only_a_patient_who_signs_in_chooses_their_own_language(therapist):
    record = PatientFactory(primary_therapist=therapist)
    with pytest.raises(ValidationError):
        patient_language_set(patient=record, language="es")


def test_staff_choose_their_own_language(client, therapist):
    client.force_login(therapist)
    page = client.get(reverse("clinics:email-settings"))
    assert "The clinic&#x27;s default (English)" in page.text
    response = client.post(reverse("clinics:language-set"), {"language": "es"}, follow=True)
    assert "Se guardó su idioma." in response.text
    assert html_lang(response) == "es"
    therapist.refresh_from_db()
    assert therapist.language == "es"


def test_a_patients_language_is_not_for_staff_to_post(client, therapist):
    client.force_login(therapist)
    assert client.post(reverse("patients:account-language"), {"language": "es"}).status_code == 403


def test_the_admin_sets_the_clinics_default_language(clinic_admin, therapist):
    clinic_settings_update(
        clinic=clinic_admin.clinic, updated_by=clinic_admin, default_language="es"
    )
    therapist.clinic.refresh_from_db()
    assert language_for(therapist) == "es"
    event = AuditEvent.objects.filter(action=AuditAction.CLINIC_SETTINGS_UPDATED).latest("pk")
    assert event.summary == "Changed: default language."
    with pytest.raises(ValidationError):
        clinic_settings_update(
            clinic=clinic_admin.clinic, updated_by=clinic_admin, default_language="de"
        )


# What reaches people


def test_a_sign_in_link_is_written_in_the_patients_language(
    client, db, django_capture_on_commit_callbacks
):
    user = PatientUserFactory(language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("clinics:sign-in-link"), {"email": user.email})
    (message,) = mail.outbox
    assert message.subject == "Votre lien de connexion à Rehabit"


def test_a_handout_printed_from_the_plan_page_is_in_the_patients_language(client, therapist):
    from tests.prescriptions.factories import PlanFactory, PlanItemFactory

    patient = PatientFactory(primary_therapist=therapist, language="es")
    plan = PlanFactory(patient=patient, prescribed_by=therapist)
    PlanItemFactory(plan=plan)
    client.force_login(therapist)
    detail = client.get(reverse("prescriptions:plan-detail", args=[plan.pk]))
    handout = reverse("prescriptions:plan-handout", args=[plan.pk])
    assert f"{handout}?language=es" in detail.text
    assert "(Español)" in detail.text

    assert html_lang(client.get(f"{handout}?language=es")) == "es"
    assert html_lang(client.get(handout)) == "en"
    assert html_lang(client.get(f"{handout}?language=de")) == "en"


# Numbers


@pytest.mark.parametrize(("language", "shown"), [("en", "4.7"), ("es", "4,7"), ("fr", "4,7")])
def test_a_number_a_person_reads_has_their_languages_decimal_mark(language, shown):
    from django.utils import translation

    from lib.charts import short_number, shown_number

    with translation.override(language):
        assert shown_number(4.66) == shown
        assert shown_number(3.0) == "3"
        # The drawing's own coordinates keep the point SVG reads.
        assert short_number(4.66) == "4.7"
