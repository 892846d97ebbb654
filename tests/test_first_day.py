"""A new clinic's first day: the first-run checklist of the clinic admin and of a therapist,
each step ticked by doing it through the real pages and services, hidden for good by its owner,
shown where each person lands; and the pages that have nothing in them yet say what to do."""

import base64
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import TOTP

from clinics.models import Role, User
from console.onboarding import first_run_checklist
from console.services import first_run_dismiss, staff_invite
from exercises.services import exercise_copy_to_clinic
from patients.services import patient_create
from prescriptions.services import ItemInput, template_create
from tests.clinics.factories import ClinicAdminFactory, TherapistFactory
from tests.console.test_staff_and_settings import image_upload, settings_data
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientWithAccountFactory
from tests.prescriptions.factories import prescribe

LIBRARY = reverse("exercises:library")
CASELOAD = reverse("insights:caseload")
DISMISS = reverse("console:first-run-dismiss")


def done(user, key) -> bool:
    user = User.objects.select_related("clinic").get(pk=user.pk)
    checklist = first_run_checklist(user=user)
    assert checklist is not None, "the checklist is gone"
    return {item.key: item.done for item in checklist.items}[key]


@pytest.fixture
def shared_stretch(db):
    return ExerciseFactory(clinic=None, name="Knee to chest", slug="knee-to-chest")


# The clinic admin's steps


def test_a_new_clinic_admin_starts_with_every_step_to_do(clinic_admin):
    checklist = first_run_checklist(user=clinic_admin)
    assert [item.key for item in checklist.items] == [
        "details",
        "thresholds",
        "therapist",
        "library",
        "template",
    ]
    assert checklist.done_count == 0
    assert checklist.next_item.key == "details"


def test_uploading_a_logo_ticks_the_clinic_details(client, clinic_admin):
    client.force_login(clinic_admin)
    client.post(reverse("console:clinic-settings"), settings_data(logo=image_upload()))
    assert done(clinic_admin, "details")


def test_saving_the_settings_page_ticks_the_thresholds_even_with_the_defaults(client, clinic_admin):
    client.force_login(clinic_admin)
    assert not done(clinic_admin, "thresholds")
    clinic = clinic_admin.clinic
    client.post(
        reverse("console:clinic-settings"),
        settings_data(
            alert_pain_at_or_above=str(clinic.alert_pain_at_or_above),
            alert_pain_rise=str(clinic.alert_pain_rise),
            alert_inactive_days=str(clinic.alert_inactive_days),
            alert_adherence_below_percent=str(clinic.alert_adherence_below_percent),
        ),
    )
    assert done(clinic_admin, "thresholds")
    assert not done(clinic_admin, "details")  # no logo yet


def test_a_refused_settings_form_ticks_nothing(client, clinic_admin):
    client.force_login(clinic_admin)
    client.post(reverse("console:clinic-settings"), settings_data(alert_pain_at_or_above="99"))
    assert not done(clinic_admin, "thresholds")


def test_inviting_a_therapist_ticks_the_invitation(client, clinic_admin):
    client.force_login(clinic_admin)
    client.post(
        reverse("console:staff-invite"),
        {"email": "tia@example.com", "full_name": "Tia Therapist", "role": Role.THERAPIST},
    )
    assert User.objects.filter(email="tia@example.com").exists()
    assert done(clinic_admin, "therapist")


def test_inviting_another_admin_is_not_inviting_a_therapist(clinic_admin):
    staff_invite(
        invited_by=clinic_admin,
        email="second.admin@example.com",
        full_name="Second Admin",
        role=Role.CLINIC_ADMIN,
        base_url="http://testserver/",
    )
    assert not done(clinic_admin, "therapist")


def test_going_to_the_library_from_the_checklist_ticks_it(client, clinic_admin):
    client.force_login(clinic_admin)
    assert not done(clinic_admin, "library")
    response = client.post(reverse("console:first-run-library"))
    assert response.url == LIBRARY
    assert done(clinic_admin, "library")


