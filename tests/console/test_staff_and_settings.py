"""Clinic admins manage their staff (invite, deactivate with reassignment, reactivate) and the
clinic's settings; therapists and patients reach none of it, other clinics' ids answer 404."""

import contextlib
import io
import re
import threading
from unittest import mock
from urllib.parse import urlparse

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from clinics import services as clinics_services
from clinics.models import (
    ALERT_ADHERENCE,
    ALERT_INACTIVE_DAYS,
    ALERT_PAIN,
    ALERT_PAIN_RISE,
    AccessLink,
    AccessPurpose,
    Clinic,
    Role,
    User,
)
from clinics.services import access_link_issue, user_create
from console.services import (
    clinic_settings_update,
    staff_deactivate,
    staff_invite,
    staff_reactivate,
)
from outbox.models import OutboxMessage, Status
from outbox.services import message_deliver
from patients.models import Patient, PatientStatus
from patients.services import patient_create, patient_discharge
from tests.clinics.factories import PASSWORD, ClinicAdminFactory, TherapistFactory

GOOD_PASSWORD = "a quiet walk along the river"
LINK = re.compile(r"https?://\S+")
STAFF_LIST = reverse("console:staff-list")
STAFF_INVITE = reverse("console:staff-invite")
SETTINGS = reverse("console:clinic-settings")


def deactivate_url(member):
    return reverse("console:staff-deactivate", args=[member.pk])


def reactivate_url(member):
    return reverse("console:staff-reactivate", args=[member.pk])


def resend_url(member):
    return reverse("console:staff-invitation-resend", args=[member.pk])


def add_patient(therapist, name="Nora Nolan", *, discharged=False):
    first, last = name.split()
    patient = patient_create(
        clinic=therapist.clinic, first_name=first, last_name=last, primary_therapist=therapist
    )
    if discharged:
        patient = patient_discharge(patient=patient, discharged_by=therapist)
    return patient


def primary_therapists(*patients):
    return [Patient.objects.get(pk=patient.pk).primary_therapist for patient in patients]


def refreshed(user):
    return User.objects.get(pk=user.pk)


def image_upload(name="logo.png", image_format="PNG", size=(40, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format=image_format)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}.get(
        image_format, "application/octet-stream"
    )
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


@pytest.fixture
def patient_of_therapist(therapist):
    return add_patient(therapist, "Nora Nolan")


@pytest.fixture
def other_admin(other_clinic):
    return ClinicAdminFactory(clinic=other_clinic, full_name="Otto Otheradmin")


# Who gets in


ADMIN_PAGES = ["console:staff-list", "console:staff-invite", "console:clinic-settings"]


@pytest.mark.parametrize("url_name", ADMIN_PAGES)
def test_admin_pages_open_for_the_clinic_admin(client, clinic_admin, url_name):
    client.force_login(clinic_admin)
    assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("url_name", ADMIN_PAGES)
@pytest.mark.parametrize("persona", ["therapist", "patient"])
def test_therapists_and_patients_are_refused(client, request, url_name, persona):
    person = request.getfixturevalue(persona)
    person = person.user if persona == "patient" else person
    client.force_login(person)
    assert client.get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize("url_name", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("clinics:login"))


def test_a_therapist_cannot_deactivate_reactivate_or_invite_by_posting(
    client, therapist, colleague
):
    client.force_login(therapist)
    assert client.get(deactivate_url(colleague)).status_code == 403
    assert client.post(deactivate_url(colleague)).status_code == 403
    assert client.post(resend_url(colleague)).status_code == 403
    assert client.post(reactivate_url(colleague)).status_code == 403
    assert client.post(SETTINGS, {"name": "Taken over"}).status_code == 403
    assert client.post(STAFF_INVITE, {"full_name": "X", "email": "x@example.com"}).status_code == (
        403
    )
    assert refreshed(colleague).is_active
    assert Clinic.objects.get(pk=therapist.clinic_id).name == "Riverside Physio"
    assert not User.objects.filter(email="x@example.com").exists()
    assert mail.outbox == []


def test_another_clinics_admin_gets_404_for_our_staff(client, other_admin, therapist):
    client.force_login(other_admin)
    assert client.get(deactivate_url(therapist)).status_code == 404
    assert client.post(deactivate_url(therapist)).status_code == 404
    assert client.post(reactivate_url(therapist)).status_code == 404
    assert client.post(resend_url(therapist)).status_code == 404
    assert refreshed(therapist).is_active
    assert mail.outbox == []


def test_a_patients_account_is_not_a_staff_member(client, clinic_admin, patient):
    client.force_login(clinic_admin)
    assert client.get(deactivate_url(patient.user)).status_code == 404
    assert client.post(deactivate_url(patient.user)).status_code == 404
    assert refreshed(patient.user).is_active


