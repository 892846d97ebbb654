"""Notifications on people's devices (web push): keeping each browser's subscription, telling a
person about something by the channel they chose, and sending one notification from the task
worker through the outbox, which sends each at most once per device and retries refusals."""

import json
import logging
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pywebpush import WebPushException, webpush

from outbox import kinds
from outbox.channels import EMAIL, Undeliverable
from outbox.models import OutboxMessage
from outbox.services import message_enqueue

from .models import Channel, PushSubscription
from .vapid import vapid_keys

logger = logging.getLogger(__name__)

PUSH = "push"
# An outbox message for one device has its notification's key plus this and the device's id.
DEVICE_KEY = ":push:"
# Seconds to wait for the push service: a worker must not hang on one that does not answer.
PUSH_TIMEOUT = 10
# What the push service answers for a subscription the browser dropped (RFC 8030).
GONE = (404, 410)


class PushRefused(Exception):
    """The push service did not take the notification this time; the outbox tries again."""


def endpoint_allowed(endpoint: str) -> bool:
    """Whether the worker may post to this address: only the push services of the browsers
    (REHABIT_PUSH_SERVICES), never any address a signed-in person could name, which would let
    them make the server send requests into its own network."""
    url = urlsplit(endpoint)
    host = url.hostname or ""
    for allowed in settings.REHABIT_PUSH_SERVICES:
        scheme, _sep, pattern = allowed.partition("://")
        if url.scheme != scheme or url.username or url.password:
            continue
        if (pattern.startswith("*.") and host.endswith(pattern[1:])) or host == pattern:
            return True
    return False


@transaction.atomic
def subscription_save(
    *, user, endpoint: str, p256dh: str, auth: str, device: str
) -> tuple[PushSubscription, bool]:
    """Keep the browser's subscription for `user`; True with it when it is new. The same
    browser turned on again is one row, now its current person's."""
    if not endpoint_allowed(endpoint):
        raise ValidationError(
            {"endpoint": _("This address is not a push service this server sends to.")}
        )
    subscription, created = PushSubscription.objects.select_for_update().update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "device": device[:80]},
    )
    return subscription, created


@transaction.atomic
def subscription_remove(*, subscription: PushSubscription) -> None:
    subscription.delete()


@transaction.atomic
def notification_channel_set(*, user, channel: str) -> None:
    """How `user` wants to be told that something is waiting (push.models.Channel)."""
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose one of the ways offered.")})
    user.notification_channel = channel
    user.save(update_fields=["notification_channel"])


def notification_enqueue(
    *, kind: str, key: str, person, language: str, clinic_id: int | None, context: dict
) -> None:
    """Tell `person` about something waiting, once per `key`, the way they chose: a notification
    on each of their devices, and an email too when they chose both, or when they have no device
    with notifications, chose email only, the kind has no notification, or push is not set up
    on this server. Handed to the worker when the current transaction commits."""
    if OutboxMessage.objects.filter(Q(key=key) | Q(key__startswith=key + DEVICE_KEY)).exists():
        return  # asked already, by this scheduler run or an earlier one, on whatever channel
    channel = person.notification_channel
    devices = []
    if channel != Channel.EMAIL and kinds.KINDS[kind].push and vapid_keys() is not None:
        devices = list(PushSubscription.objects.for_user(person).values_list("pk", flat=True))
    emailed = channel == Channel.BOTH or not devices
    for device in devices:
        message_enqueue(
            kind=kind,
            key=f"{key}{DEVICE_KEY}{device}",
            recipient=person.email,
            language=language,
            clinic_id=clinic_id,
            # Without an email, one goes out instead if the device turns out to be gone.
            context={**context, "subscription_id": device, "email_key": "" if emailed else key},
            channel=PUSH,
        )
    if emailed:
        message_enqueue(
            kind=kind,
            key=key,
            recipient=person.email,
            language=language,
            clinic_id=clinic_id,
            context=context,
        )


def push_deliver(message: OutboxMessage) -> str:
    """Send one outbox message as a notification to its device; the outbox's sender for PUSH.
    A device its push service no longer knows is forgotten, and the message is given up."""
    subscription = PushSubscription.objects.filter(pk=message.context["subscription_id"]).first()
    if subscription is None:
        raise Undeliverable("The device was removed before the notification went out.")
    if not endpoint_allowed(subscription.endpoint):
        raise Undeliverable("The device's push service is not one this server sends to.")
    keys = vapid_keys()
    if keys is None:
        raise PushRefused("Push is not set up on this server (REHABIT_VAPID_*).")
    push = kinds.KINDS[message.kind].push(message)
    try:
        webpush(
            subscription_info=subscription.info(),
            data=json.dumps(push.payload()),
            vapid_private_key=keys.private_key,
            vapid_claims={"sub": keys.subject},
            ttl=push.ttl,
            headers={"Urgency": push.urgency},
            timeout=PUSH_TIMEOUT,
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in GONE:
            _device_gone(subscription=subscription, message=message)
            raise Undeliverable(
                f"The push service answered {status}: the device no longer takes "
                "notifications, so it was removed."
            ) from None
        # Not the exception's text: it holds the push service's answer and the device's address.
        raise PushRefused(f"The push service answered {status}.") from None
    except requests.RequestException as error:
        raise PushRefused(f"The push service did not answer: {type(error).__name__}.") from None
    PushSubscription.objects.filter(pk=subscription.pk).update(last_used_at=timezone.now())
    return str(push.title)


def _device_gone(*, subscription: PushSubscription, message: OutboxMessage) -> None:
    others = PushSubscription.objects.for_user(subscription.user_id).exclude(pk=subscription.pk)
    subscription.delete()
    email_key = message.context.get("email_key")
    if email_key and not others.exists():
        context = {
            name: value
            for name, value in message.context.items()
            if name not in ("subscription_id", "email_key")
        }
        message_enqueue(
            kind=message.kind,
            key=email_key,
            recipient=message.recipient,
            language=message.language,
            clinic_id=message.clinic_id,
            context=context,
            channel=EMAIL,
        )
