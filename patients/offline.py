"""The patient's pages as an app on their phone: what the service worker may keep, where it
works, and whose pages it keeps.

The worker's scope is the patient's own pages (`/patients/me/`): staff pages share the
`/patients/<pk>/` addresses and are never under it, so nothing of theirs is ever kept."""

from django.utils.crypto import salted_hmac

from clinics.middleware import PATIENT_ABSOLUTE_SECONDS
from push.worker import SERVICE_WORKER_SCOPE, SERVICE_WORKER_URL

__all__ = ["SERVICE_WORKER_SCOPE", "SERVICE_WORKER_URL", "device_key", "kept_for_seconds"]

MANIFEST_URL = "/manifest.webmanifest"


def device_key(user) -> str:
    """Names the signed-in patient to the worker without saying who they are: the pages it
    keeps and the logs it holds belong to this key, and are neither shown nor sent for
    anyone else who signs in on the same phone."""
    key = salted_hmac("rehabit.offline.device-key", str(user.pk), algorithm="sha256")
    return key.hexdigest()[:20]


def kept_for_seconds() -> int:
    """How long a kept page may be shown without the network: no longer than a patient stays
    signed in."""
    return PATIENT_ABSOLUTE_SECONDS
