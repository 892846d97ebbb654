"""Settings for `bench/run.py` and the load test's server (`bench/load.py`): the development
settings with DEBUG off, since DEBUG records every query and so slows every page, and
`bench.urls`, which adds the bare reference view."""

from config.settings.dev import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
# The test client's host, and the load test's gunicorn on this machine.
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# django-axes logs every sign-in at INFO, including the benchmark's own force_login.
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "axes": {"level": "WARNING"}}}  # noqa: F405
