"""`manage.py check` (and every start) refuses VAPID keys that cannot work: one key without the
other, or a public key that is not the private key's, which push services would refuse for
every notification while the pages offer to turn them on."""

from django.conf import settings
from django.core import checks

from .vapid import public_key_of


@checks.register(checks.Tags.security)
def vapid_keys_check(app_configs, **kwargs):
    public_key = settings.REHABIT_VAPID_PUBLIC_KEY.strip()
    private_key = settings.REHABIT_VAPID_PRIVATE_KEY.strip()
    if not public_key and not private_key:
        return []
    if not public_key or not private_key:
        return [
            checks.Error(
                "Set both REHABIT_VAPID_PUBLIC_KEY and REHABIT_VAPID_PRIVATE_KEY, or neither.",
                hint="manage.py vapid_keys prints a new pair.",
                id="push.E001",
            )
        ]
    try:
        matches = public_key_of(private_key) == public_key
    except ValueError:
        matches = False
    errors = []
    if not matches:
        errors.append(
            checks.Error(
                "REHABIT_VAPID_PUBLIC_KEY is not the public key of REHABIT_VAPID_PRIVATE_KEY.",
                hint="Copy both from one run of manage.py vapid_keys.",
                id="push.E002",
            )
        )
    if not settings.REHABIT_VAPID_SUBJECT.startswith(("mailto:", "https://")):
        errors.append(
            checks.Error(
                "REHABIT_VAPID_SUBJECT must be a mailto: or https: address.",
                id="push.E003",
            )
        )
    return errors
