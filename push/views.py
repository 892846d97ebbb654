"""Turning notifications on and off for the browser in hand (JSON, from static/js/push.js),
removing a device from the list, and choosing how to be told. Any signed-in person, patient or
staff, for their own devices only."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lib.user_agent import device_label

from . import services
from .access import subscription_for_owner, subscription_for_owner_by_endpoint
from .forms import ChannelForm, SubscriptionForm
from .selectors import devices_for_user, endpoint_digest
from .vapid import vapid_keys
from .worker import SERVICE_WORKER_SCOPE, SERVICE_WORKER_URL


def push_section(*, user, back: str) -> dict:
    """What the "notifications on this device" part of an account page shows; `back` is the
    page (and place in it) its forms return to."""
    keys = vapid_keys()
    devices = devices_for_user(user=user) if keys else []
    return {
        "public_key": keys.public_key if keys else "",
        "devices": devices,
        "known": ",".join(endpoint_digest(device.endpoint) for device in devices),
        "service_worker_url": SERVICE_WORKER_URL,
        "service_worker_scope": SERVICE_WORKER_SCOPE,
        "channel_form": ChannelForm(initial={"channel": user.notification_channel}),
        "back": back,
    }


def _refused(message: str, errors: dict | None = None) -> JsonResponse:
    return JsonResponse({"error": message, "fields": errors or {}}, status=400)


def _json_object(request) -> dict | None:
    try:
        data = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@require_POST
def subscribe(request):
    """Keep this browser's push subscription for the signed-in person."""
    data = _json_object(request)
    if data is None:
        return _refused(_("Send the browser's subscription as a JSON object."))
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    form = SubscriptionForm(
        {"endpoint": data.get("endpoint"), "p256dh": keys.get("p256dh"), "auth": keys.get("auth")}
    )
    if not form.is_valid():
        return _refused(_("This is not a browser's push subscription."), form.errors)
    try:
        subscription, created = services.subscription_save(
            user=request.user,
            device=device_label(request.headers.get("User-Agent", "")),
            **form.cleaned_data,
        )
    except ValidationError as error:
        return _refused(" ".join(error.messages), error.message_dict)
    return JsonResponse(
        {"id": subscription.pk, "device": subscription.device}, status=201 if created else 200
    )


@require_POST
def unsubscribe(request):
    """Forget this browser's subscription (the script unsubscribes the browser itself)."""
    data = _json_object(request)
    if data is None or not isinstance(data.get("endpoint"), str):
        return _refused(_("Send the browser's subscription endpoint as a JSON object."))
    subscription = subscription_for_owner_by_endpoint(user=request.user, endpoint=data["endpoint"])
    services.subscription_remove(subscription=subscription)
    return JsonResponse({"removed": True})


def _back(request):
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("clinics:home")


@require_POST
def device_remove(request, pk: int):
    """Stop notifications to one of the person's devices, from the list on their account page."""
    subscription = subscription_for_owner(user=request.user, pk=pk)
    services.subscription_remove(subscription=subscription)
    messages.success(request, _("That device will get no more notifications."))
    return _back(request)


@require_POST
def channel_set(request):
    form = ChannelForm(request.POST)
    if form.is_valid():
        services.notification_channel_set(user=request.user, channel=form.cleaned_data["channel"])
        messages.success(request, _("Saved how we tell you that something is waiting."))
    else:
        messages.error(request, _("Choose one of the ways offered."))
    return _back(request)
