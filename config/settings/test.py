"""The test run: fast hashing, in-memory email, and the same database rules as production."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key-for-the-test-run-0123456789abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come straight from the app folders; nothing is collected for the test run.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tasks run at once, in the test, when their transaction commits; the delivery tests start a
# real worker against the database or Redis instead (a worker process they start names its
# queue with REHABIT_TASKS).
if "REHABIT_TASKS" not in os.environ:
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
SITE_URL = "http://testserver"
# Push is off unless a test turns it on with its own keys; its test push service listens on
# the loopback address.
REHABIT_VAPID_PUBLIC_KEY = ""
REHABIT_VAPID_PRIVATE_KEY = ""
REHABIT_PUSH_SERVICES = [*REHABIT_PUSH_SERVICES, "http://127.0.0.1"]  # noqa: F405
# Webhook receivers in the tests listen on the loopback address, over plain HTTP.
REHABIT_WEBHOOK_ALLOW_HTTP = True