def test_copying_a_shared_exercise_ticks_the_library_too(clinic_admin, shared_stretch):
    exercise_copy_to_clinic(
        exercise=shared_stretch, clinic=clinic_admin.clinic, copied_by=clinic_admin
    )
    assert done(clinic_admin, "library")


def test_only_admins_tick_the_library(client, therapist):
    client.force_login(therapist)
    assert client.post(reverse("console:first-run-library")).status_code == 403
    assert client.get(reverse("console:first-run-library")).status_code in (403, 405)


def test_adding_a_template_ticks_it(clinic_admin, shared_stretch):
    template_create(
        clinic=clinic_admin.clinic,
        created_by=clinic_admin,
        name="Low back starter",
        items=[ItemInput.from_exercise(shared_stretch)],
    )
    assert done(clinic_admin, "template")


def test_another_clinics_work_ticks_nothing(clinic_admin, stranger, shared_stretch):
    other_admin = ClinicAdminFactory(clinic=stranger.clinic)
    template_create(
        clinic=stranger.clinic,
        created_by=other_admin,
        name="Theirs",
        items=[ItemInput.from_exercise(shared_stretch)],
    )
    checklist = first_run_checklist(user=clinic_admin)
    assert checklist.done_count == 0


# The therapist's steps


def test_adding_a_patient_ticks_the_first_patient(therapist):
    assert not done(therapist, "patient")
    patient_create(
        clinic=therapist.clinic, first_name="Nora", last_name="Nolan", primary_therapist=therapist
    )
    assert done(therapist, "patient")
    assert not done(therapist, "plan")


def test_a_colleagues_patient_is_not_the_therapists_own(therapist, colleague):
    patient_create(
        clinic=colleague.clinic, first_name="Nora", last_name="Nolan", primary_therapist=colleague
    )
    assert not done(therapist, "patient")


def test_building_a_plan_ticks_it_and_links_to_the_newest_patient(therapist, shared_stretch):
    patient = patient_create(
        clinic=therapist.clinic, first_name="Nora", last_name="Nolan", primary_therapist=therapist
    )
    checklist = first_run_checklist(user=therapist)
    plan_item = next(item for item in checklist.items if item.key == "plan")
    assert plan_item.url == reverse("patients:plan-create", args=[patient.pk])
    prescribe(patient, therapist, shared_stretch)
    assert done(therapist, "plan")


def test_inviting_the_patient_ticks_it(client, therapist):
    patient = patient_create(
        clinic=therapist.clinic,
        first_name="Nora",
        last_name="Nolan",
        email="nora@example.com",
        primary_therapist=therapist,
    )
    client.force_login(therapist)
    client.post(reverse("patients:patient-invite", args=[patient.pk]))
    assert done(therapist, "invite")


def test_a_patient_who_signs_in_ticks_the_invitation(therapist):
    PatientWithAccountFactory(primary_therapist=therapist)
    assert done(therapist, "invite")


# Where it shows, and where it does not


def test_the_checklist_shows_where_each_person_lands(client, clinic_admin, therapist):
    client.force_login(clinic_admin)
    assert client.get(reverse("clinics:home")).url == LIBRARY
    page = client.get(LIBRARY).text
    assert "Set up your clinic" in page
    assert "1 of 5 done" in page  # the therapist is there already
    assert "Set up your clinic" not in client.get(CASELOAD).text

    client.force_login(therapist)
    page = client.get(CASELOAD).text
    assert "Your first patient" in page
    assert f'href="{reverse("patients:patient-add")}"' in page
    assert "Your first patient" not in client.get(LIBRARY).text


def test_each_step_links_to_the_page_that_does_it(client, clinic_admin):
    client.force_login(clinic_admin)
    page = client.get(LIBRARY).text
    assert f'href="{reverse("console:clinic-settings")}"' in page
    assert f'href="{reverse("console:clinic-settings")}#alerts"' in page
    assert f'href="{reverse("console:staff-invite")}"' in page
    assert f'action="{reverse("console:first-run-library")}"' in page
    assert f'href="{reverse("prescriptions:template-add")}"' in page


def test_patients_have_no_checklist(client, patient):
    assert first_run_checklist(user=patient.user) is None
    client.force_login(patient.user)
    assert "first-run" not in client.get(reverse("patients:today")).text
    assert client.post(DISMISS).status_code == 403


