"""Turning notifications on and off for the browser in hand, the list of devices and the choice
of channel on the patient's and the staff's account pages: personal, CSRF-protected, nothing
saved half, and another person's device answers 404."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from push.models import Channel, PushSubscription
from push.selectors import endpoint_digest
from push.services import notification_channel_set, notification_enqueue
from tests.conftest import CommittingClient
from tests.patients.factories import PatientWithAccountFactory

from .conftest import Browser

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def signed_in(user) -> Client:
    """A browser signed in as `user` whose posts must carry the CSRF token, as real ones do."""
    client = CommittingClient(enforce_csrf_checks=True, HTTP_USER_AGENT=ANDROID_CHROME)
    client.force_login(user)
    page = reverse("patients:account") if user.is_patient else reverse("clinics:email-settings")
    client.get(page)
    return client


def post_json(client, name, data, *, csrf=True):
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value} if csrf else {}
    body = data if isinstance(data, str) else json.dumps(data)
    return client.post(reverse(name), body, content_type="application/json", headers=headers)


def subscription_json(browser, push_service):
    return {
        "endpoint": push_service.endpoint(browser.name),
        "expirationTime": None,
        "keys": {"p256dh": browser.p256dh, "auth": browser.auth},
    }


@pytest.fixture
def other_patient(therapist):
    return PatientWithAccountFactory(primary_therapist=therapist, first_name="Olive")


def test_a_patient_turns_notifications_on_for_their_phone(patient, vapid, push_service):
    client = signed_in(patient.user)
    phone = Browser("phone")
    response = post_json(client, "push:subscribe", subscription_json(phone, push_service))
    assert response.status_code == 201
    subscription = PushSubscription.objects.get()
    assert response.json() == {"id": subscription.pk, "device": "Chrome on Android"}
    assert (subscription.user, subscription.p256dh, subscription.auth) == (
        patient.user,
        phone.p256dh,
        phone.auth,
    )
    # The same browser again is the same row.
    again = post_json(client, "push:subscribe", subscription_json(phone, push_service))
    assert again.status_code == 200 and PushSubscription.objects.count() == 1


def test_staff_turn_notifications_on_for_their_browser(therapist, vapid, push_service):
    client = signed_in(therapist)
    response = post_json(client, "push:subscribe", subscription_json(Browser("desk"), push_service))
    assert response.status_code == 201
    assert PushSubscription.objects.get().user == therapist


def test_a_shared_browser_notifies_whoever_turned_it_on_last(
    patient, other_patient, vapid, push_service
):
    browser = Browser("shared")
    post_json(signed_in(patient.user), "push:subscribe", subscription_json(browser, push_service))
    post_json(
        signed_in(other_patient.user), "push:subscribe", subscription_json(browser, push_service)
    )
    assert list(PushSubscription.objects.values_list("user", flat=True)) == [other_patient.user_id]


def test_without_the_csrf_token_nothing_is_saved(patient, vapid, push_service):
    client = signed_in(patient.user)
    body = subscription_json(Browser("phone"), push_service)
    assert post_json(client, "push:subscribe", body, csrf=False).status_code == 403
    assert not PushSubscription.objects.exists()


def test_signing_in_is_required(db, vapid, push_service):
    client = Client()
    body = json.dumps(subscription_json(Browser("phone"), push_service))
    response = client.post(reverse("push:subscribe"), body, content_type="application/json")
    assert response.status_code == 302 and response.url.startswith(reverse("clinics:login"))
    assert not PushSubscription.objects.exists()


def test_a_get_changes_nothing(patient):
    client = signed_in(patient.user)
    assert client.get(reverse("push:subscribe")).status_code == 405


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "Send the browser's subscription as a JSON object."),
        ("[1, 2]", "Send the browser's subscription as a JSON object."),
        ({"endpoint": "http://127.0.0.1:1/push/x"}, "This is not a browser's push subscription."),
        (
            {"endpoint": "http://127.0.0.1:1/push/x", "keys": {"p256dh": "AQID", "auth": "AQID"}},
            "This is not a browser's push subscription.",
        ),
    ],
)
def test_a_body_that_is_not_a_subscription_is_refused_clearly(patient, vapid, body, message):
    response = post_json(signed_in(patient.user), "push:subscribe", body)
    assert response.status_code == 400
    assert response.json()["error"] == message
    assert not PushSubscription.objects.exists()


def test_the_refusal_names_the_bad_key(patient, vapid, push_service):
    body = subscription_json(Browser("phone"), push_service)
    body["keys"]["auth"] = "AQID"
    response = post_json(signed_in(patient.user), "push:subscribe", body)
    assert response.json()["fields"] == {"auth": ["The browser's secret is not 16 bytes."]}


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://metadata.internal/latest",
        "https://fcm.googleapis.com.attacker.example/send/x",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://user:pass@fcm.googleapis.com/fcm/send/x",
    ],
)
def test_only_the_browsers_push_services_are_taken(patient, vapid, endpoint):
    body = {"endpoint": endpoint, "keys": {"p256dh": Browser("x").p256dh, "auth": "A" * 22}}
    response = post_json(signed_in(patient.user), "push:subscribe", body)
    assert response.status_code == 400
    assert "not a push service" in response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_a_real_push_service_address_is_taken(patient, vapid):
    body = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/abc:def",
        "keys": {"p256dh": Browser("x").p256dh, "auth": "A" * 22},
    }
    assert post_json(signed_in(patient.user), "push:subscribe", body).status_code == 201


def test_turning_off_forgets_this_browser_and_only_ones_own(
    patient, other_patient, vapid, push_service
):
    mine = Browser("mine").subscribe(push_service, patient.user)
    theirs = Browser("theirs").subscribe(push_service, other_patient.user)
    client = signed_in(patient.user)
    refused = post_json(client, "push:unsubscribe", {"endpoint": theirs.endpoint})
    assert refused.status_code == 404
    assert post_json(client, "push:unsubscribe", {"endpoint": mine.endpoint}).status_code == 200
    assert list(PushSubscription.objects.all()) == [theirs]
    assert post_json(client, "push:unsubscribe", "{").status_code == 400


def test_a_device_is_stopped_from_the_list_by_its_owner_only(
    patient, therapist, stranger, vapid, push_service
):
    mine = Browser("mine").subscribe(push_service, patient.user)
    back = reverse("patients:account") + "#notifications"
    for someone in (therapist, stranger):
        client = signed_in(someone)
        url = reverse("push:device-remove", args=[mine.pk])
        response = client.post(url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
        assert response.status_code == 404
    assert PushSubscription.objects.filter(pk=mine.pk).exists()
    client = signed_in(patient.user)
    response = client.post(
        reverse("push:device-remove", args=[mine.pk]),
        {"next": back, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 302 and response.url == back
    assert not PushSubscription.objects.exists()


def test_the_way_back_stays_on_this_site(patient):
    client = signed_in(patient.user)
    response = client.post(
        reverse("push:channel-set"),
        {
            "channel": Channel.EMAIL,
            "next": "https://evil.example/",
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302 and response.url == reverse("clinics:home")


def test_a_person_chooses_how_they_are_told(patient, therapist):
    for user, page in ((patient.user, "patients:account"), (therapist, "clinics:email-settings")):
        client = signed_in(user)
        token = client.cookies["csrftoken"].value
        back = reverse(page) + "#notifications"
        url = reverse("push:channel-set")
        response = client.post(url, {"channel": "both", "next": back, "csrfmiddlewaretoken": token})
        assert response.status_code == 302 and response.url == back
        user.refresh_from_db()
        assert user.notification_channel == Channel.BOTH
        client.post(url, {"channel": "carrier pigeon", "next": back, "csrfmiddlewaretoken": token})
        user.refresh_from_db()
        assert user.notification_channel == Channel.BOTH
        chosen = re.search(r'<input[^>]*value="both"[^>]*>', client.get(reverse(page)).text)
        assert "checked" in chosen.group()


def test_the_pages_say_when_push_is_not_set_up_on_this_server(client, patient, therapist):
    for user, page in ((patient.user, "patients:account"), (therapist, "clinics:email-settings")):
        client.force_login(user)
        text = client.get(reverse(page)).text
        assert "Notifications are not set up on this server" in text
        assert "data-push" not in text
        assert "How to tell you that something is waiting" in text


def test_the_patients_page_offers_the_toggle_and_lists_their_devices_only(
    client, patient, other_patient, vapid, push_service
):
    mine = Browser("mine").subscribe(push_service, patient.user, device="Safari on iPhone")
    Browser("theirs").subscribe(push_service, other_patient.user, device="Firefox on Windows")
    client.force_login(patient.user)
    text = client.get(reverse("patients:account")).text
    assert "Notifications on this phone" in text
    assert f'data-public-key="{vapid.public_key}"' in text
    assert 'data-sw-url="/sw.js"' in text and 'data-sw-scope="/patients/me/"' in text
    assert endpoint_digest(mine.endpoint) in text
    assert mine.endpoint not in text
    assert "Safari on iPhone" in text and "Firefox on Windows" not in text
    assert "needs JavaScript" in text
    assert "Home Screen" in text
    assert "js/push.js" in text


def test_the_staff_page_is_emails_and_notifications(client, therapist, vapid, push_service):
    Browser("desk").subscribe(push_service, therapist, device="Edge on Windows")
    client.force_login(therapist)
    text = client.get(reverse("clinics:email-settings")).text
    assert "Emails and notifications" in text
    assert "Notifications on this device" in text and "Edge on Windows" in text


@pytest.mark.parametrize("devices", [1, 6])
def test_the_account_pages_do_not_query_more_with_more_devices(
    client, patient, therapist, vapid, push_service, django_assert_max_num_queries, devices
):
    for number in range(devices):
        Browser(f"p{number}").subscribe(push_service, patient.user)
        Browser(f"t{number}").subscribe(push_service, therapist)
    client.force_login(patient.user)
    with django_assert_max_num_queries(10):  # measured: 10, with one device or six
        assert client.get(reverse("patients:account")).status_code == 200
    client.force_login(therapist)
    with django_assert_max_num_queries(4):  # measured: 4, with one device or six
        assert client.get(reverse("clinics:email-settings")).status_code == 200


def test_subscriptions_are_scoped_to_their_clinic_and_person(
    patient, other_patient, stranger, vapid, push_service
):
    mine = Browser("mine").subscribe(push_service, patient.user)
    strangers = Browser("stranger").subscribe(push_service, stranger)
    assert list(PushSubscription.objects.for_clinic(patient.clinic)) == [mine]
    assert list(PushSubscription.objects.for_clinic(stranger.clinic)) == [strangers]
    assert list(PushSubscription.objects.for_user(other_patient.user)) == []


def test_the_clinics_outbox_tells_notifications_from_emails(
    client, world, vapid, push_service, django_capture_on_commit_callbacks
):
    Browser("phone").subscribe(push_service, world.patient.user)
    notification_channel_set(user=world.patient.user, channel=Channel.BOTH)
    with django_capture_on_commit_callbacks(execute=True):
        notification_enqueue(
            kind="reminder",
            key="reminder:outbox-page",
            person=world.patient.user,
            language="en",
            clinic_id=world.clinic.pk,
            context={"patient_id": world.patient.pk, "number": 1, "of": 1},
        )
    client.force_login(world.admin)
    text = client.get(reverse("console:outbox")).text
    assert text.count("Session reminder") == 2
    assert text.count("notification on one of their devices") == 1
