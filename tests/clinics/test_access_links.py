"""Getting in: invitations to set a password, and one-time sign-in links by email."""

import contextlib
import datetime
import re
import threading
from unittest import mock
from urllib.parse import urlparse

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from clinics import services as clinics_services
from clinics.models import AccessLink, AccessPurpose
from clinics.services import access_link_issue, access_link_redeem, access_token_hash
from outbox.models import OutboxMessage, Status
from outbox.services import message_deliver
from patients.services import patient_discharge, patient_invite, patient_update
from tests.clinics.factories import PASSWORD, PatientUserFactory
from tests.patients.factories import PatientFactory, PatientWithAccountFactory

GOOD_PASSWORD = "a quiet walk along the river"
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def invitee(therapist):
    """A patient of the owner persona with an email address but no sign-in yet."""
    return PatientFactory(
        primary_therapist=therapist, first_name="Nora", last_name="Nolan", email="nora@example.com"
    )


def invite_url(patient):
    return reverse("patients:patient-invite", args=[patient.pk])


def detail_url(patient):
    return reverse("insights:patient-detail", args=[patient.pk])


def link_path(message) -> str:
    """The path of the one link in an email, as a browser would open it."""
    (url,) = LINK.findall(message.body)
    return urlparse(url).path


def send_invitation(client, staff, patient) -> str:
    client.force_login(staff)
    response = client.post(invite_url(patient))
    assert response.status_code == 302
    client.logout()
    return link_path(mail.outbox[-1])


def set_password(client, path, password=GOOD_PASSWORD, **kwargs):
    return client.post(path, {"new_password1": password, "new_password2": password}, **kwargs)


def request_sign_in_link(client, email):
    return client.post(reverse("clinics:sign-in-link"), {"email": email})


def later(delta: datetime.timedelta):
    """Move the clock forward for code that reads django.utils.timezone.now()."""
    return mock.patch("django.utils.timezone.now", return_value=timezone.now() + delta)


# Inviting


def test_invitation_email_says_who_where_and_how_long_and_links_to_the_form(
    client, therapist, invitee
):
    client.force_login(therapist)
    response = client.post(invite_url(invitee), follow=True)

    assert response.redirect_chain == [(detail_url(invitee), 302)]
    assert "Invitation sent to nora@example.com." in response.text
    (message,) = mail.outbox
    assert message.to == ["nora@example.com"]
    assert "Tess Owner" in message.subject
    assert "Tess Owner at Riverside Physio" in message.body
    assert "works once and expires in 7 days" in message.body
    path = link_path(message)
    assert path.startswith("/welcome/")
    assert LINK.findall(message.body)[0].startswith("http://testserver/welcome/")
    invitee.refresh_from_db()
    assert invitee.user.email == "nora@example.com"
    assert invitee.user.is_patient
    assert not invitee.user.has_usable_password()


def test_a_colleague_in_the_same_clinic_can_invite(client, colleague, invitee):
    send_invitation(client, colleague, invitee)
    assert mail.outbox[0].to == [invitee.email]


def test_a_therapist_of_another_clinic_gets_404_and_nothing_is_sent(client, stranger, invitee):
    client.force_login(stranger)
    assert client.post(invite_url(invitee)).status_code == 404
    assert mail.outbox == []
    invitee.refresh_from_db()
    assert invitee.user is None
    assert not AccessLink.objects.exists()


def test_a_patient_with_another_clinics_address_is_answered_as_a_new_one_and_left_alone(
    client, therapist, invitee, stranger
):
    taken = PatientFactory(primary_therapist=therapist, email=stranger.email.upper())
    before = type(stranger).objects.filter(pk=stranger.pk).values().get()
    client.force_login(therapist)
    answers = [client.post(invite_url(patient), follow=True) for patient in (invitee, taken)]
    texts = [" ".join(str(message) for message in answer.context["messages"]) for answer in answers]

    assert texts[1] == texts[0].replace(invitee.email, taken.email)
    assert "Invitation sent to" in texts[1]
    assert "already" not in answers[1].text and stranger.clinic.name not in answers[1].text
    assert [message.to for message in mail.outbox] == [[invitee.email]]
    taken.refresh_from_db()
    assert taken.user is None
    assert type(stranger).objects.filter(pk=stranger.pk).values().get() == before
    assert not AccessLink.objects.filter(user=stranger).exists()


