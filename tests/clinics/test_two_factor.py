import base64
import re
import time
from unittest import mock
from urllib.parse import urlparse

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_login_failed
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinics.middleware import TWO_FACTOR_SETUP_SESSION_KEY
from clinics.models import User
from clinics.selectors import two_factor_device
from clinics.services import (
    recovery_code_display,
    recovery_code_hash,
    two_factor_disable,
    two_factor_key_from_text,
    two_factor_reset,
    two_factor_setup_url,
    user_invite,
)
from clinics.views.sign_in import PENDING_SIGN_IN_SECONDS
from devdata.demo import (
    DEMO_ADMIN_EMAIL,
    DEMO_PASSWORD,
    DEMO_RECOVERY_CODES,
    DEMO_TWO_FACTOR_KEY,
    demo_seed,
)
from tests.clinics.factories import (
    PASSWORD,
    ClinicAdminFactory,
    TherapistFactory,
    two_factor_code,
    two_factor_turn_on,
)
from tests.qr import assert_page_draws_qr_code_of

LOGIN = reverse("clinics:login")
CODE = reverse("clinics:sign-in-code")
SETUP = reverse("clinics:two-factor-setup")
TWO_FACTOR = reverse("clinics:two-factor")
RECOVERY_CODES = reverse("clinics:two-factor-recovery-codes")
CASELOAD = reverse("insights:caseload")
LIBRARY = reverse("exercises:library")
STAFF_LIST = reverse("console:staff-list")


def password_step(client, user, password=PASSWORD, **data):
    return client.post(LOGIN, {"username": user.email, "password": password, **data})


def code_step(client, code):
    return client.post(CODE, {"code": code})


def signed_in_as(client):
    return client.session.get(SESSION_KEY)


@pytest.fixture
def therapist_with_app(therapist):
    setup = two_factor_turn_on(therapist)
    therapist.recovery_codes = setup.recovery_codes
    return therapist


# Signing in


def test_the_password_alone_does_not_sign_in_someone_with_an_app(client, therapist_with_app):
    client.get(LOGIN)
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None

    response = password_step(client, therapist_with_app)

    assert response.status_code == 302 and response.url == CODE
    assert signed_in_as(client) is None
    assert client.get(CASELOAD).url.startswith(LOGIN)
    page = client.get(CODE)
    assert "Enter the 6-digit code" in page.text
    assert therapist_with_app.email in page.text
    pending_key = client.session.session_key

    response = code_step(client, two_factor_code(two_factor_device(user=therapist_with_app)))

    assert response.status_code == 302 and response.url == reverse("clinics:home")
    assert int(signed_in_as(client)) == therapist_with_app.pk
    # A new session at sign-in, and it remembers the app that verified it.
    assert client.session.session_key not in (before, pending_key)
    device = two_factor_device(user=therapist_with_app)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert "signed_in_at" in client.session
    assert client.get(CASELOAD).status_code == 200


def test_the_code_step_keeps_where_the_person_was_going(client, therapist_with_app):
    target = reverse("insights:caseload") + "?scope=all"
    password_step(client, therapist_with_app, next=target)
    response = code_step(client, two_factor_code(two_factor_device(user=therapist_with_app)))
    assert response.url == target


def test_another_sites_address_as_next_is_ignored(client, therapist_with_app):
    password_step(client, therapist_with_app, next="https://evil.example/")
    response = code_step(client, two_factor_code(two_factor_device(user=therapist_with_app)))
    assert response.url == reverse("clinics:home")


def test_the_session_is_verified_by_the_app(client, therapist_with_app):
    password_step(client, therapist_with_app)
    code_step(client, two_factor_code(two_factor_device(user=therapist_with_app)))
    response = client.get(CASELOAD)
    assert response.wsgi_request.user.is_verified()


def test_someone_without_an_app_signs_in_with_the_password_alone(client, therapist):
    response = password_step(client, therapist)
    assert response.url == reverse("clinics:home")
    assert int(signed_in_as(client)) == therapist.pk


def test_a_wrong_code_is_refused_clearly_and_counted_as_a_failed_sign_in(
    client, therapist_with_app
):
    failures = []

    def record(sender, credentials, request=None, **kwargs):
        failures.append((credentials, request))

    user_login_failed.connect(record)
    try:
        password_step(client, therapist_with_app)
        response = code_step(client, "000000")
    finally:
        user_login_failed.disconnect(record)

    assert response.status_code == 200
    assert "That code does not work." in response.text
    assert 'value="000000"' not in response.text
    assert signed_in_as(client) is None
    assert [credentials for credentials, _request in failures] == [
        {"username": therapist_with_app.email}
    ]
    assert failures[0][1] is not None


