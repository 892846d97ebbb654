import pytest
from django.urls import reverse

from clinics.selectors import two_factor_device
from tests.clinics.factories import (
    PASSWORD,
    ClinicAdminFactory,
    TherapistFactory,
    two_factor_code,
)


@pytest.mark.parametrize(
    ("persona", "home"),
    [
        ("clinic_admin", "exercises:library"),
        ("therapist", "insights:caseload"),
        ("patient_user", "patients:today"),
    ],
)
def test_each_role_lands_on_its_home_after_sign_in(client, request, persona, home, patient):
    user = patient.user if persona == "patient_user" else request.getfixturevalue(persona)
    response = client.post(
        reverse("clinics:login"),
        {"username": user.email.upper(), "password": PASSWORD},
        follow=True,
    )
    if user.is_clinic_admin:  # admins sign in with two steps
        assert response.redirect_chain[-1][0] == reverse("clinics:sign-in-code")
        code = two_factor_code(two_factor_device(user=user))
        response = client.post(reverse("clinics:sign-in-code"), {"code": code}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(home)
    assert response.status_code == 200


def test_wrong_password_is_refused_with_a_clear_message_and_keeps_the_email(client, therapist):
    response = client.post(
        reverse("clinics:login"), {"username": therapist.email, "password": "not-the-password"}
    )
    assert response.status_code == 200
    assert "do not match an account" in response.text
    assert f'value="{therapist.email}"' in response.text
    assert "_auth_user_id" not in client.session


def test_inactive_account_cannot_sign_in(client, clinic):
    user = TherapistFactory(clinic=clinic, is_active=False)
    client.post(reverse("clinics:login"), {"username": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_pages_require_sign_in(client, db):
    response = client.get(reverse("insights:caseload"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("clinics:login"))


def test_sign_in_starts_a_new_session_and_sign_out_ends_it(client, therapist):
    client.get(reverse("clinics:login"))
    before = client.cookies.get("sessionid")
    client.post(reverse("clinics:login"), {"username": therapist.email, "password": PASSWORD})
    after = client.session.session_key
    assert after and (before is None or before.value != after)
    client.post(reverse("clinics:logout"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("insights:caseload")).status_code == 302


def test_sign_out_by_get_is_refused(client, therapist):
    client.force_login(therapist)
    assert client.get(reverse("clinics:logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_password_change_requires_twelve_characters(client, therapist):
    client.force_login(therapist)
    url = reverse("clinics:password-change")
    response = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": "short pass", "new_password2": "short pass"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.text
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "a long walk by the river",
            "new_password2": "a long walk by the river",
        },
    )
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.check_password("a long walk by the river")


def test_common_password_is_refused(client, therapist):
    client.force_login(therapist)
    response = client.post(
        reverse("clinics:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "password1234",
            "new_password2": "password1234",
        },
    )
    assert "too common" in response.text


def test_home_redirects_by_role(client, clinic):
    admin = ClinicAdminFactory(clinic=clinic)
    client.force_login(admin)
    assert client.get(reverse("clinics:home")).url == reverse("exercises:library")


def test_navigation_shows_what_the_role_can_do(client, therapist, patient):
    client.force_login(therapist)
    page = client.get(reverse("insights:caseload")).text
    assert f'href="{reverse("exercises:library")}"' in page
    client.force_login(patient.user)
    page = client.get(reverse("patients:today")).text
    assert f'href="{reverse("insights:caseload")}"' not in page
    assert f'href="{reverse("exercises:library")}"' not in page
    assert f'href="{reverse("patients:today")}"' in page
