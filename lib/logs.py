"""Secrets that travel in URL paths, kept out of every log.

A sign-in link or an invitation works for whoever holds it, so its token must not land in a log
that more people can read than the email it came in. Used by Django's LOGGING (a filter on the
console handler) and by gunicorn's access log (config/gunicorn.py). tests/test_log_masking.py
fails if a URL pattern with a token is added and not covered here.
"""

import logging
import re
from urllib.parse import urlsplit

SECRET_PATH = re.compile(
    r"(/sign-in/link/|/sign-in/unlock/|/welcome/|/j/|/unsubscribe/)[^/\s?#\"']+"
)
MASK = r"\1[token]"


def mask_secrets(text: str) -> str:
    return SECRET_PATH.sub(MASK, text)


def mask_url(url: str) -> str:
    """A URL (a Referer header) without its query and with any token masked."""
    if url in ("", "-"):
        return url
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return origin + mask_secrets(parts.path)


class MaskSecretPaths(logging.Filter):
    """Masks tokens in a record's message, e.g. django.request's "Gone: /welcome/<token>/"."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
