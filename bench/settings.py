"""Settings for `bench/run.py`: the development settings with DEBUG off, since DEBUG records
every query and so slows every page, and `bench.urls`, which adds the bare reference view."""

from config.settings.dev import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["testserver"]
# django-axes logs every sign-in at INFO, including the benchmark's own force_login.
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "axes": {"level": "WARNING"}}}  # noqa: F405