def test_admins_see_staff_and_settings_in_the_menu_and_therapists_do_not(
    client, clinic_admin, therapist
):
    client.force_login(clinic_admin)
    page = client.get(STAFF_LIST).text
    assert f'href="{STAFF_LIST}" aria-current="page">Staff<' in page
    assert f'href="{SETTINGS}">Settings<' in page

    client.force_login(therapist)
    page = client.get(reverse("insights:caseload")).text
    assert STAFF_LIST not in page
    assert SETTINGS not in page


# The staff list


def test_staff_list_shows_the_clinics_staff_with_status_and_active_patients(
    client, clinic_admin, therapist, colleague, patient, stranger
):
    add_patient(therapist, "Ann Active")
    add_patient(therapist, "Dan Discharged", discharged=True)
    invited = user_create(
        clinic=clinic_admin.clinic,
        email="ivy@example.com",
        full_name="Ivy Invited",
        role=Role.THERAPIST,
        password=None,
    )
    staff_deactivate(member=colleague, deactivated_by=clinic_admin, reassign_to=None)
    client.force_login(therapist)
    client.force_login(clinic_admin)

    response = client.get(STAFF_LIST)

    members = {member.full_name: member for member in response.context["members"]}
    assert set(members) == {"Ada Admin", "Tess Owner", "Cal Colleague", "Ivy Invited"}
    # The patient fixture and "Ann Active" are active; the discharged patient is not counted.
    assert members["Tess Owner"].active_patient_count == 2
    assert members["Ivy Invited"].active_patient_count == 0
    page = response.text
    assert "Stan Stranger" not in page
    assert patient.user.email not in page
    assert "Invited, not signed in yet" in page
    assert "Deactivated" in page
    assert f'action="{resend_url(invited)}"' in page
    assert resend_url(therapist) not in page
    assert f'action="{reactivate_url(colleague)}"' in page
    assert f'href="{deactivate_url(therapist)}"' in page
    # No way to switch yourself off from the list.
    assert deactivate_url(clinic_admin) not in page


def test_staff_list_runs_a_fixed_number_of_queries(
    client, clinic_admin, django_assert_max_num_queries
):
    def add_staff(count):
        for _ in range(count):
            member = TherapistFactory(clinic=clinic_admin.clinic)
            add_patient(member, "Some Patient")
            add_patient(member, "Other Patient", discharged=True)

    client.force_login(clinic_admin)
    client.get(STAFF_LIST)  # the first request after signing in also stamps the session
    add_staff(2)
    # Session, user, the clinic for the page header, the staff list with its counts and
    # two-step sign-in, the accounts locked out of signing in.
    with django_assert_max_num_queries(5) as small_run:
        small = client.get(STAFF_LIST)
    add_staff(10)
    with django_assert_max_num_queries(5) as large_run:
        large = client.get(STAFF_LIST)
    assert len(small_run) == len(large_run)
    assert len(small.context["members"]) == 3
    assert len(large.context["members"]) == 13


# Inviting staff


