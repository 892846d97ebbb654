"""Notifications on people's devices, through the real worker path: the scheduler or a write
asks, the outbox hands the work on when the transaction commits, the task posts to the push
service, signed with the server's VAPID key and encrypted for the browser, once per device."""

import datetime
import time
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from messaging.services import message_send
from notifications import services as notifications
from outbox.models import OutboxMessage, Status
from outbox.services import message_deliver, messages_sweep
from patients.models import ReminderSettings
from push.models import Channel, PushSubscription
from push.services import notification_channel_set
from tests.notifications.test_notifications import report_emergency

from .conftest import Browser, vapid_claims

HOUR = 60 * 60


def remind(world, django_capture_on_commit_callbacks, now=None):
    now = now or timezone.now()
    hour = timezone.localtime(now, world.clinic.zone).strftime("%H")
    ReminderSettings.objects.get_or_create(
        patient=world.patient, defaults={"times": [f"{hour}:00"]}
    )
    with django_capture_on_commit_callbacks(execute=True):
        return notifications.reminders_send(now=now)


def health_details(world) -> list[str]:
    """What the patient's record holds that no notification may show."""
    return [
        world.patient.first_name,
        world.patient.last_name,
        world.patient.condition,
        world.item.exercise.name,
        "marker note",
        "9/10",
    ]


def assert_nothing_personal(world, payload: dict):
    text = " ".join(str(value) for value in payload.values())
    for detail in health_details(world):
        assert detail not in text, detail
    for field in ("title", "body"):
        assert not any(character.isdigit() for character in payload[field]), payload[field]


def test_a_reminder_reaches_the_patients_phone_signed_encrypted_and_without_health_details(
    world, vapid, push_service, mailoutbox, django_capture_on_commit_callbacks
):
    phone = Browser("phone")
    subscription = phone.subscribe(push_service, world.patient.user)
    assert remind(world, django_capture_on_commit_callbacks) == 1

    (request,) = push_service.to("phone")
    headers = request["headers"]
    claims = vapid_claims(headers["authorization"], vapid.public_key)
    assert claims["aud"] == push_service.origin
    assert claims["sub"] == "mailto:ops@clinic.example"
    assert time.time() < claims["exp"] <= time.time() + 24 * HOUR
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) == 4 * HOUR
    payload = phone.read(request)
    assert payload == {
        "title": "Time for your exercises",
        "body": "Open Rehabit to see today's routine.",
        "url": reverse("patients:today"),
        "tag": "reminder",
    }
    assert_nothing_personal(world, payload)
    # Notifications on the phone, so no email as well (the default channel).
    assert mailoutbox == []
    message = OutboxMessage.objects.get(channel="push")
    assert (message.status, message.subject) == (Status.SENT, "Time for your exercises")
    subscription.refresh_from_db()
    assert subscription.last_used_at is not None


def test_the_scheduler_running_twice_pushes_once_to_each_device(
    world, vapid, push_service, mailoutbox, django_capture_on_commit_callbacks
):
    phone, laptop = Browser("phone"), Browser("laptop")
    phone.subscribe(push_service, world.patient.user)
    laptop.subscribe(push_service, world.patient.user, device="Firefox on Linux")
    now = timezone.now()
    remind(world, django_capture_on_commit_callbacks, now=now)
    remind(world, django_capture_on_commit_callbacks, now=now + datetime.timedelta(minutes=1))
    assert len(push_service.to("phone")) == 1
    assert len(push_service.to("laptop")) == 1
    assert len(push_service.received) == 2
    assert mailoutbox == []


