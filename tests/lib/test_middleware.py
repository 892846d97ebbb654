"""Headers every response gets: nothing cached for a signed-in person, and where Rehabit's
responses may be used and which browser features its pages may use."""

from django.urls import reverse

PRIVATE = {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}


def test_a_page_shown_to_a_signed_in_person_is_never_cached(client, therapist, patient):
    client.force_login(therapist)
    response = client.get(reverse("insights:patient-detail", args=[patient.pk]))
    assert response.status_code == 200
    assert cache_control(response) >= PRIVATE


def test_a_signed_in_patients_own_pages_are_never_cached(client, patient):
    client.force_login(patient.user)
    assert cache_control(client.get(reverse("patients:today"))) >= PRIVATE


def test_every_response_says_same_origin_and_turns_off_device_features(client):
    response = client.get(reverse("clinics:login"))
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    policy = response.headers["Permissions-Policy"]
    assert "camera=()" in policy and "microphone=()" in policy
    assert "geolocation=()" in policy and "payment=()" in policy
    assert "screen-wake-lock=(self)" in policy and "fullscreen=(self)" in policy
