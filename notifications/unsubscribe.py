"""Signed links that turn reminders or the digest off with one click, without signing in."""

from django.core import signing

SALT = "rehabit.unsubscribe"
REMINDERS, DIGEST = "reminders", "digest"


def unsubscribe_token(*, what: str, pk: int) -> str:
    return signing.dumps({"what": what, "pk": pk}, salt=SALT, compress=True)


def unsubscribe_target(token: str) -> tuple[str, int] | None:
    """What a token turns off, and whose; None for a token that is not one of ours."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("what") not in (REMINDERS, DIGEST):
        return None
    if not isinstance(data.get("pk"), int):
        return None
    return data["what"], data["pk"]