def test_a_code_that_is_not_a_code_says_what_is_allowed(client, therapist_with_app):
    password_step(client, therapist_with_app)
    response = code_step(client, "12 34")
    assert "A code from the app is 6 digits, such as 123456" in response.text
    assert code_step(client, "").text.count("Enter the 6-digit code from your authenticator") == 1


def test_ten_wrong_codes_lock_the_account_out(client, therapist_with_app):
    password_step(client, therapist_with_app)
    assert "That code does not work." in code_step(client, "000000").text
    # Straight after a wrong code the app's codes are not even compared for a moment
    # (django-otp's own throttling); that try counts as a failure all the same.
    assert "Too many wrong codes in a row: wait" in code_step(client, "000000").text
    for _ in range(7):
        assert code_step(client, "000000").status_code == 200
    locked = code_step(client, "000000")
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.text
    # The half-finished sign-in is gone, and the right password and code do not help now.
    assert client.get(CODE).url == LOGIN
    assert password_step(client, therapist_with_app).status_code == 429
    assert signed_in_as(client) is None


def test_wrong_passwords_and_wrong_codes_add_up(client, therapist_with_app):
    for _ in range(8):
        password_step(client, therapist_with_app, password="not-the-password")
    password_step(client, therapist_with_app)
    code_step(client, "000000")
    assert code_step(client, "000000").status_code == 429


def test_a_locked_out_account_is_refused_at_the_code_step_too(client, therapist_with_app):
    password_step(client, therapist_with_app)
    # Someone elsewhere guesses the password meanwhile: the lock is on the account.
    lock_out(Client(), therapist_with_app)
    response = code_step(client, two_factor_code(two_factor_device(user=therapist_with_app)))
    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_a_recovery_code_signs_in_once(client, therapist_with_app):
    code = therapist_with_app.recovery_codes[0]
    password_step(client, therapist_with_app)
    # Typed as printed, in capitals, with a stray space.
    response = client.post(CODE, {"code": f" {recovery_code_display(code).upper()} "}, follow=True)
    assert int(signed_in_as(client)) == therapist_with_app.pk
    assert "You signed in with a recovery code" in response.text
    assert "9 recovery codes are left" in response.text
    client.post(reverse("clinics:logout"))

    password_step(client, therapist_with_app)
    response = code_step(client, code)
    assert "That recovery code does not work" in response.text
    assert signed_in_as(client) is None


def test_the_database_holds_no_recovery_code_as_typed(therapist_with_app, clinic):
    admin = ClinicAdminFactory(clinic=clinic)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 20
    for code in therapist_with_app.recovery_codes:
        assert code not in stored and recovery_code_display(code) not in stored
        assert recovery_code_hash(code) in stored
    assert all(len(token) == 16 for token in stored)
    assert admin.pk


def test_recovery_codes_made_under_an_earlier_secret_key_still_work(
    client, therapist_with_app, settings
):
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key]
    password_step(client, therapist_with_app)
    code_step(client, therapist_with_app.recovery_codes[3])
    assert int(signed_in_as(client)) == therapist_with_app.pk


def test_the_code_step_expires_after_five_minutes(client, therapist_with_app):
    password_step(client, therapist_with_app)
    later = time.time() + PENDING_SIGN_IN_SECONDS + 1
    with mock.patch("clinics.views.sign_in.time.time", return_value=later):
        response = client.post(
            CODE, {"code": two_factor_code(two_factor_device(user=therapist_with_app))}, follow=True
        )
    assert response.redirect_chain[-1][0] == LOGIN
    assert "More than 5 minutes passed" in response.text
    assert signed_in_as(client) is None
    assert client.get(CODE).url == LOGIN


def test_the_code_page_without_a_password_first_goes_to_sign_in(client, db):
    assert client.get(CODE).url == LOGIN


def test_an_account_deactivated_meanwhile_cannot_finish(client, therapist_with_app):
    password_step(client, therapist_with_app)
    therapist_with_app.is_active = False
    therapist_with_app.save(update_fields=["is_active"])
    response = code_step(client, two_factor_code(two_factor_device(user=therapist_with_app)))
    assert response.url == LOGIN
    assert signed_in_as(client) is None


