"""Local development: DEBUG on, console email, SQLite unless DATABASE_URL says otherwise."""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import env_bool, env_list, mailers

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "dev-only-insecure-key-never-use-in-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
MAILERS = mailers(
    os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
)
# Static files are served from the app folders by WhiteNoise's finders; collectstatic is for
# production.
STATIC_ROOT = None
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def vapid_from_file(path: Path) -> dict[str, str]:
    """The demo's VAPID keys (`make demo` writes them once with `manage.py vapid_keys`), for
    the keys the environment does not set."""
    if not path.is_file():
        return {}
    lines = (line.partition("=") for line in path.read_text().splitlines())
    return {name.strip(): value.strip() for name, sep, value in lines if sep}


VAPID_FILE = vapid_from_file(BASE_DIR / ".vapid-keys")  # noqa: F405
if not os.environ.get("REHABIT_VAPID_PRIVATE_KEY"):
    REHABIT_VAPID_PUBLIC_KEY = VAPID_FILE.get("REHABIT_VAPID_PUBLIC_KEY", "")
    REHABIT_VAPID_PRIVATE_KEY = VAPID_FILE.get("REHABIT_VAPID_PRIVATE_KEY", "")
    REHABIT_VAPID_SUBJECT = VAPID_FILE.get("REHABIT_VAPID_SUBJECT") or REHABIT_VAPID_SUBJECT  # noqa: F405
