"""A push service on the loopback address that keeps what it is sent, browsers with their own
keys that decrypt it, and the server's VAPID keys turned on for a test."""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from push.services import subscription_save
from push.vapid import b64url_decode, b64url_encode, vapid_keys_generate
from tests.notifications.test_notifications import world  # noqa: F401


class PushService:
    """Answers each POST with `answers[path]` (201 unless told) and keeps what came."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: dict[str, int] = {}
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.received.append(
                    {
                        "path": self.path,
                        "headers": {name.lower(): value for name, value in self.headers.items()},
                        "body": body,
                    }
                )
                self.send_response(service.answers.get(self.path, 201))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def to(self, name: str) -> list[dict]:
        return [request for request in self.received if request["path"] == f"/push/{name}"]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Browser:
    """A browser's side of a subscription: its P-256 key pair and 16-byte auth secret."""

    def __init__(self, name: str):
        self.name = name
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)
        self.p256dh = b64url_encode(
            self.key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )
        self.auth = b64url_encode(self.auth_secret)

    def subscribe(self, service: PushService, user, device="Chrome on Android"):
        subscription, _created = subscription_save(
            user=user,
            endpoint=service.endpoint(self.name),
            p256dh=self.p256dh,
            auth=self.auth,
            device=device,
        )
        return subscription

    def read(self, request: dict) -> dict:
        plain = http_ece.decrypt(
            request["body"],
            private_key=self.key,
            auth_secret=self.auth_secret,
            version="aes128gcm",
        )
        return json.loads(plain)


def vapid_claims(authorization: str, public_key: str) -> dict:
    """The claims of a `vapid t=…, k=…` header, after checking its ES256 signature with the
    server's public key (and that `k` is that key)."""
    scheme, _space, params = authorization.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == public_key
    header, payload, signature = fields["t"].split(".")
    assert json.loads(b64url_decode(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = b64url_decode(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(public_key))
    key.verify(
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        f"{header}.{payload}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    return json.loads(b64url_decode(payload))


@pytest.fixture
def push_service():
    service = PushService()
    yield service
    service.stop()


@pytest.fixture
def vapid(settings):
    keys = vapid_keys_generate(subject="mailto:ops@clinic.example")
    settings.REHABIT_VAPID_PUBLIC_KEY = keys.public_key
    settings.REHABIT_VAPID_PRIVATE_KEY = keys.private_key
    settings.REHABIT_VAPID_SUBJECT = keys.subject
    return keys