def test_admin_invites_a_therapist_who_sets_a_password_and_lands_on_the_caseload(
    client, clinic_admin
):
    client.force_login(clinic_admin)
    response = client.post(
        STAFF_INVITE,
        {"full_name": " Nina Newman ", "email": " Nina@Example.com", "role": Role.THERAPIST},
        follow=True,
    )

    assert response.redirect_chain == [(STAFF_LIST, 302)]
    assert "Invitation sent to nina@example.com." in response.text
    nina = User.objects.get(email="nina@example.com")
    assert (nina.full_name, nina.role, nina.clinic) == (
        "Nina Newman",
        Role.THERAPIST,
        clinic_admin.clinic,
    )
    assert not nina.has_usable_password()
    assert "Invited, not signed in yet" in response.text
    (message,) = mail.outbox
    assert message.to == ["nina@example.com"]
    assert "Ada Admin has invited you to join Riverside Physio on Rehabit." in message.body
    assert "expires in 7 days" in message.body
    (link,) = LINK.findall(message.body)

    client.logout()
    accepted = client.post(
        urlparse(link).path,
        {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
        follow=True,
    )
    assert accepted.redirect_chain[-1] == (reverse("insights:caseload"), 302)
    assert int(client.session[SESSION_KEY]) == nina.pk
    assert refreshed(nina).check_password(GOOD_PASSWORD)


def test_a_new_clinic_admin_can_be_invited(clinic_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member = staff_invite(
            invited_by=clinic_admin,
            email="second@example.com",
            full_name="Second Admin",
            role=Role.CLINIC_ADMIN,
            base_url="http://testserver/",
        )
    assert member.is_clinic_admin
    assert AccessLink.objects.get(user=member).purpose == AccessPurpose.INVITATION


def flash_of(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_another_clinics_address_is_answered_as_a_new_one_and_left_alone(
    client, clinic_admin, stranger
):
    before = User.objects.filter(pk=stranger.pk).values().get()
    client.force_login(clinic_admin)
    new = client.post(
        STAFF_INVITE,
        {"full_name": "Nina Newman", "email": "nina@example.com", "role": Role.THERAPIST},
        follow=True,
    )
    mail.outbox.clear()
    # The address of another clinic's therapist, typed in another case.
    taken = client.post(
        STAFF_INVITE,
        {"full_name": "Sam Other", "email": stranger.email.upper(), "role": Role.THERAPIST},
        follow=True,
    )

    assert taken.redirect_chain == new.redirect_chain == [(STAFF_LIST, 302)]
    assert flash_of(taken) == flash_of(new).replace("nina@example.com", stranger.email)
    assert "already" not in taken.text and stranger.clinic.name not in taken.text
    assert User.objects.filter(pk=stranger.pk).values().get() == before
    assert not AccessLink.objects.filter(user=stranger).exists()
    assert not User.objects.filter(full_name="Sam Other").exists()
    assert mail.outbox == []


def test_an_address_already_in_the_clinic_is_refused_and_the_form_kept(
    client, clinic_admin, therapist
):
    client.force_login(clinic_admin)
    response = client.post(
        STAFF_INVITE,
        {"full_name": "Nina Newman", "email": therapist.email.upper(), "role": Role.THERAPIST},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "An account with this email address already exists, so it cannot be invited again. "
        "If it is a colleague on the staff list, re-send their invitation or reactivate them "
        "there; otherwise use another address."
    ]
    assert 'value="Nina Newman"' in response.text
    assert "No invitation was sent." in response.text
    assert User.objects.filter(full_name="Nina Newman").count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"role": Role.PATIENT}, "role", "Choose therapist or clinic admin."),
        ({"email": "not-an-email"}, "email", "Enter an email address such as name@example.com."),
        ({"full_name": ""}, "full_name", "Enter the person's full name."),
    ],
)
def test_bad_invitations_say_what_is_allowed_and_create_nothing(
    client, clinic_admin, data, field, message
):
    client.force_login(clinic_admin)
    values = {"full_name": "Nina Newman", "email": "nina@example.com", "role": Role.THERAPIST}
    values.update(data)
    response = client.post(STAFF_INVITE, values)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not User.objects.filter(email="nina@example.com").exists()
    assert mail.outbox == []


def test_the_service_refuses_a_patient_role_too(clinic_admin):
    with pytest.raises(ValidationError) as refused:
        staff_invite(
            invited_by=clinic_admin,
            email="p@example.com",
            full_name="Pat",
            role=Role.PATIENT,
            base_url="http://testserver/",
        )
    assert refused.value.message_dict == {"role": ["Choose therapist or clinic admin."]}
    assert not User.objects.filter(email="p@example.com").exists()


def test_only_admins_invite_staff(therapist):
    with pytest.raises(
        ValidationError, match=re.escape("Only the clinic's admins can invite staff.")
    ):
        staff_invite(
            invited_by=therapist,
            email="n@example.com",
            full_name="Nina",
            role=Role.THERAPIST,
            base_url="http://testserver/",
        )
    assert not User.objects.filter(email="n@example.com").exists()


def test_a_mail_server_that_fails_keeps_the_invitation_waiting_in_the_outbox(
    client, clinic_admin, mailoutbox
):
    client.force_login(clinic_admin)
    with mock.patch.object(EmailMultiAlternatives, "send", side_effect=OSError("refused")):
        response = client.post(
            STAFF_INVITE,
            {"full_name": "Nina Newman", "email": "nina@example.com", "role": Role.THERAPIST},
        )
    assert response.status_code == 302
    nina = User.objects.get(email="nina@example.com")
    waiting = OutboxMessage.objects.get(kind="invitation", recipient=nina.email)
    assert (waiting.status, waiting.attempts) == (Status.QUEUED, 1)
    assert "refused" in waiting.last_error and waiting.next_attempt_at > timezone.now()
    assert mailoutbox == []
    with mock.patch("django.utils.timezone.now", return_value=waiting.next_attempt_at):
        message_deliver(message_id=waiting.pk)
    waiting.refresh_from_db()
    assert waiting.status == Status.SENT
    (sent,) = mailoutbox
    assert sent.to == ["nina@example.com"] and "/welcome/" in sent.body


