"""The signature on each delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. The
time is signed with the body, so a receiver that refuses old timestamps cannot be fed a
captured delivery again later (docs/webhooks.md shows how to check it)."""

import hashlib
import hmac


def signature(*, secret: str, timestamp: int, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
