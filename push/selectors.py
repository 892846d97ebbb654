import hashlib

from .models import PushSubscription


def devices_for_user(*, user) -> list[PushSubscription]:
    return list(PushSubscription.objects.for_user(user).order_by("-created_at", "-id"))


def endpoint_digest(endpoint: str) -> str:
    """How a page tells its script which browsers are on without printing their addresses."""
    return hashlib.sha256(endpoint.encode()).hexdigest()