def test_resending_replaces_the_invitation(client, clinic_admin):
    client.force_login(clinic_admin)
    client.post(
        STAFF_INVITE,
        {"full_name": "Nina Newman", "email": "nina@example.com", "role": Role.THERAPIST},
    )
    nina = User.objects.get(email="nina@example.com")

    response = client.post(resend_url(nina), follow=True)

    assert "A new invitation was sent to nina@example.com" in response.text
    assert len(mail.outbox) == 2
    first, second = (urlparse(LINK.findall(m.body)[0]).path for m in mail.outbox)
    client.logout()
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_no_invitation_is_resent_to_someone_who_has_a_password(client, clinic_admin, therapist):
    client.force_login(clinic_admin)
    response = client.post(resend_url(therapist), follow=True)
    assert (
        "Tess Owner has already chosen a password, so there is no invitation to send again."
        in response.text
    )
    assert mail.outbox == []


# Deactivating, with the patients reassigned


def test_deactivation_moves_every_patient_and_switches_the_account_off(
    clinic_admin, therapist, colleague
):
    active = add_patient(therapist, "Ann Active")
    discharged = add_patient(therapist, "Dan Discharged", discharged=True)
    colleagues_own = add_patient(colleague, "Cora Colleagues")
    access_link_issue(user=therapist, purpose=AccessPurpose.INVITATION)

    outcome = staff_deactivate(member=therapist, deactivated_by=clinic_admin, reassign_to=colleague)

    assert outcome.patients_moved == 2
    assert outcome.reassigned_to == colleague
    assert primary_therapists(active, discharged, colleagues_own) == [colleague] * 3
    assert Patient.objects.get(pk=discharged.pk).status == PatientStatus.DISCHARGED
    therapist = refreshed(therapist)
    assert not therapist.is_active
    # Nothing is deleted.
    assert therapist.check_password(PASSWORD)
    assert AccessLink.objects.get(user=therapist).revoked_at is not None