def test_an_emergency_red_flag_pushes_at_high_urgency_to_the_therapist(
    world, vapid, push_service, mailoutbox, django_capture_on_commit_callbacks
):
    phone = Browser("therapist-phone")
    phone.subscribe(push_service, world.therapist)
    with django_capture_on_commit_callbacks(execute=True):
        report_emergency(world)
    (request,) = push_service.to("therapist-phone")
    assert request["headers"]["urgency"] == "high"
    assert int(request["headers"]["ttl"]) == 24 * HOUR
    payload = phone.read(request)
    assert payload == {
        "title": "A safety alert needs you",
        "body": "A patient of yours needs attention. Open Rehabit to see who.",
        "url": reverse("insights:patient-detail", args=[world.patient.pk]),
        "tag": "safety_alert",
    }
    assert_nothing_personal(world, payload)
    assert [m.to for m in mailoutbox] == []


def test_a_message_from_a_patient_pushes_a_link_to_the_conversation_not_the_message(
    world, vapid, push_service, django_capture_on_commit_callbacks
):
    phone = Browser("therapist-phone")
    phone.subscribe(push_service, world.therapist)
    with django_capture_on_commit_callbacks(execute=True):
        message_send(
            patient=world.patient,
            author=world.patient.user,
            body="My Marker condition hurts at 9/10",
            base_url="http://testserver/",
        )
    payload = phone.read(push_service.to("therapist-phone")[0])
    assert payload["url"] == reverse("messaging:patient-messages", args=[world.patient.pk])
    assert (payload["title"], payload["tag"]) == ("A new message is waiting", "message")
    assert "hurts" not in str(payload)
    assert_nothing_personal(world, payload)


