"""Invitations printed on a handout: a short code at /j/<code>, typed from paper or scanned."""

import datetime
import re
from unittest import mock

import pytest
from axes.models import AccessFailureLog
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.db.models import F
from django.urls import reverse

from clinics.models import AccessLink, AccessPurpose, AuditAction, AuditEvent, User
from clinics.services import (
    INVITATION_CODE_ALPHABET,
    INVITATION_CODE_LENGTH,
    access_link_issue,
    access_token_hash,
    invitation_code_issue,
)
from clinics.throttling import INVITATION_CODE_FAILURE_LIMIT
from lib.logs import mask_secrets
from patients.services import patient_invitation_code_issue
from tests.clinics.test_access_links import (
    GOOD_PASSWORD,
    later,
    send_invitation,
    set_password,
)
from tests.patients.factories import PatientFactory


@pytest.fixture
def invitee(therapist):
    return PatientFactory(
        primary_therapist=therapist, first_name="Nora", last_name="Nolan", email="nora@example.com"
    )


def code_path(code: str) -> str:
    return reverse("clinics:invitation-code", args=[code])


def printed_code(invitee, therapist) -> str:
    code = patient_invitation_code_issue(patient=invitee, invited_by=therapist)
    assert code is not None
    return code


def test_a_code_is_ten_unambiguous_characters_and_its_address_is_short(invitee, therapist):
    code = printed_code(invitee, therapist)

    assert len(code) == INVITATION_CODE_LENGTH
    assert set(code) <= set(INVITATION_CODE_ALPHABET)
    assert not set("01ILO") & set(INVITATION_CODE_ALPHABET)
    assert code_path(code) == f"/j/{code}"


def test_a_code_is_stored_only_as_a_hash(invitee, therapist):
    code = printed_code(invitee, therapist)

    (link,) = AccessLink.objects.all()
    assert link.purpose == AccessPurpose.INVITATION
    assert code not in link.token_hash
    assert link.token_hash != access_token_hash(code)  # not usable as an emailed link's token
    assert link.created_by == therapist


def test_the_short_address_opens_the_set_up_page_and_works_once(client, invitee, therapist):
    code = printed_code(invitee, therapist)

    shown = client.get(code_path(code))
    assert shown.status_code == 200
    assert "Choose a password to finish setting up your sign-in." in shown.text
    assert AccessLink.objects.get().used_at is None

    done = set_password(client, code_path(code))
    assert done.status_code == 302 and done.url == reverse("clinics:home")
    invitee.refresh_from_db()
    assert client.session[SESSION_KEY] == str(invitee.user.pk)
    assert invitee.user.check_password(GOOD_PASSWORD)

    client.logout()
    again = set_password(client, code_path(code), "someone else's password here")
    assert again.status_code == 410
    assert "This invitation has already been used." in again.text
    invitee.user.refresh_from_db()
    assert invitee.user.check_password(GOOD_PASSWORD)


def test_a_code_typed_in_lower_case_or_with_spaces_and_a_trailing_slash_still_works(
    client, invitee, therapist
):
    code = printed_code(invitee, therapist)
    typed = f"{code[:5].lower()}-{code[5:].lower()}"

    assert client.get(f"/j/{typed}").status_code == 200
    assert client.get(f"/j/{code}/").status_code == 200


def test_a_code_lasts_seven_days(client, invitee, therapist):
    code = printed_code(invitee, therapist)

    with later(datetime.timedelta(days=7, minutes=-1)):
        assert client.get(code_path(code)).status_code == 200
    with later(datetime.timedelta(days=7, seconds=1)):
        response = set_password(client, code_path(code))
    assert response.status_code == 410
    assert "This invitation has expired." in response.text
    assert AccessLink.objects.get().used_at is None


def test_a_printed_code_is_replaced_by_a_newer_email_and_the_other_way_round(
    client, invitee, therapist
):
    code = printed_code(invitee, therapist)
    emailed = send_invitation(client, therapist, invitee)

    replaced = client.get(code_path(code))
    assert replaced.status_code == 410
    assert "A newer invitation has been sent or printed since this one." in replaced.text

    newer_code = printed_code(invitee, therapist)
    assert set_password(client, emailed).status_code == 410
    assert client.get(code_path(code)).status_code == 410
    assert set_password(client, code_path(newer_code)).status_code == 302
    assert AccessLink.objects.filter(used_at__isnull=True, revoked_at__isnull=True).count() == 0


