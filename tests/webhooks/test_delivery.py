"""Events reach the clinic's receiving system from the worker: signed, with their headers,
retried with backoff when refused, and logged attempt by attempt."""

import datetime
import json
import time
import uuid
from unittest import mock

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from patients.services import EntryInput, pain_report_record, session_log_record
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.services import MAX_ATTEMPTS, deliveries_sweep, delivery_attempt, event_emit

from .conftest import hook, signature_valid


def log_session(world, **values):
    return session_log_record(
        patient=world.patient,
        plan=world.plan,
        performed_at=timezone.now() - datetime.timedelta(minutes=5),
        entries=[EntryInput.as_prescribed(item) for item in world.plan.items.all()],
        client_token=values.pop("client_token", None) or uuid.uuid4(),
        recorded_by=world.patient.user,
        **values,
    )


def test_a_logged_session_reaches_the_receiver_signed_with_its_headers(
    world, receiver, django_capture_on_commit_callbacks
):
    endpoint = hook(world, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        session = log_session(world)

    (request,) = receiver.requests
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Rehabit-Webhooks/1"
    assert headers["Rehabit-Event"] == "session.logged"
    assert signature_valid(endpoint.secret, request)
    assert not signature_valid("whsec_another", request)
    stamp = int(headers["Rehabit-Signature"].split(",")[0].removeprefix("t="))
    assert abs(time.time() - stamp) < 60

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert headers["Rehabit-Delivery"] == str(delivery.event_id)
    assert request["body"].decode() == delivery.body
    payload = json.loads(request["body"])
    assert payload == {
        "id": str(delivery.event_id),
        "type": "session.logged",
        "created_at": payload["created_at"],
        "clinic": world.clinic.pk,
        "data": {"patient": world.patient.pk, "plan": world.plan.pk, "session_log": session.pk},
    }
    assert payload["created_at"].endswith("Z")
    assert datetime.datetime.fromisoformat(payload["created_at"]) <= timezone.now()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        1,
        200,
    )
    assert delivery.delivered_at is not None and delivery.last_error == ""


def test_a_refusing_receiver_gets_the_same_event_again_after_a_minute(
    world, receiver, django_capture_on_commit_callbacks
):
    hook(world, receiver)
    receiver.answers.extend([500])
    with django_capture_on_commit_callbacks(execute=True):
        log_session(world)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.PENDING,
        1,
        500,
    )
    assert delivery.last_error == "The receiver answered 500."
    assert delivery.next_attempt_at - delivery.last_attempt_at == datetime.timedelta(minutes=1)
    assert deliveries_sweep() == 0  # not due yet

    with time_machine.travel(delivery.next_attempt_at + datetime.timedelta(seconds=1)):
        assert deliveries_sweep() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        2,
        200,
    )
    first, second = receiver.requests
    assert first["body"] == second["body"]
    assert first["headers"]["Rehabit-Delivery"] == second["headers"]["Rehabit-Delivery"]


def test_after_the_last_attempt_the_delivery_fails_and_an_admin_can_send_it_again(
    world, receiver, client, django_capture_on_commit_callbacks
):
    endpoint = hook(world, receiver)
    receiver.answers.extend([503] * MAX_ATTEMPTS)
    with django_capture_on_commit_callbacks(execute=True):
        log_session(world)
    delivery = WebhookDelivery.objects.get()
    waits = []
    while delivery.status == DeliveryStatus.PENDING:
        waits.append(delivery.next_attempt_at - delivery.last_attempt_at)
        with time_machine.travel(delivery.next_attempt_at):
            deliveries_sweep()
        delivery.refresh_from_db()
    assert [wait.total_seconds() / 60 for wait in waits] == [1, 5, 30, 120, 360]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert len(receiver.requests) == MAX_ATTEMPTS

    client.force_login(world.admin)
    page = client.get(reverse("console:webhook-detail", args=[endpoint.pk]))
    assert "Send again" in page.text and "answered 503" in page.text
    client.post(reverse("console:webhook-delivery-retry", args=[endpoint.pk, delivery.pk]))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert len(receiver.requests) == MAX_ATTEMPTS + 1


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    world, receiver, django_capture_on_commit_callbacks
):
    hook(world, receiver)
    receiver.answers.extend([302])
    with django_capture_on_commit_callbacks(execute=True):
        log_session(world)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.PENDING, 302)
    assert "redirect" in delivery.last_error
    assert len(receiver.requests) == 1


def test_a_receiver_that_is_not_there_is_retried(
    world, receiver, django_capture_on_commit_callbacks
):
    hook(world, receiver)
    receiver.stop()
    with django_capture_on_commit_callbacks(execute=True):
        log_session(world)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code is None
    assert delivery.last_error == "Could not connect to the receiver."


def test_a_first_attempt_the_queue_lost_is_picked_up_by_the_sweep(world, receiver):
    hook(world, receiver)
    log_session(world)  # committed, but the worker was never handed the delivery
    assert receiver.requests == []
    assert deliveries_sweep() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=3)):
        assert deliveries_sweep() == 1
    assert len(receiver.requests) == 1


def test_nothing_is_sent_to_a_webhook_turned_off_or_not_subscribed(
    world, receiver, django_capture_on_commit_callbacks
):
    hook(world, receiver, is_active=False)
    hook(world, receiver, kinds=["plan.changed"])
    with django_capture_on_commit_callbacks(execute=True):
        log_session(world)
        pain_report_record(patient=world.patient, score=3, recorded_by=world.patient.user)
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_a_change_that_rolls_back_tells_nobody(world, receiver, django_capture_on_commit_callbacks):
    hook(world, receiver)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        log_session(world)
        raise RuntimeError("the request failed after the log was written")
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_one_event_goes_to_each_subscribed_webhook_under_one_id(
    world, receiver, django_capture_on_commit_callbacks
):
    first, second = hook(world, receiver), hook(world, receiver, description="Second")
    with django_capture_on_commit_callbacks(execute=True):
        event_emit(clinic_id=world.clinic.pk, kind="plan.changed", data={"plan": 1})
    assert len(receiver.requests) == 2
    deliveries = WebhookDelivery.objects.order_by("endpoint_id")
    assert [delivery.endpoint_id for delivery in deliveries] == [first.pk, second.pk]
    assert len({delivery.event_id for delivery in deliveries}) == 1
    secrets = {first.secret, second.secret}
    assert all(
        any(signature_valid(secret, request) for secret in secrets) for request in receiver.requests
    )


def test_event_emit_looks_for_webhooks_in_one_query_and_writes_nothing_without_one(
    world, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert event_emit(clinic_id=world.clinic.pk, kind="session.logged", data={}) == []


def test_a_webhook_removed_while_its_receiver_answers_leaves_nothing_to_record(world, receiver):
    endpoint = hook(world, receiver)
    (delivery,) = event_emit(clinic_id=world.clinic.pk, kind="plan.changed", data={"plan": 1})

    def post_while_removed(delivery):
        endpoint.delete()
        return 200, ""

    with mock.patch("webhooks.services._post", post_while_removed):
        delivery_attempt(delivery_id=delivery.pk)
    assert not WebhookDelivery.objects.exists()
