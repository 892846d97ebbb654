import datetime

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.db.models import F
from django.urls import reverse

from tests.clinics.factories import PASSWORD, TherapistFactory


def attempt(client, email, password, address="203.0.113.7"):
    return client.post(
        reverse("clinics:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
    )


def test_five_wrong_passwords_lock_the_account_even_with_the_right_one(client, therapist):
    for _ in range(4):
        response = attempt(client, therapist.email, "wrong-password-guess")
        assert response.status_code == 200 and "do not match an account" in response.text
    assert attempt(client, therapist.email, "wrong-password-guess").status_code == 429
    locked = attempt(client, therapist.email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.text
    assert "_auth_user_id" not in client.session


def test_the_lock_follows_the_account_across_addresses_and_case(client, therapist):
    for number in range(5):
        attempt(client, therapist.email.upper(), "guess", address=f"198.51.100.{number}")
    assert attempt(client, therapist.email, PASSWORD, address="192.0.2.50").status_code == 429


def test_one_address_guessing_many_accounts_is_locked_out(client, clinic):
    accounts = TherapistFactory.create_batch(6, clinic=clinic)
    for account in accounts[:5]:
        attempt(client, account.email, "guess", address="203.0.113.99")
    assert attempt(client, accounts[5].email, PASSWORD, address="203.0.113.99").status_code == 429
    assert attempt(client, accounts[5].email, PASSWORD, address="203.0.113.100").status_code == 302


def test_the_lock_lifts_after_the_cool_down(client, therapist):
    for _ in range(5):
        attempt(client, therapist.email, "guess")
    assert attempt(client, therapist.email, PASSWORD).status_code == 429
    # Sixteen minutes pass: the failures are now older than the 15-minute cool-down.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=16))
    assert attempt(client, therapist.email, PASSWORD).status_code == 302


def test_an_admin_can_unlock_at_once(client, therapist):
    for _ in range(5):
        attempt(client, therapist.email, "guess")
    assert attempt(client, therapist.email, PASSWORD).status_code == 429
    axes_reset(username=therapist.email)
    assert attempt(client, therapist.email, PASSWORD).status_code == 302


def test_a_success_clears_earlier_failures(client, therapist):
    for _ in range(4):
        attempt(client, therapist.email, "guess")
    assert attempt(client, therapist.email, PASSWORD).status_code == 302
    client.post(reverse("clinics:logout"))
    for _ in range(4):
        attempt(client, therapist.email, "guess")
    assert attempt(client, therapist.email, PASSWORD).status_code == 302


def test_behind_a_proxy_each_client_address_is_throttled_on_its_own(client, clinic, settings):
    """Behind nginx every request comes from 127.0.0.1; the address that counts is the one the
    proxy put in X-Forwarded-For, so one guesser does not lock out everyone else."""
    settings.REHABIT_TRUSTED_PROXY_COUNT = 1
    accounts = TherapistFactory.create_batch(6, clinic=clinic)

    def through_proxy(email, password, address):
        return client.post(
            reverse("clinics:login"),
            {"username": email, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=address,
        )

    for account in accounts[:5]:
        through_proxy(account.email, "guess", "203.0.113.99")
    assert through_proxy(accounts[5].email, PASSWORD, "203.0.113.99").status_code == 429
    assert through_proxy(accounts[5].email, PASSWORD, "198.51.100.4").status_code == 302
    assert AccessAttempt.objects.filter(ip_address="203.0.113.99").exists()
