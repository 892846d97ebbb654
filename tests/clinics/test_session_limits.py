import time
from unittest import mock

from django.urls import reverse

from clinics.middleware import PATIENT_ABSOLUTE_SECONDS, STAFF_ABSOLUTE_SECONDS, STAFF_IDLE_SECONDS


def later(seconds):
    return mock.patch("clinics.middleware.time.time", return_value=time.time() + seconds)


def test_staff_are_signed_out_after_30_idle_minutes(client, therapist):
    client.force_login(therapist)
    assert client.get(reverse("insights:caseload")).status_code == 200
    with later(STAFF_IDLE_SECONDS - 60):
        assert client.get(reverse("insights:caseload")).status_code == 200
    with later(2 * STAFF_IDLE_SECONDS - 90):
        # Still within 30 minutes of the last request: activity keeps the session alive.
        assert client.get(reverse("insights:caseload")).status_code == 200
    with later(3 * STAFF_IDLE_SECONDS):
        response = client.get(reverse("insights:caseload"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("clinics:login"))
    assert "signed out after 30 minutes without activity" in response.text
    assert "_auth_user_id" not in client.session


def test_staff_are_signed_out_after_12_hours_however_active(client, therapist):
    client.force_login(therapist)
    client.get(reverse("insights:caseload"))
    elapsed = 0
    while elapsed < STAFF_ABSOLUTE_SECONDS - STAFF_IDLE_SECONDS:
        elapsed += STAFF_IDLE_SECONDS - 120
        with later(elapsed):
            assert client.get(reverse("insights:caseload")).status_code == 200
    with later(STAFF_ABSOLUTE_SECONDS + 10):
        response = client.get(reverse("insights:caseload"), follow=True)
    assert "signed out after 12 hours" in response.text


def test_patients_stay_signed_in_for_days_but_not_past_14(client, patient):
    client.force_login(patient.user)
    client.get(reverse("patients:today"))
    with later(3 * 24 * 3600):
        assert client.get(reverse("patients:today")).status_code == 200
    with later(PATIENT_ABSOLUTE_SECONDS + 60):
        response = client.get(reverse("patients:today"), follow=True)
    assert "it has been 14 days" in response.text


HTMX = {"HX-Request": "true"}


def test_a_live_filter_after_the_idle_sign_out_reloads_the_page_to_the_sign_in_form(
    client, therapist
):
    client.force_login(therapist)
    client.get(reverse("insights:caseload"))
    caseload = reverse("insights:caseload") + "?q=pat"
    with later(3 * STAFF_IDLE_SECONDS):
        response = client.get(caseload, headers=HTMX)

    # Not a redirect htmx would follow and swap into the results: a whole-page visit.
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("clinics:login") + "?next=")
    assert "q%3Dpat" in response["HX-Redirect"] or "q=pat" in response["HX-Redirect"]
    assert "_auth_user_id" not in client.session


def test_signed_out_htmx_requests_are_sent_to_sign_in_and_others_redirected_as_before(
    client, therapist
):
    url = reverse("insights:caseload")
    piece = client.get(url, headers=HTMX)
    page = client.get(url)

    assert piece.status_code == 200
    assert piece["HX-Redirect"] == page["Location"]
    assert page.status_code == 302 and page["Location"].startswith(reverse("clinics:login"))
    # Other redirects an htmx request meets are left to htmx.
    client.force_login(therapist)
    home = client.get(reverse("clinics:home"), headers=HTMX)
    assert home.status_code == 302 and "HX-Redirect" not in home
