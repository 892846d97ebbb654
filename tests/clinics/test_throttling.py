"""Sign-in throttling (clinics/throttling.py): 10 failures per account per 15 minutes, a
ceiling of 100 per address per hour, and an emailed unlock link the owner can always use."""

import datetime
import re
from unittest import mock
from urllib.parse import urlparse

from axes.models import AccessAttempt, AccessFailureLog
from axes.utils import reset as axes_reset
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinics.models import AccessLink, AccessPurpose, AuditAction, AuditEvent
from tests.clinics.factories import (
    PASSWORD,
    PatientUserFactory,
    TherapistFactory,
    two_factor_code,
    two_factor_turn_on,
)
from tests.clinics.test_access_links import CSRF_VALUE
from tests.conftest import CommittingClient

ADDRESS = "203.0.113.7"
LINK = re.compile(r"https?://\S+")


def attempt(client, email, password, address=ADDRESS):
    return client.post(
        reverse("clinics:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
    )


def sign_out(client):
    client.post(reverse("clinics:logout"))


def fail(client, email, times, address=ADDRESS):
    for _ in range(times):
        attempt(client, email, "wrong-password-guess", address=address)


def ask_for_unlock_link(client, email, address=ADDRESS):
    return client.post(reverse("clinics:unlock-link"), {"email": email}, REMOTE_ADDR=address)


def unlock_path() -> str:
    (url,) = LINK.findall(mail.outbox[-1].body)
    return urlparse(url).path


def age_failures(minutes: int) -> None:
    delta = datetime.timedelta(minutes=minutes)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - delta)


# Per account


