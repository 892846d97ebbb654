"""The admin's webhook pages: adding, changing, testing and removing a webhook, with clear
refusals; another clinic's admin and the clinic's therapists reach none of them."""

import pytest
from django.urls import reverse

from clinics.models import AuditAction, AuditEvent
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services import event_emit

from .conftest import hook


def posted(url, **overrides):
    data = {
        "url": url,
        "description": "Practice management",
        "events": ["session.logged", "alert.raised"],
        "is_active": "on",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def test_an_admin_adds_a_webhook_and_sends_it_a_test_event(world, receiver, client):
    client.force_login(world.admin)
    response = client.post(reverse("console:webhook-add"), posted(receiver.url), follow=True)
    endpoint = WebhookEndpoint.objects.get(clinic=world.clinic)
    assert response.redirect_chain[-1][0] == reverse("console:webhook-detail", args=[endpoint.pk])
    assert endpoint.events == ["session.logged", "alert.raised"]
    assert not endpoint.include_details and endpoint.is_active
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in response.text
    assert AuditEvent.objects.filter(action=AuditAction.WEBHOOK_ADDED, clinic=world.clinic).exists()

    response = client.post(reverse("console:webhook-test", args=[endpoint.pk]), follow=True)
    (request,) = receiver.requests
    assert request["headers"]["Rehabit-Event"] == "ping"
    assert "Delivered" in response.text and "answered 200" in response.text


def test_a_new_secret_signs_from_then_on_and_is_audited(world, receiver, client):
    endpoint = hook(world, receiver)
    old = endpoint.secret
    client.force_login(world.admin)
    client.post(reverse("console:webhook-secret-rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret_rotated_at is not None
    event = AuditEvent.objects.filter(action=AuditAction.WEBHOOK_CHANGED).get()
    assert old not in event.summary and endpoint.secret not in event.summary


def test_editing_keeps_what_was_typed_and_names_what_changed_in_the_audit(world, receiver, client):
    endpoint = hook(world, receiver)
    client.force_login(world.admin)
    url = reverse("console:webhook-edit", args=[endpoint.pk])
    response = client.post(url, posted(receiver.url, events=["plan.changed"], include_details="on"))
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["plan.changed"] and endpoint.include_details
    (event,) = AuditEvent.objects.filter(action=AuditAction.WEBHOOK_CHANGED)
    assert "events" in event.summary and "health details" in event.summary

    response = client.post(url, posted(receiver.url, description="Renamed", events=None))
    assert response.status_code == 200
    assert "Choose at least one event" in response.text
    assert 'value="Renamed"' in response.text
    endpoint.refresh_from_db()
    assert endpoint.description == "Practice management"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://ehr.example.com/hooks", "starts with https://"),
        ("https://10.0.0.5/hooks", "private, local and loopback addresses are refused"),
        ("https://169.254.169.254/latest", "private, local and loopback addresses are refused"),
        ("https://localhost/hooks", "private, local and loopback addresses are refused"),
        ("https://user:pw@ehr.example.com/hooks", "Leave the user name and password out"),
        ("https://", "Enter the full address"),
        ("", "Enter the address"),
    ],
)
def test_addresses_refused_in_production_say_what_is_allowed(world, client, settings, url, message):
    settings.REHABIT_WEBHOOK_ALLOW_HTTP = False
    client.force_login(world.admin)
    response = client.post(reverse("console:webhook-add"), posted(url))
    assert response.status_code == 200
    assert message in response.text
    assert 'value="Practice management"' in response.text
    assert not WebhookEndpoint.objects.exists()


def test_plain_http_to_the_loopback_address_is_refused_in_production(world, receiver, settings):
    settings.REHABIT_WEBHOOK_ALLOW_HTTP = False
    with pytest.raises(Exception, match="https://"):
        hook(world, receiver)


def test_a_webhook_with_no_events_is_refused(world, receiver, client):
    client.force_login(world.admin)
    response = client.post(reverse("console:webhook-add"), posted(receiver.url, events=None))
    assert "Choose at least one event, so the webhook has something to send." in response.text
    assert receiver.url in response.text
    assert not WebhookEndpoint.objects.exists()


def test_removing_a_webhook_removes_its_log_and_is_audited(world, receiver, client):
    endpoint = hook(world, receiver)
    event_emit(clinic_id=world.clinic.pk, kind="plan.changed", data={"plan": 1})
    client.force_login(world.admin)
    page = client.get(reverse("console:webhook-remove", args=[endpoint.pk]))
    assert "Remove this webhook?" in page.text
    client.post(reverse("console:webhook-remove", args=[endpoint.pk]))
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.WEBHOOK_REMOVED)
    assert "127.0.0.1" in event.summary and "/hooks/" not in event.summary