def test_a_patient_cannot_invite_anyone(client, patient, invitee):
    client.force_login(patient.user)
    assert client.post(invite_url(invitee)).status_code == 403
    assert mail.outbox == []


def test_inviting_by_get_is_refused(client, therapist, invitee):
    client.force_login(therapist)
    assert client.get(invite_url(invitee)).status_code == 405
    assert mail.outbox == []


def test_the_service_refuses_staff_of_another_clinic(stranger, invitee):
    with pytest.raises(ValidationError, match="Only staff of the patient's clinic"):
        patient_invite(patient=invitee, invited_by=stranger, base_url="http://testserver/")
    assert mail.outbox == []


def test_a_patient_without_email_gets_a_clear_message_and_no_account(client, therapist):
    patient = PatientFactory(primary_therapist=therapist, email="")
    client.force_login(therapist)

    response = client.post(invite_url(patient), follow=True)

    assert "Add the patient&#x27;s email address before inviting them." in response.text
    assert mail.outbox == []
    patient.refresh_from_db()
    assert patient.user is None


def test_a_changed_patient_email_is_reported_not_silently_ignored(client, therapist, patient):
    patient_update(patient=patient, updated_by=therapist, email="new.address@example.com")
    old_address = patient.user.email
    client.force_login(therapist)

    response = client.post(invite_url(patient), follow=True)

    assert "No invitation was sent" in response.text
    assert old_address in response.text
    assert mail.outbox == []


def test_a_discharged_patient_is_not_invited(client, therapist, invitee):
    patient_discharge(patient=invitee, discharged_by=therapist)
    client.force_login(therapist)

    response = client.post(invite_url(invitee), follow=True)

    assert "Reactivate this patient before inviting them." in response.text
    assert mail.outbox == []


def test_when_the_mail_server_fails_the_invitation_waits_and_is_retried(client, therapist, invitee):
    client.force_login(therapist)
    with mock.patch.object(EmailMultiAlternatives, "send", side_effect=ConnectionRefusedError):
        response = client.post(invite_url(invitee), follow=True)

    assert "Invitation sent to nora@example.com." in response.text
    invitee.refresh_from_db()
    waiting = OutboxMessage.objects.get(kind="invitation")
    assert waiting.recipient == invitee.user.email
    assert (waiting.status, waiting.attempts) == (Status.QUEUED, 1)
    assert "ConnectionRefusedError" in waiting.last_error
    assert mail.outbox == []
    with later(datetime.timedelta(minutes=1)):
        message_deliver(message_id=waiting.pk)
    (sent,) = mail.outbox
    assert sent.to == ["nora@example.com"]
    # Only the link in the email that went out works; the one made for the failed try
    # was replaced.
    assert AccessLink.objects.filter(revoked_at__isnull=True).count() == 1


def test_patient_page_offers_an_invitation_and_shows_the_sign_in_state(
    client, therapist, invitee, patient
):
    client.force_login(therapist)
    page = client.get(detail_url(invitee)).text
    assert "Invite to Rehabit" in page
    assert "No sign-in yet." in page

    page = client.get(detail_url(patient)).text
    assert "Send a new invitation" in page
    assert "has not signed in yet" in page

    client.force_login(patient.user)
    client.force_login(therapist)
    assert "last signed in" in client.get(detail_url(patient)).text


# Accepting an invitation


