"""The server's VAPID keys, which sign every notification so push services know it comes from
this server (RFC 8292). They come from the environment; without them push is off and
everything goes by email."""

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings


@dataclass(frozen=True)
class VapidKeys:
    public_key: str  # the browser's applicationServerKey: an uncompressed P-256 point
    private_key: str  # the private number, 32 bytes
    subject: str  # how a push service can reach the server's operator: mailto: or https:


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def vapid_keys() -> VapidKeys | None:
    """The configured keys, or None when push is not set up on this server."""
    public_key = settings.REHABIT_VAPID_PUBLIC_KEY.strip()
    private_key = settings.REHABIT_VAPID_PRIVATE_KEY.strip()
    if not public_key or not private_key:
        return None
    return VapidKeys(
        public_key=public_key, private_key=private_key, subject=settings.REHABIT_VAPID_SUBJECT
    )


def public_key_of(private_key: str) -> str:
    """The public key that belongs to a private key, both base64url as in the environment."""
    number = int.from_bytes(b64url_decode(private_key), "big")
    key = ec.derive_private_key(number, ec.SECP256R1())
    return b64url_encode(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def vapid_keys_generate(*, subject: str) -> VapidKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    private_key = b64url_encode(key.private_numbers().private_value.to_bytes(32, "big"))
    return VapidKeys(
        public_key=public_key_of(private_key), private_key=private_key, subject=subject
    )