def webhook_urls(endpoint, delivery) -> list[tuple[str, str]]:
    pk = endpoint.pk
    return [
        ("get", reverse("console:webhook-detail", args=[pk])),
        ("get", reverse("console:webhook-edit", args=[pk])),
        ("post", reverse("console:webhook-edit", args=[pk])),
        ("post", reverse("console:webhook-secret-rotate", args=[pk])),
        ("get", reverse("console:webhook-remove", args=[pk])),
        ("post", reverse("console:webhook-remove", args=[pk])),
        ("post", reverse("console:webhook-test", args=[pk])),
        ("post", reverse("console:webhook-delivery-retry", args=[pk, delivery.pk])),
    ]


def failed_delivery(world, receiver):
    endpoint = hook(world, receiver)
    (delivery,) = event_emit(clinic_id=world.clinic.pk, kind="plan.changed", data={"plan": 1})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
    return endpoint, delivery


def test_another_clinics_admin_gets_404_on_every_webhook_page(world, receiver, client, other_admin):
    endpoint, delivery = failed_delivery(world, receiver)
    client.force_login(other_admin)
    for method, url in webhook_urls(endpoint, delivery):
        assert getattr(client, method)(url, posted(receiver.url)).status_code == 404, url
    assert receiver.requests == []
    endpoint.refresh_from_db()
    assert endpoint.is_active and WebhookDelivery.objects.get().status == DeliveryStatus.FAILED
    listing = client.get(reverse("console:webhook-list"))
    assert receiver.url not in listing.text


def test_a_delivery_is_reached_only_through_its_own_webhook(world, receiver, client):
    _endpoint, delivery = failed_delivery(world, receiver)
    other = hook(world, receiver, description="Other")
    client.force_login(world.admin)
    url = reverse("console:webhook-delivery-retry", args=[other.pk, delivery.pk])
    assert client.post(url).status_code == 404


def test_a_therapist_reaches_no_webhook_page(world, receiver, client):
    endpoint, delivery = failed_delivery(world, receiver)
    client.force_login(world.therapist)
    urls = [
        ("get", reverse("console:webhook-list")),
        ("get", reverse("console:webhook-add")),
        *webhook_urls(endpoint, delivery),
    ]
    for method, url in urls:
        assert getattr(client, method)(url, posted(receiver.url)).status_code in (403, 404), url
    assert WebhookEndpoint.objects.count() == 1


@pytest.mark.parametrize("count", [1, 8])
def test_the_list_page_reads_a_fixed_number_of_queries(
    world, receiver, client, django_assert_max_num_queries, count
):
    for number in range(count):
        hook(world, receiver, description=f"Receiver {number}")
        event_emit(clinic_id=world.clinic.pk, kind="plan.changed", data={"plan": number})
    client.force_login(world.admin)
    with django_assert_max_num_queries(4):  # measured: 4 at 1 and at 8 webhooks
        response = client.get(reverse("console:webhook-list"))
    assert response.text.count("Receiver ") == count


@pytest.mark.parametrize("count", [1, 40])
def test_the_delivery_log_reads_a_fixed_number_of_queries(
    world, receiver, client, django_assert_max_num_queries, count
):
    endpoint = hook(world, receiver)
    for number in range(count):
        event_emit(clinic_id=world.clinic.pk, kind="plan.changed", data={"plan": number})
    client.force_login(world.admin)
    with django_assert_max_num_queries(6):  # measured: 6 at 1 and at 40 deliveries
        response = client.get(reverse("console:webhook-detail", args=[endpoint.pk]))
    assert response.text.count("plan.changed") == min(count, 25)