def test_opening_the_invitation_shows_the_form_without_using_the_link(client, therapist, invitee):
    path = send_invitation(client, therapist, invitee)

    for _ in range(2):
        response = client.get(path)
        assert response.status_code == 200
        assert "Welcome to Rehabit" in response.text
        assert 'value="nora@example.com"' in response.text
        assert "new_password1" in response.text
    assert "no-cache" in response.headers["Cache-Control"]
    assert AccessLink.objects.get().used_at is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        pytest.param("short pass", "at least 12 characters", id="short"),
        pytest.param("password1234", "too common", id="common"),
    ],
)
def test_a_weak_password_is_refused_and_the_link_still_works(
    client, therapist, invitee, password, message
):
    path = send_invitation(client, therapist, invitee)

    response = set_password(client, path, password)

    assert response.status_code == 200
    assert message in response.text
    assert SESSION_KEY not in client.session
    assert AccessLink.objects.get().used_at is None
    invitee.refresh_from_db()
    assert not invitee.user.has_usable_password()
    assert set_password(client, path).status_code == 302


def test_a_good_password_signs_the_patient_in_on_todays_routine(client, therapist, invitee):
    path = send_invitation(client, therapist, invitee)
    client.get(path)
    session_before = client.session.session_key

    response = set_password(client, path, follow=True)

    assert response.redirect_chain[-1][0] == reverse("patients:today")
    assert "Hello, Nora" in response.text
    invitee.refresh_from_db()
    assert client.session[SESSION_KEY] == str(invitee.user.pk)
    assert client.session.session_key != session_before
    assert invitee.user.check_password(GOOD_PASSWORD)
    assert invitee.user.last_login is not None
    assert AccessLink.objects.get().used_at is not None
    # and the password works on the ordinary sign-in page
    client.logout()
    client.post(reverse("clinics:login"), {"username": invitee.email, "password": GOOD_PASSWORD})
    assert client.session[SESSION_KEY] == str(invitee.user.pk)


def test_an_invitation_works_only_once(client, therapist, invitee):
    path = send_invitation(client, therapist, invitee)
    set_password(client, path)
    client.logout()

    shown = client.get(path)
    again = set_password(client, path, "someone else's password here")

    assert shown.status_code == again.status_code == 410
    assert "This invitation has already been used." in again.text
    assert SESSION_KEY not in client.session
    invitee.refresh_from_db()
    assert invitee.user.check_password(GOOD_PASSWORD)


def test_a_new_invitation_cancels_the_old_link(client, therapist, invitee):
    old = send_invitation(client, therapist, invitee)
    new = send_invitation(client, therapist, invitee)

    assert old != new
    response = set_password(client, old)
    assert response.status_code == 410
    assert "A newer invitation has been sent" in response.text
    assert set_password(client, new).status_code == 302


def test_an_invitation_expires_after_seven_days(client, therapist, invitee):
    path = send_invitation(client, therapist, invitee)

    with later(datetime.timedelta(days=7, minutes=-1)):
        assert client.get(path).status_code == 200
    with later(datetime.timedelta(days=7, seconds=1)):
        response = set_password(client, path)

    assert response.status_code == 410
    assert "This invitation has expired. Ask your therapist or clinic" in response.text
    assert SESSION_KEY not in client.session
    assert AccessLink.objects.get().used_at is None


def test_a_made_up_or_mangled_link_gets_a_friendly_page(client, therapist, invitee):
    path = send_invitation(client, therapist, invitee)

    for bad in ("/welcome/not-a-real-token/", path[:-5] + "/", "/welcome/" + "x" * 500 + "/"):
        response = client.get(bad)
        assert response.status_code == 410
        assert "This invitation link is not valid." in response.text
        assert reverse("clinics:sign-in-link") in response.text


def test_a_sign_in_link_is_not_an_invitation(client, patient):
    token = access_link_issue(user=patient.user, purpose=AccessPurpose.SIGN_IN)
    response = client.get(reverse("clinics:invitation-accept", args=[token]))
    assert response.status_code == 410
    assert "not valid" in response.text