def test_a_newer_printed_code_replaces_the_older_one(client, invitee, therapist):
    first = printed_code(invitee, therapist)
    second = printed_code(invitee, therapist)

    assert first != second
    assert client.get(code_path(first)).status_code == 410
    assert client.get(code_path(second)).status_code == 200


def test_a_code_is_not_accepted_as_an_emailed_link_nor_a_link_as_a_code(client, invitee, therapist):
    code = printed_code(invitee, therapist)
    assert client.get(reverse("clinics:invitation-accept", args=[code])).status_code == 410

    invitee.refresh_from_db()
    token = access_link_issue(user=invitee.user, purpose=AccessPurpose.INVITATION)
    assert client.get(f"/j/{token}").status_code == 410


def test_a_wrong_code_says_to_check_the_handout_and_is_counted(client, invitee, therapist):
    printed_code(invitee, therapist)

    response = client.get("/j/ABCDEFGHJK", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 410
    assert "Check it against the handout" in response.text
    (failure,) = AccessFailureLog.objects.all()
    assert failure.ip_address == "203.0.113.9"
    assert "ABCDEFGHJK" not in failure.path_info


def test_guessing_codes_is_stopped_per_address_even_for_the_right_code(client, invitee, therapist):
    code = printed_code(invitee, therapist)
    for n in range(INVITATION_CODE_FAILURE_LIMIT):
        guess = f"ABCDEFG{INVITATION_CODE_ALPHABET[n]}{INVITATION_CODE_ALPHABET[n]}2"
        assert client.get(f"/j/{guess}", REMOTE_ADDR="203.0.113.9").status_code == 410

    blocked = client.get(code_path(code), REMOTE_ADDR="203.0.113.9")
    refused = set_password(client, code_path(code), REMOTE_ADDR="203.0.113.9")
    assert blocked.status_code == refused.status_code == 429
    assert "Too many wrong codes" in blocked.text
    assert AccessLink.objects.get().used_at is None
    # Another address is not held up, and an hour later this one may try again.
    assert client.get(code_path(code), REMOTE_ADDR="198.51.100.7").status_code == 200
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(hours=1))
    assert client.get(code_path(code), REMOTE_ADDR="203.0.113.9").status_code == 200


def test_used_replaced_or_expired_codes_are_not_counted_as_guesses(client, invitee, therapist):
    first = printed_code(invitee, therapist)
    printed_code(invitee, therapist)

    assert client.get(code_path(first)).status_code == 410
    assert not AccessFailureLog.objects.exists()


def test_a_patient_who_already_signs_in_gets_no_code(patient, therapist):
    assert patient_invitation_code_issue(patient=patient, invited_by=therapist) is None
    assert not AccessLink.objects.exists()


def test_codes_never_reach_the_logs_nor_an_email(client, invitee, therapist):
    code = printed_code(invitee, therapist)

    assert code not in mask_secrets(f"GET /j/{code} HTTP/1.1")
    assert mail.outbox == []


def test_codes_are_drawn_at_random_from_the_alphabet(invitee, therapist):
    printed_code(invitee, therapist)
    invitee.refresh_from_db()

    codes = {invitation_code_issue(user=invitee.user) for _ in range(20)}

    assert len(codes) == 20
    assert all(re.fullmatch(f"[{INVITATION_CODE_ALPHABET}]{{10}}", code) for code in codes)
    assert AccessLink.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_code_that_fails_to_be_made_leaves_no_account_and_no_audit_row(invitee, therapist):
    with (
        mock.patch("patients.services.invitation_code_issue", side_effect=RuntimeError),
        pytest.raises(RuntimeError),
    ):
        patient_invitation_code_issue(patient=invitee, invited_by=therapist)

    invitee.refresh_from_db()
    assert invitee.user is None
    assert not User.objects.filter(email=invitee.email).exists()
    assert not AccessLink.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PATIENT_INVITED).exists()


def test_a_weak_password_leaves_the_code_unused(client, invitee, therapist):
    code = printed_code(invitee, therapist)

    refused = set_password(client, code_path(code), "short")

    assert refused.status_code == 200 and "This password is too short." in refused.text
    assert AccessLink.objects.get().used_at is None
    assert set_password(client, code_path(code)).status_code == 302