def test_the_checklist_goes_by_itself_when_every_step_is_done(therapist, shared_stretch):
    patient = PatientWithAccountFactory(primary_therapist=therapist)
    prescribe(patient, therapist, shared_stretch)
    assert first_run_checklist(user=therapist) is None


def test_hiding_the_checklist_is_kept_and_is_only_for_the_one_who_hid_it(
    client, clinic_admin, clinic
):
    second_admin = ClinicAdminFactory(clinic=clinic)
    client.force_login(clinic_admin)
    response = client.post(DISMISS, {"next": LIBRARY}, follow=True)
    assert response.redirect_chain == [(LIBRARY, 302)]
    assert "Set up your clinic" not in response.text
    clinic_admin.refresh_from_db()
    assert clinic_admin.first_run_dismissed_at is not None
    assert "Set up your clinic" not in client.get(LIBRARY).text

    client.force_login(second_admin)
    assert "Set up your clinic" in client.get(LIBRARY).text


def test_hiding_goes_back_only_to_a_page_of_this_site(client, therapist):
    client.force_login(therapist)
    response = client.post(DISMISS, {"next": "https://elsewhere.example/"})
    assert response.url == reverse("clinics:home")


def test_only_staff_can_hide_a_checklist(patient):
    with pytest.raises(Exception, match="Only clinic staff"):
        first_run_dismiss(user=patient.user)


def add_patients(therapist, count):
    for number in range(count):
        patient_create(
            clinic=therapist.clinic,
            first_name="Pat",
            last_name=f"Number{number}",
            primary_therapist=therapist,
        )


@pytest.mark.parametrize("patients", [1, 6])
def test_the_checklist_costs_one_query_for_staff_and_none_otherwise(
    django_assert_num_queries, therapist, clinic_admin, patients
):
    add_patients(therapist, patients)
    with django_assert_num_queries(1):
        first_run_checklist(user=therapist)
    with django_assert_num_queries(1):
        first_run_checklist(user=clinic_admin)
    first_run_dismiss(user=therapist)
    with django_assert_num_queries(0):
        assert first_run_checklist(user=therapist) is None


@pytest.mark.parametrize("patients", [1, 6])
def test_the_landing_page_pays_one_query_for_the_checklist(client, therapist, patients):
    add_patients(therapist, patients)
    client.force_login(therapist)
    client.get(CASELOAD)
    with CaptureQueriesContext(connection) as shown:
        client.get(CASELOAD)
    first_run_dismiss(user=therapist)
    with CaptureQueriesContext(connection) as hidden:
        client.get(CASELOAD)
    assert len(shown) - len(hidden) == 1


# Two-step set-up leads on to the home page


def test_after_turning_on_two_step_sign_in_a_new_admin_lands_on_their_checklist(client, clinic):
    admin = ClinicAdminFactory(clinic=clinic, two_factor=False)
    client.force_login(admin)
    assert client.get(LIBRARY).url == reverse("clinics:two-factor-setup")
    page = client.get(reverse("clinics:two-factor-setup")).text
    key_text = re.search(r'<code class="setup-key-text">([A-Z2-7 ]+)</code>', page)[1]
    key = TOTP(base64.b32decode(key_text.replace(" ", "")))
    client.post(reverse("clinics:two-factor-setup"), {"code": f"{key.token():06d}"})
    response = client.post(reverse("clinics:two-factor-recovery-codes-saved"), follow=True)
    assert response.redirect_chain[0][0] == reverse("clinics:home")
    assert response.redirect_chain[-1][0] == LIBRARY
    assert "Set up your clinic" in response.text

    # New codes made later lead back to the two-step page, where they were asked for.
    client.post(reverse("clinics:two-factor-recovery-codes"))
    response = client.post(reverse("clinics:two-factor-recovery-codes-saved"))
    assert response.url == reverse("clinics:two-factor")


# The navigation


def account_menu(page: str) -> str:
    match = re.search(r'<ul class="dropdown-menu[^"]*account-menu".*?</ul>', page, re.S)
    assert match, "no account menu"
    return match.group(0)


