"""The patient's pages as an app: the manifest, the service worker and its headers, the page of
logs waiting on the phone, and the JSON answers the worker reads when it sends a log kept while
offline (each recorded once however often it is sent)."""

import datetime
import json
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from patients.models import PainReport, SessionLog
from patients.offline import SERVICE_WORKER_SCOPE, device_key
from patients.red_flags import RED_FLAGS
from patients.views import app as app_views
from prescriptions.models import PlanStatus
from prescriptions.services import plan_status_change
from tests.patients.factories import PatientWithAccountFactory
from tests.prescriptions.factories import PlanItemFactory

from .test_session_logging import session_data

JSON = {"HTTP_ACCEPT": "application/json"}


def log_url(plan, token=None):
    url = reverse("patients:session-log", args=[plan.pk])
    return f"{url}?token={token}" if token else url


def test_the_manifest_installs_the_patients_pages_only(client, db):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == reverse("patients:today") == "/patients/me/today/"
    assert manifest["scope"] == SERVICE_WORKER_SCOPE == "/patients/me/"
    assert manifest["start_url"].startswith(manifest["scope"])
    assert manifest["display"] == "standalone"
    assert manifest["short_name"] == "Rehabit" and manifest["name"]
    assert manifest["theme_color"] and manifest["background_color"]
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_the_worker_is_served_from_the_root_for_the_patients_scope(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == SERVICE_WORKER_SCOPE
    body = response.content.decode()
    assert 'import { start } from "/static/js/worker.js";' in body
    assert SERVICE_WORKER_SCOPE in body and reverse("patients:today") in body
    # Every file the worker fetches when installed exists.
    for path in app_views.KEPT_STATIC:
        assert finders.find(path), path


def test_a_new_release_is_a_new_worker(client, db, monkeypatch):
    first = client.get("/sw.js").content
    assert client.get("/sw.js").content == first
    monkeypatch.setattr(app_views, "KEPT_STATIC", (*app_views.KEPT_STATIC, "img/icon-512.png"))
    second = client.get("/sw.js").content
    assert second != first
    version = [line for line in second.decode().splitlines() if line.startswith("// Release")]
    assert version and version[0] not in first.decode()


def test_the_content_security_policy_allows_the_manifest_and_worker_and_nothing_more(
    client, patient
):
    client.force_login(patient.user)
    policy = client.get(reverse("patients:today"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["manifest-src"] == "'self'"
    assert directives["worker-src"] == "'self'"
    assert "unsafe-inline" not in policy and "*" not in policy


def test_today_moved_under_the_patients_own_addresses_and_the_old_one_still_leads_there(
    client, patient
):
    assert reverse("patients:today").startswith(SERVICE_WORKER_SCOPE)
    response = client.get("/patients/today/")
    assert response.status_code == 301
    assert response["Location"] == reverse("patients:today")


def test_patient_pages_link_the_app_and_staff_pages_do_not(client, patient, therapist):
    client.force_login(patient.user)
    page = client.get(reverse("patients:today")).text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert f'data-app-device="{device_key(patient.user)}"' in page
    assert 'data-app-scope="/patients/me/"' in page
    assert "js/app.js" in page and "data-sign-out" in page
    client.force_login(therapist)
    page = client.get(reverse("insights:caseload")).text
    assert 'rel="manifest"' not in page and "data-app-" not in page and "js/app.js" not in page


def test_the_phones_key_for_a_patient_is_stable_opaque_and_their_own(patient):
    other = PatientWithAccountFactory(clinic=patient.clinic)
    key = device_key(patient.user)
    assert key == device_key(patient.user)
    assert key != device_key(other.user)
    assert str(patient.user.pk) != key and patient.user.email not in key


def test_the_waiting_list_page_carries_the_advice_for_every_warning_sign(
    client, patient, django_assert_max_num_queries
):
    client.force_login(patient.user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("patients:offline"))
    assert response.status_code == 200
    page = response.text
    for flag in RED_FLAGS:
        assert f'data-flag="{flag.code}" hidden' in page
    assert 'data-advice="emergency" hidden' in page and 'data-advice="urgent" hidden' in page
    assert "Go to the emergency department now" in page
    assert 'id="queue-item"' in page and "data-queue-list" in page


@pytest.mark.parametrize("name", ["patients:offline", "patients:offline-sync"])
def test_the_app_pages_are_the_patients_own(client, therapist, name):
    client.force_login(therapist)
    assert client.get(reverse(name)).status_code == 403
    client.logout()
    response = client.get(reverse(name))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_before_sending_the_worker_learns_who_is_signed_in_and_gets_a_form_token(client, patient):
    client.force_login(patient.user)
    response = client.get(reverse("patients:offline-sync"))
    assert response.status_code == 200
    answer = response.json()
    assert answer["device"] == device_key(patient.user)
    assert len(answer["csrf"]) >= 32
    assert "no-cache" in response["Cache-Control"]


def test_a_session_sent_from_the_phone_is_answered_in_json_and_recorded_once(client, patient, plan):
    client.force_login(patient.user)
    token = uuid.uuid4()
    data = session_data(plan, token=token)
    first = client.post(log_url(plan, token), data, **JSON)
    assert first.status_code == 200
    session = SessionLog.objects.get(client_token=token)
    assert first.json() == {
        "sent": True,
        "url": reverse("patients:session-done", args=[session.pk]),
    }
    # Sent again (the answer was lost on the way back): the same session, nothing more.
    again = client.post(log_url(plan, token), data, **JSON)
    assert again.json() == first.json()
    assert SessionLog.objects.filter(plan=plan).count() == 1
    # A browser's own form post is answered as before.
    browser = client.post(log_url(plan, token), data, HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert browser.status_code == 302
    assert browser["Location"] == first.json()["url"]


def test_a_session_already_recorded_stands_even_after_the_plan_ended(
    client, patient, plan, therapist
):
    client.force_login(patient.user)
    token = uuid.uuid4()
    data = session_data(plan, token=token)
    client.post(log_url(plan, token), data, **JSON)
    plan_status_change(plan=plan, status=PlanStatus.COMPLETED, changed_by=therapist)
    again = client.post(log_url(plan, token), data, **JSON)
    assert again.status_code == 200 and again.json()["sent"] is True
    # A new session for the ended plan is refused, with the reason, and nothing is saved.
    other = uuid.uuid4()
    refused = client.post(log_url(plan, other), session_data(plan, token=other), **JSON)
    assert refused.status_code == 409
    assert refused.json() == {
        "sent": False,
        "reasons": ["This plan is not active, so sessions cannot be logged to it."],
    }
    assert SessionLog.objects.filter(plan=plan).count() == 1


def test_a_session_the_server_refuses_says_why_in_sentences_that_stand_alone(client, patient, plan):
    client.force_login(patient.user)
    token = uuid.uuid4()
    data = session_data(plan, token=token, pain_after="11", **{"entries-1-status": ""})
    response = client.post(log_url(plan, token), data, **JSON)
    assert response.status_code == 422
    answer = response.json()
    assert answer["sent"] is False
    assert (
        "How much does it hurt now, after the session? Pain must be a whole number from 0 to 10."
        in answer["reasons"]
    )
    assert (
        "Prone press-up: Say whether you did this exercise: done, partly done or skipped."
        in answer["reasons"]
    )
    assert not SessionLog.objects.filter(plan=plan).exists()


def test_a_session_for_a_changed_plan_is_refused_with_the_reason(client, patient, plan):
    client.force_login(patient.user)
    token = uuid.uuid4()
    data = session_data(plan, token=token)
    PlanItemFactory(plan=plan, exercise__name="Cat-cow", position=3)
    response = client.post(log_url(plan, token), data, **JSON)
    assert response.status_code == 422
    assert response.json()["reasons"][0].startswith("Your therapist changed this plan")
    assert not SessionLog.objects.filter(plan=plan).exists()


def test_a_pain_report_sent_from_the_phone_is_recorded_once_and_answered_in_json(client, patient):
    client.force_login(patient.user)
    token = str(uuid.uuid4())
    data = {"client_token": token, "score": "6", "red_flags": ["bladder_bowel"], "note": ""}
    first = client.post(reverse("patients:pain-report"), data, **JSON)
    assert first.status_code == 200
    report = PainReport.objects.get(patient=patient)
    assert first.json() == {
        "sent": True,
        "url": reverse("patients:pain-report-result", args=[report.pk]),
    }
    assert report.red_flag_severity == "emergency"
    assert client.post(reverse("patients:pain-report"), data, **JSON).json() == first.json()
    assert PainReport.objects.filter(patient=patient).count() == 1

    refused = client.post(
        reverse("patients:pain-report"), {"client_token": str(uuid.uuid4()), "score": "12"}, **JSON
    )
    assert refused.status_code == 422
    assert refused.json()["sent"] is False and refused.json()["reasons"]
    assert PainReport.objects.filter(patient=patient).count() == 1


def test_signing_out_leaves_nothing_of_a_patient_on_the_phone(client, patient, therapist):
    client.force_login(patient.user)
    response = client.post(reverse("clinics:logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    # Staff keep their browser's storage (their notifications are registered in it).
    client.force_login(therapist)
    assert client.post(reverse("clinics:logout"))["Clear-Site-Data"] == '"cache"'


def test_a_pain_report_made_offline_keeps_the_moment_it_was_made(client, patient):
    client.force_login(patient.user)
    made = timezone.now() - datetime.timedelta(hours=5)
    data = {"client_token": str(uuid.uuid4()), "score": "4", "reported_at": made.isoformat()}
    response = client.post(reverse("patients:pain-report"), data, **JSON)
    assert response.status_code == 200
    assert PainReport.objects.get(patient=patient).recorded_at == made


@pytest.mark.parametrize(
    ("moved", "reason"),
    [
        (datetime.timedelta(minutes=5), "A pain report cannot be made for the future."),
        (
            -datetime.timedelta(days=7, minutes=1),
            "This report was made more than 7 days ago, too long to add to your pain diary now."
            " Report how you are today instead.",
        ),
    ],
)
def test_a_pain_report_from_the_future_or_too_long_ago_is_refused_with_the_reason(
    client, patient, moved, reason
):
    client.force_login(patient.user)
    data = {
        "client_token": str(uuid.uuid4()),
        "score": "4",
        "reported_at": (timezone.now() + moved).isoformat(),
    }
    response = client.post(reverse("patients:pain-report"), data, **JSON)
    assert response.status_code == 422
    assert response.json()["reasons"] == [reason]
    assert not PainReport.objects.filter(patient=patient).exists()
