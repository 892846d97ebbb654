from django.test import RequestFactory
from django.urls import reverse


def test_not_found_is_friendly_and_says_nothing_of_what_exists(client, therapist):
    client.force_login(therapist)
    response = client.get("/patients/999999/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.text
    assert "Traceback" not in response.text and "DEBUG" not in response.text


def test_forbidden_is_friendly(client, patient):
    client.force_login(patient.user)
    response = client.get(reverse("insights:caseload"))
    assert response.status_code == 403
    assert "You can't open this page" in response.text


def test_server_error_page_renders_without_a_request_context(db):
    from django.views import defaults

    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