def test_a_deactivated_member_cannot_sign_in_and_their_open_session_ends(
    client, clinic_admin, therapist, colleague
):
    client.force_login(therapist)
    assert client.get(reverse("insights:caseload")).status_code == 200

    staff_deactivate(member=therapist, deactivated_by=clinic_admin, reassign_to=None)

    response = client.get(reverse("insights:caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("clinics:login"))
    assert SESSION_KEY not in client.session
    # And the sign-in page turns the right password away.
    response = client.post(
        reverse("clinics:login"), {"username": therapist.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "That email and password do not match an account." in response.text


def test_an_inactive_accounts_session_stops_working_even_before_it_is_deleted(
    client, clinic_admin, therapist
):
    # Django's ModelBackend.get_user refuses inactive users on every request, so the session
    # row alone lets nobody in; deleting it is what keeps a reactivation from reviving it.
    client.force_login(therapist)
    with mock.patch.object(clinics_services, "_sessions_end"):
        staff_deactivate(member=therapist, deactivated_by=clinic_admin, reassign_to=None)
    assert Session.objects.count() == 1

    response = client.get(reverse("insights:caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("clinics:login"))


def test_deactivation_ends_only_the_members_sessions_for_good(
    client, clinic_admin, therapist, colleague
):
    client.force_login(therapist)
    colleagues_browser = Client()
    colleagues_browser.force_login(colleague)

    staff_deactivate(member=therapist, deactivated_by=clinic_admin, reassign_to=None)
    staff_reactivate(member=therapist, reactivated_by=clinic_admin)

    # Reactivated, but the session opened before the deactivation does not come back.
    assert client.get(reverse("insights:caseload")).status_code == 302
    assert colleagues_browser.get(reverse("insights:caseload")).status_code == 200


def test_someone_without_patients_needs_no_one_to_take_over(clinic_admin, colleague):
    outcome = staff_deactivate(member=colleague, deactivated_by=clinic_admin, reassign_to=None)
    assert outcome.patients_moved == 0
    assert not refreshed(colleague).is_active


def test_admins_can_take_over_patients_and_be_deactivated_by_another_admin(
    clinic_admin, therapist, clinic
):
    second_admin = ClinicAdminFactory(clinic=clinic, full_name="Sid Second")
    nora = add_patient(therapist, "Nora Nolan")
    staff_deactivate(member=therapist, deactivated_by=clinic_admin, reassign_to=second_admin)
    assert primary_therapists(nora) == [second_admin]

    staff_deactivate(member=second_admin, deactivated_by=clinic_admin, reassign_to=clinic_admin)
    assert primary_therapists(nora) == [clinic_admin]
    assert not refreshed(second_admin).is_active


def assert_nothing_changed(member, patients, *, link=None):
    assert refreshed(member).is_active
    assert primary_therapists(*patients) == [member] * len(patients)
    if link is not None:
        assert AccessLink.objects.get(pk=link.pk).revoked_at is None


@pytest.fixture
def therapist_with_patients(therapist):
    patients = [
        add_patient(therapist, "Ann Active"),
        add_patient(therapist, "Dan Discharged", discharged=True),
    ]
    access_link_issue(user=therapist, purpose=AccessPurpose.SIGN_IN)
    return therapist, patients, AccessLink.objects.get(user=therapist)


@pytest.mark.parametrize(
    ("reassign_to", "message"),
    [
        (None, "Tess Owner is the primary therapist of 2 patients. Choose who takes them over."),
        ("inactive", "Choose an active therapist or admin of this clinic"),
        ("patient", "Choose an active therapist or admin of this clinic"),
        ("stranger", "Choose an active therapist or admin of this clinic"),
        ("themselves", "Choose an active therapist or admin of this clinic"),
    ],
)
def test_reassigning_to_no_one_or_the_wrong_person_is_refused_and_nothing_changes(
    request, clinic_admin, therapist_with_patients, colleague, reassign_to, message
):
    member, patients, link = therapist_with_patients
    if reassign_to == "inactive":
        staff_deactivate(member=colleague, deactivated_by=clinic_admin, reassign_to=None)
        target = colleague
    elif reassign_to == "patient":
        target = request.getfixturevalue("patient").user
    elif reassign_to == "stranger":
        target = request.getfixturevalue("stranger")
    elif reassign_to == "themselves":
        target = member
    else:
        target = None

    with pytest.raises(ValidationError) as refused:
        staff_deactivate(member=member, deactivated_by=clinic_admin, reassign_to=target)

    assert refused.value.message_dict["reassign_to"][0].startswith(message)
    assert_nothing_changed(member, patients, link=link)


def test_you_cannot_deactivate_yourself(clinic_admin, clinic):
    ClinicAdminFactory(clinic=clinic)
    nora = add_patient(clinic_admin, "Nora Nolan")
    with pytest.raises(ValidationError) as refused:
        staff_deactivate(member=clinic_admin, deactivated_by=clinic_admin, reassign_to=None)
    assert refused.value.messages == [
        "You cannot deactivate your own account. Ask another admin of the clinic to do it."
    ]
    assert_nothing_changed(clinic_admin, [nora])


def test_the_last_active_admin_is_never_deactivated(clinic_admin, therapist):
    with pytest.raises(ValidationError) as refused:
        staff_deactivate(member=clinic_admin, deactivated_by=clinic_admin, reassign_to=therapist)
    assert refused.value.messages == [
        "Ada Admin is the clinic's only active admin. Invite or reactivate another admin first, "
        "so someone can still manage the clinic."
    ]
    assert refreshed(clinic_admin).is_active


@pytest.mark.parametrize("who", ["colleague", "other_admin"])
def test_only_the_clinics_own_admins_deactivate(request, therapist_with_patients, who):
    member, patients, link = therapist_with_patients
    deactivated_by = request.getfixturevalue(who)
    with pytest.raises(
        ValidationError, match=re.escape("Only the clinic's admins can deactivate staff.")
    ):
        staff_deactivate(member=member, deactivated_by=deactivated_by, reassign_to=deactivated_by)
    assert_nothing_changed(member, patients, link=link)


def test_a_deactivated_admin_can_no_longer_deactivate_anyone(clinic_admin, clinic, therapist):
    second_admin = ClinicAdminFactory(clinic=clinic)
    # `second_admin` still looks active in memory, but the service reads the account afresh.
    staff_deactivate(member=second_admin, deactivated_by=clinic_admin, reassign_to=None)
    with pytest.raises(
        ValidationError, match=re.escape("Only the clinic's admins can deactivate staff.")
    ):
        staff_deactivate(member=therapist, deactivated_by=second_admin, reassign_to=None)
    assert refreshed(therapist).is_active


def test_deactivating_twice_is_refused(clinic_admin, colleague):
    staff_deactivate(member=colleague, deactivated_by=clinic_admin, reassign_to=None)
    with pytest.raises(ValidationError, match=re.escape("Cal Colleague is already deactivated.")):
        staff_deactivate(member=colleague, deactivated_by=clinic_admin, reassign_to=None)


def test_reactivation_lets_them_sign_in_again_and_leaves_the_patients_where_they_are(
    client, clinic_admin, therapist, colleague
):
    nora = add_patient(therapist, "Nora Nolan")
    staff_deactivate(member=therapist, deactivated_by=clinic_admin, reassign_to=colleague)

    staff_reactivate(member=therapist, reactivated_by=clinic_admin)

    assert refreshed(therapist).is_active
    assert primary_therapists(nora) == [colleague]
    client.post(reverse("clinics:login"), {"username": therapist.email, "password": PASSWORD})
    assert int(client.session[SESSION_KEY]) == therapist.pk
    with pytest.raises(ValidationError, match=re.escape("Tess Owner is already active.")):
        staff_reactivate(member=therapist, reactivated_by=clinic_admin)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers, so nothing can race"
)
def test_two_admins_deactivating_each_other_at_once_leave_one_admin(clinic):
    first, second = ClinicAdminFactory(clinic=clinic), ClinicAdminFactory(clinic=clinic)
    check_admin = clinics_services.clinic_admin_check
    # Each request waits after its checks until the other has made them too. With the clinic
    # row locked the second request blocks before its checks instead, the wait times out, and
    # it then finds its own admin switched off.
    both_checked = threading.Barrier(2, timeout=1)
    done, refused = [], []

    def check_then_wait(*args):
        check_admin(*args)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()

    def deactivate(member, by):
        try:
            done.append(staff_deactivate(member=member, deactivated_by=by, reassign_to=None))
        except ValidationError as error:
            refused.append(error.messages)
        finally:
            connections.close_all()

    with mock.patch.object(clinics_services, "clinic_admin_check", check_then_wait):
        threads = [
            threading.Thread(target=deactivate, args=(first, second)),
            threading.Thread(target=deactivate, args=(second, first)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(done) == 1
    assert refused == [["Only the clinic's admins can deactivate staff."]]
    assert User.objects.filter(clinic=clinic, is_active=True).count() == 1


# Deactivating through the page


def test_the_confirmation_page_counts_patients_and_offers_only_active_colleagues(
    client, clinic_admin, therapist, colleague, stranger, patient, django_assert_max_num_queries
):
    add_patient(therapist, "Dan Discharged", discharged=True)
    gone = TherapistFactory(clinic=clinic_admin.clinic, full_name="Gus Gone")
    staff_deactivate(member=gone, deactivated_by=clinic_admin, reassign_to=None)
    client.force_login(clinic_admin)
    client.get(STAFF_LIST)  # the first request after signing in also stamps the session

    # Session, user, clinic, the member, their patient counts, the colleagues to choose from.
    with django_assert_max_num_queries(6):
        response = client.get(deactivate_url(therapist))

    page = response.text
    assert "Tess Owner is the primary therapist of 1 active patient and 1 discharged patient." in (
        " ".join(page.split())
    )
    choices = [label for value, label in response.context["form"].fields["reassign_to"].choices]
    assert choices == [
        "Choose a colleague",
        "Ada Admin (Clinic admin)",
        "Cal Colleague (Therapist)",
    ]
    assert "Reassign their patients to" in page


def test_the_page_asks_for_no_one_when_there_are_no_patients(client, clinic_admin, colleague):
    client.force_login(clinic_admin)
    response = client.get(deactivate_url(colleague))
    assert "Cal Colleague is not the primary therapist of any patient." in response.text
    assert "reassign_to" not in response.context["form"].fields

    response = client.post(deactivate_url(colleague), follow=True)
    assert response.redirect_chain == [(STAFF_LIST, 302)]
    assert "Cal Colleague was deactivated and can no longer sign in." in response.text
    assert not refreshed(colleague).is_active


def test_posting_without_a_choice_is_refused_with_the_rule(
    client, clinic_admin, therapist, patient_of_therapist
):
    client.force_login(clinic_admin)
    response = client.post(deactivate_url(therapist), {"reassign_to": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reassign_to"] == [
        "Choose the colleague who takes over their patients."
    ]
    assert "Nobody was deactivated and no patient was moved." in response.text
    assert_nothing_changed(therapist, [patient_of_therapist])


def test_a_tampered_choice_of_another_clinics_user_is_refused(
    client, clinic_admin, therapist, patient_of_therapist, stranger
):
    client.force_login(clinic_admin)
    response = client.post(deactivate_url(therapist), {"reassign_to": stranger.pk})
    assert response.context["form"].errors["reassign_to"] == [
        "Choose an active therapist or admin of this clinic, other than the person being "
        "deactivated."
    ]
    assert_nothing_changed(therapist, [patient_of_therapist])


def test_deactivating_through_the_page_moves_the_patients(
    client, clinic_admin, therapist, colleague, patient_of_therapist
):
    client.force_login(clinic_admin)
    response = client.post(deactivate_url(therapist), {"reassign_to": colleague.pk}, follow=True)
    assert (
        "Tess Owner was deactivated and can no longer sign in. 1 patient moved to Cal Colleague."
        in response.text
    )
    assert primary_therapists(patient_of_therapist) == [colleague]
    assert not refreshed(therapist).is_active


def test_a_deactivated_member_is_reactivated_from_the_list(client, clinic_admin, colleague):
    staff_deactivate(member=colleague, deactivated_by=clinic_admin, reassign_to=None)
    client.force_login(clinic_admin)
    response = client.post(reactivate_url(colleague), follow=True)
    assert "Cal Colleague can sign in again." in response.text
    assert refreshed(colleague).is_active


# Clinic settings


def settings_data(**overrides):
    data = {
        "name": "Riverside Physio & Rehab",
        "contact_email": " Hello@Riverside.example ",
        "phone": "01632 960000",
        "address": "1 River Lane\nTown",
        "time_zone": "Europe/Dublin",
        "default_language": "en",
        "alert_pain_at_or_above": "6",
        "alert_pain_rise": "3",
        "alert_inactive_days": "5",
        "alert_adherence_below_percent": "60",
        "escalate_emergency_after_hours": "1",
        "escalate_other_after_hours": "12",
    }
    data.update(overrides)
    return data


def test_the_settings_form_starts_from_the_clinic_and_explains_each_threshold(client, clinic_admin):
    client.force_login(clinic_admin)
    response = client.get(SETTINGS)
    form = response.context["form"]
    assert form["name"].value() == "Riverside Physio"
    assert form["time_zone"].value() == "Europe/London"
    assert form["alert_pain_at_or_above"].value() == 7
    help_texts = {name: str(form.fields[name].help_text) for name in form.fields}
    assert help_texts["alert_pain_at_or_above"].endswith("From 1 to 10; the default is 7.")
    assert help_texts["alert_pain_rise"].endswith("From 1 to 10; the default is 2.")
    assert help_texts["alert_inactive_days"].endswith("From 1 to 60; the default is 3.")
    assert help_texts["alert_adherence_below_percent"].endswith("From 0 to 100; the default is 50.")
    assert help_texts["escalate_emergency_after_hours"].endswith("From 1 to 24; the default is 2.")
    assert help_texts["escalate_other_after_hours"].endswith("From 1 to 168; the default is 24.")
    assert '<option value="Europe/London" selected>Europe/London</option>' in response.text


def test_an_admin_updates_the_settings_and_the_logo(client, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(SETTINGS, settings_data(logo=image_upload("my logo.PNG")), follow=True)

    assert response.redirect_chain == [(SETTINGS, 302)]
    assert "The clinic&#x27;s settings were saved." in response.text
    clinic = Clinic.objects.get(pk=clinic_admin.clinic_id)
    assert (clinic.name, clinic.slug) == ("Riverside Physio & Rehab", "riverside-physio")
    assert clinic.contact_email == "hello@riverside.example"
    assert clinic.time_zone == "Europe/Dublin"
    assert (
        clinic.alert_pain_at_or_above,
        clinic.alert_pain_rise,
        clinic.alert_inactive_days,
        clinic.alert_adherence_below_percent,
    ) == (6, 3, 5, 60)
    # A generated name: what the person called the file never reaches the storage.
    assert re.fullmatch(r"clinics/logos/[0-9a-f]{32}\.png", clinic.logo.name)

    # Saving again without a file keeps the logo; ticking "Clear" removes it.
    client.post(SETTINGS, settings_data())
    assert Clinic.objects.get(pk=clinic.pk).logo.name == clinic.logo.name
    client.post(SETTINGS, settings_data(**{"logo-clear": "on"}))
    assert not Clinic.objects.get(pk=clinic.pk).logo


def test_a_logo_is_stored_under_the_type_its_content_has(clinic_admin):
    clinic = clinic_settings_update(
        clinic=clinic_admin.clinic,
        updated_by=clinic_admin,
        logo=image_upload("logo.png", image_format="JPEG"),
    )
    assert clinic.logo.name.endswith(".jpg")
    clinic = clinic_settings_update(
        clinic=clinic, updated_by=clinic_admin, logo=image_upload("x.webp", image_format="WEBP")
    )
    assert clinic.logo.name.endswith(".webp")


THRESHOLDS = [
    ("alert_pain_at_or_above", ALERT_PAIN),
    ("alert_pain_rise", ALERT_PAIN_RISE),
    ("alert_inactive_days", ALERT_INACTIVE_DAYS),
    ("alert_adherence_below_percent", ALERT_ADHERENCE),
]


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [(field, limit.maximum + 1, limit) for field, limit in THRESHOLDS]
    + [(field, limit.minimum - 1, limit) for field, limit in THRESHOLDS]
    + [("alert_pain_at_or_above", "seven", ALERT_PAIN)],
)
def test_a_threshold_past_its_limit_is_refused_with_the_limit_and_the_input_kept(
    client, clinic_admin, field, value, limit
):
    client.force_login(clinic_admin)
    response = client.post(SETTINGS, settings_data(**{field: str(value)}))

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [str(limit.message)]}
    assert f'name="{field}" value="{value}"' in response.text
    assert 'value="Riverside Physio &amp; Rehab"' in response.text
    assert "Nothing was saved." in response.text
    clinic = Clinic.objects.get(pk=clinic_admin.clinic_id)
    assert clinic.name == "Riverside Physio"
    assert getattr(clinic, field) == Clinic._meta.get_field(field).default


@pytest.mark.parametrize(("field", "limit"), THRESHOLDS)
def test_the_service_refuses_a_threshold_past_its_limit_and_saves_nothing(
    clinic_admin, field, limit
):
    with pytest.raises(ValidationError) as refused:
        clinic_settings_update(
            clinic=clinic_admin.clinic,
            updated_by=clinic_admin,
            name="Renamed",
            **{field: limit.maximum + 1},
        )
    assert refused.value.message_dict == {field: [str(limit.message)]}
    assert Clinic.objects.get(pk=clinic_admin.clinic_id).name == "Riverside Physio"


def test_an_unknown_time_zone_is_refused_helpfully(client, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(SETTINGS, settings_data(time_zone="Mars/Olympus_Mons"))
    assert response.context["form"].errors == {
        "time_zone": [
            "“Mars/Olympus_Mons” is not a known time zone. Choose one from the list, named by "
            "region and city, such as Europe/London or America/New_York."
        ]
    }
    assert Clinic.objects.get(pk=clinic_admin.clinic_id).time_zone == "Europe/London"

    with pytest.raises(ValidationError) as refused:
        clinic_settings_update(
            clinic=clinic_admin.clinic, updated_by=clinic_admin, time_zone="Mars/Olympus_Mons"
        )
    assert refused.value.message_dict == {
        "time_zone": [
            "“Mars/Olympus_Mons” is not a known time zone. Use a name such as Europe/London."
        ]
    }


NOT_A_PICTURE = "This file is not a picture we can use. Upload a JPEG, PNG or WebP image."


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("logo.png", b"Just some notes, not a picture.\n", "image/png"),
            NOT_A_PICTURE,
        ),
        (
            image_upload("logo.gif", image_format="GIF"),
            "This is a GIF picture. Upload a JPEG, PNG or WebP image instead.",
        ),
        (SimpleUploadedFile("logo.png", image_upload().read()[:60], "image/png"), NOT_A_PICTURE),
        (
            SimpleUploadedFile("big.png", b"\x89PNG" + b"\0" * (2 * 1024 * 1024), "image/png"),
            "A logo can be a JPEG, PNG or WebP image of at most 2 MB; this file is 2.1 MB. "
            "Save it smaller and upload it again.",
        ),
    ],
    ids=["text-renamed-png", "gif", "truncated-png", "too-large"],
)
def test_a_logo_that_is_not_a_small_jpeg_png_or_webp_is_refused(
    client, clinic_admin, upload, message
):
    client.force_login(clinic_admin)
    upload.seek(0)
    response = client.post(SETTINGS, settings_data(logo=upload))
    assert response.status_code == 200
    assert response.context["form"].errors == {"logo": [message]}
    assert 'value="Riverside Physio &amp; Rehab"' in response.text
    clinic = Clinic.objects.get(pk=clinic_admin.clinic_id)
    assert not clinic.logo
    assert clinic.name == "Riverside Physio"


def test_the_service_checks_the_logo_itself(clinic_admin):
    text = SimpleUploadedFile("logo.png", b"Just some notes.\n", "image/png")
    with pytest.raises(ValidationError) as refused:
        clinic_settings_update(
            clinic=clinic_admin.clinic, updated_by=clinic_admin, name="Renamed", logo=text
        )
    assert refused.value.message_dict == {"logo": [NOT_A_PICTURE]}
    assert Clinic.objects.get(pk=clinic_admin.clinic_id).name == "Riverside Physio"


@pytest.mark.parametrize("who", ["therapist", "other_admin"])
def test_only_the_clinics_own_admins_change_its_settings(request, clinic_admin, who):
    with pytest.raises(
        ValidationError, match=re.escape("Only the clinic's admins can change its settings.")
    ):
        clinic_settings_update(
            clinic=clinic_admin.clinic, updated_by=request.getfixturevalue(who), name="Taken"
        )
    assert Clinic.objects.get(pk=clinic_admin.clinic_id).name == "Riverside Physio"


def test_the_service_changes_only_what_it_knows(clinic_admin):
    with pytest.raises(TypeError, match=re.escape("cannot change slug")):
        clinic_settings_update(clinic=clinic_admin.clinic, updated_by=clinic_admin, slug="x")