def test_accepting_an_invitation_asks_for_the_code_too(
    client, clinic_admin, therapist_with_app, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user_invite(user=therapist_with_app, invited_by=clinic_admin, base_url="http://testserver/")
    (link,) = re.findall(r"https?://\S+", mail.outbox[0].body)
    new_password = "a long walk by the river"
    response = client.post(
        urlparse(link).path, {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.url == CODE
    assert signed_in_as(client) is None
    code_step(client, two_factor_code(two_factor_device(user=therapist_with_app)))
    assert int(signed_in_as(client)) == therapist_with_app.pk


def test_the_admin_site_signs_in_through_the_app(client, therapist):
    response = client.get(reverse("admin:login") + "?next=/admin/clinics/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/admin/clinics/"
    client.force_login(therapist)
    assert client.get(reverse("admin:login")).status_code == 403


# Clinic admins must set it up


def test_an_admin_without_an_app_is_sent_to_set_it_up(client, clinic):
    admin = ClinicAdminFactory(clinic=clinic, two_factor=False)
    # The password alone signs them in (they have no app yet), and then everything waits.
    assert password_step(client, admin).url == reverse("clinics:home")
    assert int(signed_in_as(client)) == admin.pk
    for url in (LIBRARY, STAFF_LIST, CASELOAD, TWO_FACTOR, reverse("clinics:password-change")):
        assert client.get(url).url == SETUP
    page = client.get(SETUP)
    assert page.status_code == 200
    assert "Clinic admins must sign in with two steps" in page.text
    # Signing out still works.
    client.post(reverse("clinics:logout"))
    assert signed_in_as(client) is None


def test_an_admin_sets_up_the_app_and_then_carries_on(client, clinic):
    admin = ClinicAdminFactory(clinic=clinic, two_factor=False)
    password_step(client, admin)
    page = client.get(SETUP)
    assert '<svg viewBox="0 0 ' in page.text and 'class="qr-code"' in page.text
    assert "style=" not in page.text.split("<main", 1)[1]
    key_text = re.search(r'<code class="setup-key-text">([A-Z2-7 ]+)</code>', page.text)[1]
    # The QR code's dark modules are those of the setup address with this key.
    assert_page_draws_qr_code_of(page.text, two_factor_setup_url(user=admin, key=_hex(key_text)))
    # Reloading shows the same key.
    assert key_text in client.get(SETUP).text

    wrong = client.post(SETUP, {"code": "000000"})
    assert "That code does not match." in wrong.text
    assert key_text in wrong.text
    assert not TOTPDevice.objects.filter(user=admin).exists()

    key = TOTP(bytes.fromhex(_hex(key_text)))
    response = client.post(SETUP, {"code": f"{key.token():06d}"}, follow=True)
    assert response.redirect_chain[-1][0] == RECOVERY_CODES
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", response.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(LIBRARY).status_code == 200
    assert response.wsgi_request.user.is_verified()
    assert StaticToken.objects.filter(device__user=admin).count() == 10


def test_an_admin_session_from_before_two_step_sign_in_is_sent_to_set_it_up(client, clinic):
    admin = ClinicAdminFactory(clinic=clinic, two_factor=False)
    client.force_login(admin)
    session = client.session
    del session[TWO_FACTOR_SETUP_SESSION_KEY]
    session.save()
    assert client.get(LIBRARY).url == SETUP


def test_an_admin_with_an_app_is_not_held_up(client, clinic_admin):
    client.force_login(clinic_admin)
    client.get(LIBRARY)
    assert client.get(LIBRARY).status_code == 200


def _hex(key_text):
    return base64.b32decode(key_text.replace(" ", "")).hex()


# Therapists may use it


def test_a_therapist_is_not_asked_to_set_it_up_but_can(client, therapist):
    client.force_login(therapist)
    assert client.get(CASELOAD).status_code == 200
    page = client.get(TWO_FACTOR)
    assert "Your password alone signs you in." in page.text
    assert f'href="{SETUP}"' in page.text
    assert f'href="{TWO_FACTOR}"' in client.get(CASELOAD).text


def test_a_therapist_turns_it_off_with_their_password(client, therapist_with_app):
    client.force_login(therapist_with_app)
    url = reverse("clinics:two-factor-disable")
    refused = client.post(url, {"password": "not my password"})
    assert "That is not your password." in refused.text
    assert two_factor_device(user=therapist_with_app) is not None
    response = client.post(url, {"password": PASSWORD}, follow=True)
    assert "Two-step sign-in is off" in response.text
    assert two_factor_device(user=therapist_with_app) is None
    assert not StaticDevice.objects.filter(user=therapist_with_app).exists()
    client.logout()
    assert password_step(client, therapist_with_app).url == reverse("clinics:home")


def test_an_admin_cannot_turn_it_off(client, clinic_admin):
    client.force_login(clinic_admin)
    assert client.get(reverse("clinics:two-factor-disable")).status_code == 403
    assert "cannot be turned off" in client.get(TWO_FACTOR).text
    with pytest.raises(ValidationError, match="must use two-step sign-in"):
        two_factor_disable(user=clinic_admin)


def test_patients_are_not_offered_it(client, patient):
    client.force_login(patient.user)
    assert client.get(TWO_FACTOR).status_code == 403
    assert client.get(SETUP).status_code == 403
    assert f'href="{TWO_FACTOR}"' not in client.get(reverse("patients:today")).text


def test_new_recovery_codes_replace_the_old_ones(client, therapist_with_app):
    old = therapist_with_app.recovery_codes
    client.force_login(therapist_with_app)
    response = client.post(RECOVERY_CODES, follow=True)
    assert "the earlier ones no longer work" in response.text
    new = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", response.text)
    assert len(new) == 10 and not set(new) & {recovery_code_display(code) for code in old}

    download = client.get(reverse("clinics:two-factor-recovery-codes-download"))
    assert download["Content-Disposition"] == 'attachment; filename="rehabit-recovery-codes.txt"'
    assert all(code in download.content.decode() for code in new)

    client.post(reverse("clinics:two-factor-recovery-codes-saved"))
    # Shown once: afterwards the page sends people to make new ones instead.
    assert client.get(RECOVERY_CODES).url == TWO_FACTOR
    assert client.get(reverse("clinics:two-factor-recovery-codes-download")).url == TWO_FACTOR

    client.logout()
    password_step(client, therapist_with_app)
    code_step(client, new[1])
    assert int(signed_in_as(client)) == therapist_with_app.pk
    client.logout()
    password_step(client, therapist_with_app)
    assert "does not work" in code_step(client, old[1]).text


def test_the_two_step_page_runs_a_fixed_number_of_queries(
    client, therapist_with_app, django_assert_max_num_queries
):
    client.force_login(therapist_with_app)
    client.get(TWO_FACTOR)
    # Session, user, the clinic (its time zone), the app, the recovery codes left.
    with django_assert_max_num_queries(5):
        response = client.get(TWO_FACTOR)
    assert "10 unused recovery codes" in response.text


# A clinic admin resets a colleague's two-step sign-in


def reset_url(member):
    return reverse("console:staff-two-factor-reset", args=[member.pk])


def test_an_admin_resets_a_therapists_app_and_ends_their_sessions(
    client, clinic_admin, therapist_with_app
):
    theirs = Client()
    password_step(theirs, therapist_with_app)
    code_step(theirs, two_factor_code(two_factor_device(user=therapist_with_app)))
    assert theirs.get(CASELOAD).status_code == 200

    client.force_login(clinic_admin)
    assert "Reset two-step sign-in" in client.get(STAFF_LIST).text
    response = client.post(reset_url(therapist_with_app), follow=True)

    assert f"Two-step sign-in for {therapist_with_app.full_name} was reset" in response.text
    assert two_factor_device(user=therapist_with_app) is None
    assert not StaticDevice.objects.filter(user=therapist_with_app).exists()
    assert theirs.get(CASELOAD).url.startswith(LOGIN)
    assert password_step(theirs, therapist_with_app).url == reverse("clinics:home")


def test_a_reset_admin_must_set_up_a_new_app_at_the_next_sign_in(client, clinic_admin):
    second = ClinicAdminFactory(clinic=clinic_admin.clinic)
    client.force_login(clinic_admin)
    client.post(reset_url(second))
    client.logout()
    password_step(client, second)
    assert client.get(LIBRARY).url == SETUP


def test_resetting_is_for_the_admins_of_the_same_clinic(
    client, clinic_admin, therapist_with_app, stranger, colleague
):
    two_factor_turn_on(stranger)
    client.force_login(clinic_admin)
    assert client.post(reset_url(stranger)).status_code == 404
    assert client.get(reset_url(therapist_with_app)).status_code == 405
    assert two_factor_device(user=stranger) is not None
    client.force_login(colleague)
    assert client.post(reset_url(therapist_with_app)).status_code == 403
    assert two_factor_device(user=therapist_with_app) is not None


def test_an_admin_cannot_reset_their_own_or_someone_without_an_app(client, clinic_admin, colleague):
    client.force_login(clinic_admin)
    response = client.post(reset_url(clinic_admin), follow=True)
    assert "cannot reset your own two-step sign-in" in response.text
    assert two_factor_device(user=clinic_admin) is not None
    response = client.post(reset_url(colleague), follow=True)
    assert "does not use two-step sign-in" in response.text
    with pytest.raises(ValidationError):
        two_factor_reset(member=clinic_admin, reset_by=clinic_admin)


# Unlocking an account locked out after failed sign-ins


def lock_out(client, user):
    for _ in range(10):
        client.post(LOGIN, {"username": user.email, "password": "guess"}, REMOTE_ADDR="1.2.3.4")


def unlock_url(user):
    return reverse("console:account-unlock", args=[user.pk])


@pytest.mark.parametrize("who", ["therapist", "patient"])
def test_an_admin_sees_who_is_locked_out_and_unlocks_them(client, clinic_admin, request, who):
    account = request.getfixturevalue(who)
    account = getattr(account, "user", account)
    other = TherapistFactory(clinic=clinic_admin.clinic, full_name="Not Locked")
    lock_out(client, account)
    assert password_step(client, account).status_code == 429

    client.force_login(clinic_admin)
    page = client.get(STAFF_LIST).text
    locked_section = page.split("Locked out of signing in", 1)[1].split("</section>", 1)[0]
    assert account.email in locked_section
    assert other.email not in locked_section
    response = client.post(unlock_url(account), follow=True)

    assert f"{account.full_name} ({account.email}) is unlocked" in response.text
    assert "Locked out of signing in" not in response.text
    client.logout()
    assert password_step(client, account).status_code == 302


def test_unlocking_is_for_the_admins_of_the_same_clinic(client, clinic_admin, therapist, stranger):
    lock_out(client, stranger)
    client.force_login(clinic_admin)
    assert stranger.email not in client.get(STAFF_LIST).text
    assert client.post(unlock_url(stranger)).status_code == 404
    assert client.get(unlock_url(therapist)).status_code == 405
    client.force_login(therapist)
    assert client.post(unlock_url(therapist)).status_code == 403
    client.logout()
    assert password_step(client, stranger).status_code == 429


# The demo admin


def test_the_demo_admin_signs_in_straight_away_with_the_published_key_or_codes(client, db):
    demo_seed()
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    device = two_factor_device(user=admin)
    assert device.key == two_factor_key_from_text(DEMO_TWO_FACTOR_KEY)
    tokens = StaticToken.objects.filter(device__user=admin).values_list("token", flat=True)
    assert sorted(tokens) == sorted(recovery_code_hash(code) for code in DEMO_RECOVERY_CODES)

    # The code an app shows right now works, although seeding has just confirmed the key.
    password_step(client, admin, password=DEMO_PASSWORD)
    code_step(client, f"{TOTP(bytes.fromhex(device.key)).token():06d}")
    assert int(signed_in_as(client)) == admin.pk


def test_seeding_again_gives_an_older_demo_admin_the_key_and_changes_nothing_after(db):
    demo_seed()
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    # A demo seeded before two-step sign-in existed.
    TOTPDevice.objects.filter(user=admin).delete()
    StaticDevice.objects.filter(user=admin).delete()
    demo_seed()
    device = two_factor_device(user=admin)
    assert device.key == two_factor_key_from_text(DEMO_TWO_FACTOR_KEY)
    demo_seed()
    assert list(TOTPDevice.objects.filter(user=admin)) == [device]
    assert StaticToken.objects.filter(device__user=admin).count() == 10


def test_a_site_superuser_must_set_up_two_step_sign_in_before_the_admin_site(client, db):
    """A superuser reaches every clinic's records through the Django admin, so the password
    alone is never enough for them either."""
    root = User.objects.create_superuser(
        email="root@example.org", password=PASSWORD, full_name="Site Operator"
    )
    password_step(client, root)
    assert client.get("/admin/").url == SETUP
    page = client.get(SETUP)
    assert page.status_code == 200
    key_text = re.search(r'<code class="setup-key-text">([A-Z2-7 ]+)</code>', page.text)[1]
    key = TOTP(bytes.fromhex(_hex(key_text)))
    client.post(SETUP, {"code": f"{key.token():06d}"}, follow=True)
    assert client.get("/admin/").status_code == 200
    assert client.get(RECOVERY_CODES).status_code == 200
    # From now on the code is asked for at every sign-in, and it cannot be turned off.
    client.post(reverse("clinics:logout"))
    assert password_step(client, root).url == CODE
    assert signed_in_as(client) is None
    with pytest.raises(ValidationError):
        two_factor_disable(user=root)
