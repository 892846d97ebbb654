"""Telling a clinic's other software what happened: registering its webhooks, writing one
delivery per subscribed endpoint inside the transaction of the change it is about, and posting
each from the task worker, signed, retried with backoff and logged.

Deliveries are at least once: an attempt whose answer was lost is made again, with the same
event id, which receivers use to ignore what they already had."""

import datetime
import logging
import time
import uuid

import requests
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import addresses, events, signing
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, secret_generate

logger = logging.getLogger(__name__)

# Waits after each failed attempt; after the last one the delivery is marked failed and waits
# for an admin's "Send again".
RETRY_DELAYS = tuple(datetime.timedelta(minutes=minutes) for minutes in (1, 5, 30, 2 * 60, 6 * 60))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# Seconds to wait for the receiver: a worker must not hang on one that does not answer.
TIMEOUT_SECONDS = 10
# While an attempt is in flight its next attempt is set this far ahead, so the sweep leaves it
# alone; a worker that died mid-attempt is thereby retried once this has passed.
IN_FLIGHT = datetime.timedelta(minutes=2)
# A first attempt the queue never ran (it lost the task, or was down at commit) is picked up by
# the sweep after this.
FIRST_ATTEMPT_GRACE = datetime.timedelta(minutes=2)
USER_AGENT = "Rehabit-Webhooks/1"
ENDPOINT_FIELDS = ("url", "description", "events", "include_details", "is_active")


def event_emit(
    *, clinic_id: int, kind: str, data: dict, details: dict | None = None
) -> list[WebhookDelivery]:
    """Record the event for every active endpoint of the clinic subscribed to `kind`, in the
    caller's transaction, and hand the deliveries to the worker when it commits: a change that
    rolls back tells nobody. `details` is the health information behind the event and goes only
    to endpoints that asked for it."""
    if kind not in events.KINDS:
        raise ValueError(f"unknown webhook event {kind!r}")
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(clinic_id=clinic_id, is_active=True).only(
            "pk", "events", "include_details"
        )
        if endpoint.wants(kind)
    ]
    if not endpoints:
        return []
    return _deliveries_create(
        clinic_id=clinic_id, endpoints=endpoints, kind=kind, data=data, details=details
    )


def _deliveries_create(
    *,
    clinic_id: int,
    endpoints: list[WebhookEndpoint],
    kind: str,
    data: dict,
    details: dict | None,
) -> list[WebhookDelivery]:
    event_id = uuid.uuid4()
    created_at = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event_id=event_id,
                kind=kind,
                body=events.body_for(
                    event_id=event_id,
                    kind=kind,
                    created_at=created_at,
                    clinic_id=clinic_id,
                    data=data,
                    details=(details or {}) if endpoint.include_details else None,
                ),
            )
            for endpoint in endpoints
        ]
    )
    delivery_ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _hand_to_worker(delivery_ids))
    return deliveries


def _hand_to_worker(delivery_ids: list[int]) -> None:
    from .tasks import deliver

    for delivery_id in delivery_ids:
        try:
            deliver.enqueue(delivery_id)
        except Exception:
            # The change is committed and must stand: a patient's session is not refused for
            # want of a queue. The sweep sends what could not be queued.
            logger.exception("Webhook delivery %s could not be queued", delivery_id)