def test_a_switched_off_account_cannot_use_its_invitation(client, therapist, invitee):
    path = send_invitation(client, therapist, invitee)
    invitee.refresh_from_db()
    invitee.user.is_active = False
    invitee.user.save()

    assert set_password(client, path).status_code == 410
    assert SESSION_KEY not in client.session


def test_tokens_are_stored_only_as_a_hash(client, therapist, invitee):
    path = send_invitation(client, therapist, invitee)
    token = path.rstrip("/").rsplit("/", 1)[-1]

    link = AccessLink.objects.get()
    assert len(token) >= 40
    assert link.token_hash == access_token_hash(token)
    stored = [str(value) for value in AccessLink.objects.values_list().get()]
    assert not any(token in value for value in stored)


def test_redeeming_is_refused_with_a_kind_message_and_marks_the_link_used(patient):
    token = access_link_issue(user=patient.user, purpose=AccessPurpose.INVITATION)
    assert access_link_redeem(token=token, purpose=AccessPurpose.INVITATION) == patient.user

    with pytest.raises(ValidationError) as refused:
        access_link_redeem(token=token, purpose=AccessPurpose.INVITATION)
    assert refused.value.code == "used"
    assert AccessLink.objects.get().used_at is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers, so nothing can race"
)
def test_two_racing_requests_with_one_link_let_only_one_in(therapist):
    user = PatientWithAccountFactory(primary_therapist=therapist).user
    token = access_link_issue(user=user, purpose=AccessPurpose.SIGN_IN)
    read_link = clinics_services._access_link_live
    # Each request waits after reading the link until the other has read it too. With the row
    # lock the second read blocks instead, the wait times out, and the first request finishes.
    both_read = threading.Barrier(2, timeout=1)
    signed_in, refused = [], []

    def read_then_wait(**kwargs):
        link = read_link(**kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()
        return link

    def redeem():
        try:
            signed_in.append(access_link_redeem(token=token, purpose=AccessPurpose.SIGN_IN))
        except ValidationError as error:
            refused.append(error.code)
        finally:
            connections.close_all()

    with mock.patch.object(clinics_services, "_access_link_live", read_then_wait):
        threads = [threading.Thread(target=redeem) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert signed_in == [user]
    assert refused == ["used"]


# Sign-in links


def test_the_sign_in_page_offers_an_email_link(client, db):
    page = client.get(reverse("clinics:login")).text
    assert "Email me a sign-in link instead" in page
    assert reverse("clinics:sign-in-link") in page


CSRF_VALUE = r'name="csrfmiddlewaretoken" value="[^"]+"'


def test_the_answer_is_the_same_whoever_asks_and_only_patients_get_mail(client, patient, therapist):
    # The language switch's CSRF token is masked afresh on every page: random, telling nothing.
    answers = [
        re.sub(
            r'name="csrfmiddlewaretoken" value="[^"]+"',
            "",
            request_sign_in_link(client, email).text,
        )
        for email in ("nobody@example.com", therapist.email, f"  {patient.email.upper()} ")
    ]

    assert answers[0] == answers[1] == answers[2]
    assert "If that address belongs to a patient account, we've emailed" in answers[0]
    assert "It works once, for 15 minutes." in answers[0]
    (message,) = mail.outbox
    assert message.to == [patient.user.email]
    assert "15 minutes" in message.body
    assert AccessLink.objects.get().user == patient.user


def test_no_link_for_a_switched_off_patient(client, clinic):
    user = PatientUserFactory(clinic=clinic, is_active=False)
    request_sign_in_link(client, user.email)
    assert mail.outbox == []


def test_a_bad_address_is_shown_as_a_form_error(client, db):
    response = request_sign_in_link(client, "not an address")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.text


def test_opening_a_sign_in_link_does_not_use_it(client, patient):
    request_sign_in_link(client, patient.email)
    path = link_path(mail.outbox[0])

    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200
        assert "Sign me in" in response.text
    assert SESSION_KEY not in client.session
    assert AccessLink.objects.get().used_at is None


def test_a_sign_in_link_signs_the_patient_in_once(client, patient):
    request_sign_in_link(client, patient.email)
    path = link_path(mail.outbox[0])

    response = client.post(path, follow=True)

    assert response.redirect_chain[-1][0] == reverse("patients:today")
    assert client.session[SESSION_KEY] == str(patient.user.pk)
    client.logout()
    again = client.post(path)
    assert again.status_code == 410
    assert "already been used or has expired. Ask for a new one." in again.text
    assert SESSION_KEY not in client.session
    patient.user.refresh_from_db()
    assert patient.user.check_password(PASSWORD)


def test_a_sign_in_link_expires_after_fifteen_minutes(client, patient):
    request_sign_in_link(client, patient.email)
    path = link_path(mail.outbox[0])

    with later(datetime.timedelta(minutes=15, seconds=1)):
        response = client.post(path)

    assert response.status_code == 410
    assert "has expired" in response.text
    assert SESSION_KEY not in client.session
    with later(datetime.timedelta(minutes=14)):
        assert client.post(path).status_code == 302


def test_asking_again_cancels_the_earlier_sign_in_link(client, patient):
    request_sign_in_link(client, patient.email)
    request_sign_in_link(client, patient.email)
    first, second = (link_path(message) for message in mail.outbox)

    assert client.post(first).status_code == 410
    assert client.post(second).status_code == 302


def test_an_invitation_is_not_a_sign_in_link(client, patient):
    token = access_link_issue(user=patient.user, purpose=AccessPurpose.INVITATION)
    response = client.post(reverse("clinics:sign-in-link-use", args=[token]))
    assert response.status_code == 410
    assert SESSION_KEY not in client.session


def test_the_page_does_the_same_work_whoever_asks_and_the_worker_finds_out_who(
    client, patient, settings, django_assert_max_num_queries
):
    # With the worker held back, the request alone: it records the ask and hands it on, the
    # same for a stranger as for a patient, so the answer takes the same time.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    work = []
    for email in ("nobody@example.com", patient.email):
        with django_assert_max_num_queries(20) as queries:
            request_sign_in_link(client, email)
        work.append(
            [
                re.sub(r'"s\d+_x\d+"|\d+|\'[^\']*\'', "?", query["sql"])
                for query in queries.captured_queries
            ]
        )
    assert work[0] == work[1]
    assert mail.outbox == []


def test_asking_too_often_for_one_address_is_refused_with_what_to_do(client, patient):
    for _ in range(clinics_services.SIGN_IN_LINKS_PER_EMAIL):
        request_sign_in_link(client, patient.email)
    response = request_sign_in_link(client, patient.email.upper())
    assert response.status_code == 200
    assert "Sign-in links were asked for several times in the last 15 minutes." in response.text
    assert f'value="{patient.email.upper()}"' in response.text
    assert len(mail.outbox) == clinics_services.SIGN_IN_LINKS_PER_EMAIL
    with later(clinics_services.SIGN_IN_LINK_WINDOW + datetime.timedelta(seconds=1)):
        assert "we've emailed" in request_sign_in_link(client, patient.email).text


def test_one_computer_asking_for_many_addresses_is_refused(client, db):
    for number in range(clinics_services.SIGN_IN_LINKS_PER_ADDRESS):
        request_sign_in_link(client, f"guess{number}@example.com")
    response = request_sign_in_link(client, "one-more@example.com")
    assert "Sign-in links were asked for several times" in response.text
    other_computer = type(client)(REMOTE_ADDR="198.51.100.7")
    assert "we've emailed" in request_sign_in_link(other_computer, "one-more@example.com").text