def test_the_digest_pushes_to_staff_who_chose_both_and_emails_too(
    world, vapid, push_service, mailoutbox, django_capture_on_commit_callbacks
):
    import time_machine

    world.therapist.digest_at = datetime.time(7, 30)
    world.therapist.save()
    notification_channel_set(user=world.therapist, channel=Channel.BOTH)
    phone = Browser("therapist-phone")
    phone.subscribe(push_service, world.therapist)
    morning = datetime.datetime(2026, 12, 7, 7, 30, tzinfo=datetime.UTC)
    with (
        time_machine.travel(morning, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notifications.digests_send()
    payload = phone.read(push_service.to("therapist-phone")[0])
    assert payload == {
        "title": "Your Rehabit day",
        "body": "Open alerts, quiet patients and waiting messages, at a glance.",
        "url": reverse("insights:caseload"),
        "tag": "digest",
    }
    assert [m.to for m in mailoutbox] == [[world.therapist.email]]


@pytest.mark.parametrize("answer", [404, 410])
def test_a_device_the_push_service_no_longer_knows_is_removed_and_email_goes_instead(
    world, vapid, push_service, mailoutbox, django_capture_on_commit_callbacks, answer
):
    phone = Browser("phone")
    phone.subscribe(push_service, world.patient.user)
    push_service.answers["/push/phone"] = answer
    remind(world, django_capture_on_commit_callbacks)
    assert len(push_service.to("phone")) == 1
    assert not PushSubscription.objects.exists()
    message = OutboxMessage.objects.get(channel="push")
    assert message.status == Status.FAILED and message.next_attempt_at is None
    assert str(answer) in message.last_error
    # The person chose notifications when a device is set up; with none left, the email comes.
    (email,) = mailoutbox
    assert email.to == [world.patient.user.email]
    assert email.subject == "Time for your exercises"


def test_a_gone_device_among_others_is_removed_without_an_email(
    world, vapid, push_service, mailoutbox, django_capture_on_commit_callbacks
):
    Browser("phone").subscribe(push_service, world.patient.user)
    Browser("laptop").subscribe(push_service, world.patient.user, device="Firefox on Linux")
    push_service.answers["/push/phone"] = 410
    remind(world, django_capture_on_commit_callbacks)
    assert list(PushSubscription.objects.values_list("device", flat=True)) == ["Firefox on Linux"]
    assert mailoutbox == []


def test_a_push_service_error_keeps_the_device_and_tries_again_later(
    world, vapid, push_service, mailoutbox, django_capture_on_commit_callbacks
):
    phone = Browser("phone")
    subscription = phone.subscribe(push_service, world.patient.user)
    push_service.answers["/push/phone"] = 500
    remind(world, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get(channel="push")
    assert message.status == Status.QUEUED and message.attempts == 1
    assert message.last_error == "PushRefused: The push service answered 500."
    assert push_service.endpoint("phone") not in message.last_error
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()

    push_service.answers["/push/phone"] = 201
    later = message.next_attempt_at + datetime.timedelta(minutes=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert messages_sweep() == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2
    assert len(push_service.to("phone")) == 2
    assert phone.read(push_service.to("phone")[1])["tag"] == "reminder"
    assert mailoutbox == []


def test_a_push_service_that_does_not_answer_is_tried_again(
    world, vapid, push_service, django_capture_on_commit_callbacks
):
    subscription = Browser("phone").subscribe(push_service, world.patient.user)
    push_service.stop()
    remind(world, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get(channel="push")
    assert message.status == Status.QUEUED
    assert message.last_error.startswith("PushRefused: The push service did not answer")
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()
    push_service.stop = lambda: None  # stopped already


def test_a_device_removed_before_sending_is_given_up(world, vapid, push_service):
    subscription = Browser("phone").subscribe(push_service, world.patient.user)
    now = timezone.now()
    hour = timezone.localtime(now, world.clinic.zone).strftime("%H")
    ReminderSettings.objects.create(patient=world.patient, times=[f"{hour}:00"])
    notifications.reminders_send(now=now)  # its transaction has not committed: nothing sent yet
    subscription.delete()
    message = OutboxMessage.objects.get(channel="push")
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == Status.FAILED and push_service.received == []
    assert "removed" in message.last_error


# The person's choice of channel


def test_email_only_means_no_push(
    world, vapid, push_service, mailoutbox, django_capture_on_commit_callbacks
):
    Browser("phone").subscribe(push_service, world.patient.user)
    notification_channel_set(user=world.patient.user, channel=Channel.EMAIL)
    remind(world, django_capture_on_commit_callbacks)
    assert push_service.received == []
    assert [m.to for m in mailoutbox] == [[world.patient.user.email]]


def test_notifications_when_set_up_mean_email_for_a_person_without_a_device(
    world, vapid, push_service, mailoutbox, django_capture_on_commit_callbacks
):
    assert world.patient.user.notification_channel == Channel.PUSH_ELSE_EMAIL
    remind(world, django_capture_on_commit_callbacks)
    assert push_service.received == []
    assert [m.subject for m in mailoutbox] == ["Time for your exercises"]


def test_both_means_a_push_and_an_email(
    world, vapid, push_service, mailoutbox, django_capture_on_commit_callbacks
):
    phone = Browser("phone")
    phone.subscribe(push_service, world.patient.user)
    notification_channel_set(user=world.patient.user, channel=Channel.BOTH)
    remind(world, django_capture_on_commit_callbacks)
    assert phone.read(push_service.to("phone")[0])["tag"] == "reminder"
    assert [m.subject for m in mailoutbox] == ["Time for your exercises"]


def test_without_vapid_keys_push_is_off_and_everything_is_emailed(
    world, settings, push_service, mailoutbox, django_capture_on_commit_callbacks
):
    settings.REHABIT_VAPID_PUBLIC_KEY = settings.REHABIT_VAPID_PRIVATE_KEY = ""
    Browser("phone").subscribe(push_service, world.patient.user)
    remind(world, django_capture_on_commit_callbacks)
    assert push_service.received == []
    assert len(mailoutbox) == 1


def test_a_device_turned_on_after_the_email_went_does_not_get_the_same_reminder(
    world, vapid, push_service, mailoutbox, django_capture_on_commit_callbacks
):
    now = timezone.now()
    remind(world, django_capture_on_commit_callbacks, now=now)
    Browser("phone").subscribe(push_service, world.patient.user)
    remind(world, django_capture_on_commit_callbacks, now=now + datetime.timedelta(minutes=1))
    assert push_service.received == [] and len(mailoutbox) == 1