def test_ten_wrong_passwords_lock_the_account_even_with_the_right_one(client, therapist):
    for _ in range(9):
        response = attempt(client, therapist.email, "wrong-password-guess")
        assert response.status_code == 200 and "do not match an account" in response.text
    assert attempt(client, therapist.email, "wrong-password-guess").status_code == 429
    locked = attempt(client, therapist.email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.text
    assert SESSION_KEY not in client.session


def test_the_lock_follows_the_account_across_addresses_and_case(client, therapist):
    for number in range(10):
        attempt(client, therapist.email.upper(), "guess", address=f"198.51.100.{number}")
    assert attempt(client, therapist.email, PASSWORD, address="192.0.2.50").status_code == 429


def test_signing_in_to_ones_own_account_buys_no_more_guesses_at_anothers(client, clinic):
    """The attack that beat the old settings: four guesses at the victim, one sign-in to the
    attacker's own account from the same address, over and over."""
    victim, attacker = TherapistFactory.create_batch(2, clinic=clinic)
    guesses = 0
    while guesses < 10:
        for _ in range(min(4, 10 - guesses)):
            assert attempt(client, victim.email, "guess").status_code in (200, 429)
            guesses += 1
        assert attempt(client, attacker.email, PASSWORD).status_code == 302
        sign_out(client)
    assert attempt(client, victim.email, PASSWORD).status_code == 429
    assert attempt(client, attacker.email, PASSWORD).status_code == 302


def test_a_success_clears_only_that_accounts_failures(client, therapist, colleague):
    fail(client, therapist.email, 9)
    fail(client, colleague.email, 5)
    assert attempt(client, therapist.email, PASSWORD).status_code == 302
    sign_out(client)
    assert not AccessAttempt.objects.filter(username=therapist.email).exists()
    assert AccessAttempt.objects.get(username=colleague.email).failures_since_start == 5


def test_one_persons_typos_on_a_shared_network_do_not_lock_out_the_others(
    client, therapist, colleague
):
    fail(client, therapist.email, 12)
    assert attempt(client, therapist.email, PASSWORD).status_code == 429
    assert attempt(client, colleague.email, PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_down(client, therapist):
    fail(client, therapist.email, 10)
    assert attempt(client, therapist.email, PASSWORD).status_code == 429
    age_failures(16)
    assert attempt(client, therapist.email, PASSWORD).status_code == 302


def test_an_admin_can_unlock_at_once(client, therapist):
    fail(client, therapist.email, 10)
    assert attempt(client, therapist.email, PASSWORD).status_code == 429
    axes_reset(username=therapist.email)
    assert attempt(client, therapist.email, PASSWORD).status_code == 302


# Per address


def test_an_address_spraying_guesses_across_accounts_stops_at_a_hundred(client, clinic):
    """Five guesses each at twenty accounts, never enough to lock one, with sign-ins to an
    account of the sprayer's own in between: the address is stopped, other addresses are not."""
    own = TherapistFactory(clinic=clinic)
    targets = TherapistFactory.create_batch(21, clinic=clinic)
    for target in targets[:20]:
        assert attempt(client, own.email, PASSWORD).status_code == 302
        sign_out(client)
        fail(client, target.email, 5)
    assert attempt(client, targets[20].email, PASSWORD).status_code == 429
    assert attempt(client, own.email, PASSWORD).status_code == 429
    assert attempt(client, targets[20].email, PASSWORD, address="198.51.100.4").status_code == 302


def test_the_address_ceiling_counts_the_last_hour(client, clinic):
    targets = TherapistFactory.create_batch(21, clinic=clinic)
    for target in targets[:20]:
        fail(client, target.email, 5)
    age_failures(30)
    assert attempt(client, targets[20].email, PASSWORD).status_code == 429
    age_failures(31)
    assert attempt(client, targets[20].email, PASSWORD).status_code == 302
    # Failures over an hour old are dropped as the next one is logged: the refused attempt of
    # half an hour ago and the new one are left.
    sign_out(client)
    fail(client, targets[0].email, 1)
    assert AccessFailureLog.objects.count() == 2


def test_behind_a_proxy_each_client_address_is_throttled_on_its_own(client, clinic, settings):
    """Behind nginx every request comes from 127.0.0.1; the address that counts is the one the
    proxy put in X-Forwarded-For, so one guesser does not lock out everyone else."""
    settings.REHABIT_TRUSTED_PROXY_COUNT = 1
    targets = TherapistFactory.create_batch(21, clinic=clinic)

    def through_proxy(email, password, address):
        return client.post(
            reverse("clinics:login"),
            {"username": email, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=address,
        )

    for target in targets[:20]:
        for _ in range(5):
            through_proxy(target.email, "guess", "203.0.113.99")
    assert through_proxy(targets[20].email, PASSWORD, "203.0.113.99").status_code == 429
    assert through_proxy(targets[20].email, PASSWORD, "198.51.100.4").status_code == 302
    assert AccessAttempt.objects.filter(ip_address="203.0.113.99").exists()


# The unlock link


def test_the_lockout_page_offers_an_unlock_link_for_the_account_typed(client, therapist):
    fail(client, therapist.email, 10)
    page = attempt(client, therapist.email, PASSWORD).text
    assert "Email me an unlock link" in page
    assert f'value="{therapist.email}"' in page
    assert reverse("clinics:unlock-link") in page


def test_asking_for_an_unlock_link_answers_alike_and_mails_only_real_accounts(
    client, therapist, clinic
):
    patient = PatientUserFactory(clinic=clinic)
    answers = [
        # The language switch's CSRF token is masked afresh on every page: random, telling
        # nothing.
        re.sub(
            CSRF_VALUE, "", ask_for_unlock_link(client, email, address=f"198.51.100.{number}").text
        )
        for number, email in enumerate(
            ("nobody@example.com", therapist.email.upper(), patient.email)
        )
    ]
    assert answers[0] == answers[1] == answers[2]
    assert "If that address belongs to an account" in answers[0]
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [therapist.email, patient.email]
    )
    body = mail.outbox[0].body
    assert "15 minutes" in body and "password" in body


def test_an_owner_locked_out_from_rotating_addresses_gets_back_in_with_the_link(client, therapist):
    attacker = Client()
    for number in range(30):
        attempt(attacker, therapist.email, "guess", address=f"198.51.100.{number}")
    assert attempt(client, therapist.email, PASSWORD).status_code == 429

    ask_for_unlock_link(client, therapist.email)
    path = unlock_path()
    assert client.get(path).status_code == 200
    assert AccessLink.objects.get(purpose=AccessPurpose.UNLOCK).used_at is None
    response = client.post(path)
    assert response.status_code == 302 and response.url == reverse("clinics:login")
    page = client.get(reverse("clinics:login")).text
    assert "unlocked on this browser" in page and f'value="{therapist.email}"' in page

    # The attacker keeps guessing, and is still refused without the password being checked.
    assert attempt(attacker, therapist.email, PASSWORD, address="198.51.100.99").status_code == 429
    assert attempt(client, therapist.email, "one typo").status_code == 200
    response = attempt(client, therapist.email, PASSWORD)
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(therapist.pk)
    assert AuditEvent.objects.filter(action=AuditAction.ACCOUNT_UNLOCKED, actor=therapist).exists()


def test_the_unlock_link_lets_the_owner_past_the_address_ceiling_too(client, clinic, therapist):
    for target in TherapistFactory.create_batch(20, clinic=clinic):
        fail(Client(), target.email, 5)
    assert attempt(client, therapist.email, PASSWORD).status_code == 429
    ask_for_unlock_link(client, therapist.email)
    client.post(unlock_path())
    assert attempt(client, therapist.email, PASSWORD).status_code == 302


def test_the_unlock_link_works_once(client, therapist):
    fail(Client(), therapist.email, 10, address="198.51.100.1")
    ask_for_unlock_link(client, therapist.email)
    path = unlock_path()
    assert client.post(path).status_code == 302

    other_browser = CommittingClient()
    again = other_browser.post(path)
    assert again.status_code == 410
    assert "already been used or has expired" in again.text
    assert attempt(other_browser, therapist.email, PASSWORD).status_code == 429


def test_the_unlock_link_expires_after_fifteen_minutes(client, therapist):
    fail(Client(), therapist.email, 10, address="198.51.100.1")
    ask_for_unlock_link(client, therapist.email)
    path = unlock_path()
    later = timezone.now() + datetime.timedelta(minutes=16)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.post(path)
    assert response.status_code == 410
    assert attempt(client, therapist.email, PASSWORD).status_code == 429


def test_the_unlock_lasts_fifteen_minutes_in_that_browser(client, therapist):
    fail(Client(), therapist.email, 10, address="198.51.100.1")
    ask_for_unlock_link(client, therapist.email)
    client.post(unlock_path())
    with mock.patch("time.time", return_value=timezone.now().timestamp() + 16 * 60):
        assert attempt(client, therapist.email, PASSWORD).status_code == 429


def test_after_the_unlock_link_staff_still_give_their_code(client, therapist):
    device = two_factor_turn_on(therapist).device
    attacker = Client()
    for number in range(10):
        attempt(attacker, therapist.email, "guess", address=f"198.51.100.{number}")
    ask_for_unlock_link(client, therapist.email)
    client.post(unlock_path())

    response = attempt(client, therapist.email, PASSWORD)
    assert response.status_code == 302 and response.url == reverse("clinics:sign-in-code")
    assert SESSION_KEY not in client.session
    response = client.post(
        reverse("clinics:sign-in-code"), {"code": two_factor_code(device)}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(therapist.pk)