def _endpoint_validated(endpoint: WebhookEndpoint) -> None:
    errors = {}
    try:
        addresses.url_check(endpoint.url)
    except ValidationError as error:
        errors["url"] = error.messages
    unknown = [kind for kind in endpoint.events if kind not in events.KINDS]
    if not endpoint.events or unknown:
        errors["events"] = [
            _("Choose at least one of the events listed, so the webhook has something to send.")
        ]
    try:
        endpoint.full_clean(exclude=["url", "events", "clinic", "created_by"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def _check_admin(*, user, clinic_id: int) -> None:
    # This app sits below clinics: it reads the person it is given and imports nothing above.
    if not user.is_clinic_admin or user.clinic_id != clinic_id:
        raise ValidationError(_("Only the clinic's admins can manage its webhooks."))


@transaction.atomic
def endpoint_create(
    *,
    clinic_id: int,
    created_by,
    url: str,
    events: list[str],
    description: str = "",
    include_details: bool = False,
    is_active: bool = True,
) -> WebhookEndpoint:
    _check_admin(user=created_by, clinic_id=clinic_id)
    endpoint = WebhookEndpoint(
        clinic_id=clinic_id,
        created_by=created_by,
        url=url.strip(),
        description=description.strip(),
        events=list(dict.fromkeys(events)),
        include_details=include_details,
        is_active=is_active,
    )
    _endpoint_validated(endpoint)
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, updated_by, **fields
) -> tuple[WebhookEndpoint, list[str]]:
    """Change what the webhook receives; returns it with the names of the fields changed."""
    unknown = set(fields) - set(ENDPOINT_FIELDS)
    if unknown:
        raise TypeError(f"endpoint_update() cannot change {', '.join(sorted(unknown))}")
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    _check_admin(user=updated_by, clinic_id=endpoint.clinic_id)
    if "url" in fields:
        fields["url"] = fields["url"].strip()
    if "description" in fields:
        fields["description"] = fields["description"].strip()
    if "events" in fields:
        fields["events"] = list(dict.fromkeys(fields["events"]))
    changed = [name for name, value in fields.items() if getattr(endpoint, name) != value]
    if not changed:
        return endpoint, []
    for name in changed:
        setattr(endpoint, name, fields[name])
    _endpoint_validated(endpoint)
    endpoint.save()
    return endpoint, changed


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: WebhookEndpoint, rotated_by) -> WebhookEndpoint:
    """A new signing secret, used from the next attempt on, deliveries already waiting
    included; the old one stops working at once."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    _check_admin(user=rotated_by, clinic_id=endpoint.clinic_id)
    endpoint.secret = secret_generate()
    endpoint.secret_rotated_at = timezone.now()
    endpoint.save(update_fields=["secret", "secret_rotated_at", "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_remove(*, endpoint: WebhookEndpoint, removed_by) -> None:
    """Remove the webhook and its delivery log; what was waiting is not sent."""
    _check_admin(user=removed_by, clinic_id=endpoint.clinic_id)
    endpoint.delete()


@transaction.atomic
def endpoint_ping(*, endpoint: WebhookEndpoint, sent_by) -> WebhookDelivery:
    """A `ping` event to this webhook alone, whatever it subscribed to, so an admin can see
    the receiver check the signature and answer."""
    _check_admin(user=sent_by, clinic_id=endpoint.clinic_id)
    if not endpoint.is_active:
        raise ValidationError(_("This webhook is turned off. Turn it on to send a test event."))
    (delivery,) = _deliveries_create(
        clinic_id=endpoint.clinic_id,
        endpoints=[endpoint],
        kind=events.PING,
        data={"webhook": endpoint.pk},
        details=None,
    )
    return delivery


@transaction.atomic
def delivery_retry(*, delivery: WebhookDelivery, retried_by) -> WebhookDelivery:
    """Send a failed delivery again, the same body with a fresh signature, with its full
    round of attempts."""
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("endpoint")
        .get(pk=delivery.pk)
    )
    _check_admin(user=retried_by, clinic_id=delivery.endpoint.clinic_id)
    if delivery.status != DeliveryStatus.FAILED:
        raise ValidationError(_("Only a delivery that failed can be sent again."))
    if not delivery.endpoint.is_active:
        raise ValidationError(_("This webhook is turned off. Turn it on to send again."))
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = None
    delivery.last_error = ""
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
    transaction.on_commit(lambda: _hand_to_worker([delivery.pk]))
    return delivery


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take the delivery for one attempt, unless it is settled or not due. Committed before the
    receiver is called, so a second worker given the same delivery leaves it alone."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .first()
        )
        if delivery is None:
            return None
        if not delivery.endpoint.is_active:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = _("Not sent: the webhook was turned off.")
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + IN_FLIGHT
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
        return delivery


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """Post the body once; the receiver's status code and, unless it was a 2xx, why the
    attempt failed. The receiver's answer is never read or kept."""
    endpoint = delivery.endpoint
    try:
        addresses.resolved_check(endpoint.url)
    except addresses.AddressRefused as error:
        return None, str(error)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Rehabit-Event": delivery.kind,
        "Rehabit-Delivery": str(delivery.event_id),
        "Rehabit-Signature": signing.signature(
            secret=endpoint.secret, timestamp=timestamp, body=delivery.body
        ),
    }
    try:
        with requests.post(
            endpoint.url,
            data=delivery.body.encode(),
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
        ) as response:
            code = response.status_code
    except requests.Timeout:
        return None, _("No answer within %(seconds)d seconds.") % {"seconds": TIMEOUT_SECONDS}
    except requests.ConnectionError:
        return None, _("Could not connect to the receiver.")
    except requests.RequestException as error:
        return None, type(error).__name__
    if 200 <= code < 300:
        return code, ""
    if 300 <= code < 400:
        return code, _("The receiver answered %(code)d, a redirect, which is not followed.") % {
            "code": code
        }
    return code, _("The receiver answered %(code)d.") % {"code": code}


def delivery_attempt(*, delivery_id: int) -> None:
    """One attempt at a delivery, if it is due: delivered on a 2xx answer, otherwise tried
    again after the next delay, and failed after the last."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return
    code, error = _post(delivery)
    now = timezone.now()
    delivery.last_status_code = code
    delivery.last_error = error[:200]
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        logger.info("Webhook delivery %s failed after %s attempts", delivery.pk, delivery.attempts)
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = delivery.last_attempt_at + RETRY_DELAYS[delivery.attempts - 1]
    # An update rather than a save: the webhook may have been removed, with its log, while the
    # receiver was being called, and then there is nothing left to record.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=delivery.status,
        delivered_at=delivery.delivered_at,
        next_attempt_at=delivery.next_attempt_at,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
    )


def deliveries_sweep() -> int:
    """Hand to the worker every delivery whose next attempt is due, and first attempts the
    queue never ran. The scheduler runs this every minute, which is how retries happen.
    Returns how many were handed on."""
    now = timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, created_at__lte=now - FIRST_ATTEMPT_GRACE)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
    _hand_to_worker(due)
    return len(due)