def test_staff_find_their_account_under_their_name(client, therapist):
    client.force_login(therapist)
    page = client.get(CASELOAD).text
    assert 'id="account-menu-toggle"' in page
    menu = account_menu(page)
    for label in ("Password", "Emails", "Two-step sign-in", "Sign out"):
        assert label in menu
    assert therapist.clinic.name in menu
    main_nav = page.split('class="navbar-nav account-nav"')[0]
    assert "Two-step sign-in</a>" not in main_nav


def test_a_patient_finds_their_account_and_sign_out_under_their_name(client, patient):
    client.force_login(patient.user)
    menu = account_menu(client.get(reverse("patients:today")).text)
    assert "Your account" in menu
    assert "Sign out" in menu
    assert "Password" not in menu
    assert "Two-step" not in menu


def test_a_therapist_is_not_offered_the_admins_checklist(therapist):
    checklist = first_run_checklist(user=TherapistFactory(clinic=therapist.clinic))
    assert checklist.title == "Your first patient"


# Empty pages say what to do next, with the button to do it


def button_to(page: str, url_name: str) -> bool:
    href = reverse(url_name)
    return bool(re.search(rf'<a class="btn btn-primary[^"]*" href="{re.escape(href)}"', page))


def empty_state(page: str) -> str:
    """The empty state's box: from its opening tag to the end of its first button row."""
    start = page.find('class="empty-state')
    assert start != -1, "no empty state"
    return page[start : page.find("</a>", start) + len("</a>")]


@pytest.mark.parametrize(
    ("url_name", "query", "text", "button"),
    [
        ("console:staff-list", {}, "only member of staff so far", "console:staff-invite"),
        ("console:outbox", {}, "No emails yet.", "console:staff-invite"),
        (
            "console:audit-trail",
            {"action": "patient_viewed"},
            "No events match these filters.",
            "console:audit-trail",
        ),
    ],
    ids=["staff", "outbox", "audit-trail"],
)
def test_an_empty_admin_page_says_what_to_do_with_the_button_to_do_it(
    client, clinic_admin, url_name, query, text, button
):
    client.force_login(clinic_admin)
    page = client.get(reverse(url_name), query).text
    assert text in page
    assert button_to(empty_state(page), button)


def test_the_staff_page_with_colleagues_has_no_empty_state(client, clinic_admin, therapist):
    client.force_login(clinic_admin)
    assert "only member of staff" not in client.get(reverse("console:staff-list")).text


def test_a_clinic_without_templates_is_offered_a_new_one(client, clinic_admin, therapist):
    client.force_login(clinic_admin)
    page = client.get(reverse("prescriptions:template-list")).text
    assert "no templates of its own yet" in page
    assert button_to(empty_state(page), "prescriptions:template-add")
    client.force_login(therapist)
    page = client.get(reverse("prescriptions:template-list")).text
    assert "Your clinic's admins make templates" in page
    assert reverse("prescriptions:template-add") not in page


def test_a_library_search_that_finds_nothing_offers_every_exercise(client, clinic_admin):
    client.force_login(clinic_admin)
    page = client.get(LIBRARY, {"q": "nothing like this"}).text
    assert "No exercises match." in page
    assert button_to(empty_state(page), "exercises:library")


def test_an_empty_library_offers_to_add_or_import(client, clinic_admin, therapist):
    client.force_login(clinic_admin)
    state = empty_state(client.get(LIBRARY).text)
    assert "The library is empty." in state
    assert button_to(state, "exercises:exercise-add")
    page = client.get(LIBRARY).text
    assert reverse("exercises:library-import") in page[page.find('class="empty-state') :]
    client.force_login(therapist)
    page = client.get(LIBRARY).text
    assert "ask them to start the library" in page[page.find('class="empty-state') :]
    assert reverse("exercises:exercise-add") not in page


def test_an_empty_conversation_asks_staff_to_write_first(client, therapist, patient):
    client.force_login(therapist)
    page = client.get(reverse("messaging:patient-messages", args=[patient.pk])).text
    assert "No messages yet. Write the first one below" in page
    assert 'id="message-form"' in page
