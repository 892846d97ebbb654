"""Which addresses the worker may post a clinic's events to. An admin names the address, so
without these checks anyone with an admin account could make the server send requests into its
own network (its database, a cloud provider's metadata service)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}


class AddressRefused(Exception):
    """The address resolves to somewhere this server does not send events."""


def _loopback_allowed(host: str) -> bool:
    # Only the test run turns this on, so its receivers can listen on the loopback address.
    return settings.REHABIT_WEBHOOK_ALLOW_HTTP and host in LOOPBACK_NAMES


def url_check(url: str) -> None:
    """Refuse an address the worker must not post to, saying what is allowed."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" and not (parts.scheme == "http" and _loopback_allowed(host)):
        raise ValidationError(
            _("Use an address that starts with https://, so that events travel encrypted."),
            code="not_https",
        )
    if parts.username or parts.password:
        raise ValidationError(
            _(
                "Leave the user name and password out of the address; each event is signed "
                "with the webhook's secret instead."
            ),
            code="credentials",
        )
    try:
        URLValidator(schemes=["http", "https"])(url.strip())
    except ValidationError:
        raise ValidationError(
            _("Enter the full address, such as https://ehr.example.com/hooks."), code="invalid"
        ) from None
    if _loopback_allowed(host):
        return
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".local"):
        raise ValidationError(_private_message(), code="private")
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return
    if not address.is_global:
        raise ValidationError(_private_message(), code="private")


def _private_message() -> str:
    return _(
        "Use the address your other software has on the internet: private, local and "
        "loopback addresses are refused."
    )


def resolved_check(url: str) -> None:
    """Just before sending: every address the host's name resolves to now must be public, in
    case the name was pointed at a private address after the webhook was saved."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if _loopback_allowed(host):
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise AddressRefused(_("The name %(host)s did not resolve.") % {"host": host}) from error
    for *_rest, sockaddr in infos:
        if not ipaddress.ip_address(sockaddr[0].split("%")[0]).is_global:
            raise AddressRefused(_("The address resolves to a private network address."))
