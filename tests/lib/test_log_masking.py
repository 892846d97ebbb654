"""Sign-in and invitation tokens never reach a log: not gunicorn's access log, not Django's."""

import datetime
import io
import logging

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from gunicorn.config import Config

from config import gunicorn as gunicorn_settings
from lib.logs import MaskSecretPaths, mask_secrets, mask_url

TOKEN = "tok3n_-AbCdEf0123456789"


def patterns_taking_a_token(patterns=None, namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from patterns_taking_a_token(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and "token" in pattern.pattern.converters:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_with_a_token_is_masked():
    names = list(patterns_taking_a_token())
    assert {"clinics:sign-in-link-use", "clinics:invitation-accept"} <= set(names)
    for name in names:
        url = reverse(name, kwargs={"token": TOKEN})
        masked = mask_secrets(url)
        assert TOKEN not in masked, (
            f"{name} ({url}) is not masked in the logs: add it to SECRET_PATH"
        )
        assert masked.endswith("/[token]/")


def test_masking_leaves_other_paths_alone():
    for path in ("/sign-in/", "/sign-in/email-link/", "/patients/12/", "/static/css/a.css"):
        assert mask_secrets(path) == path


def test_a_referer_loses_its_query_and_its_token():
    assert (
        mask_url(f"https://rehab.example.org/welcome/{TOKEN}/?next=/x")
        == "https://rehab.example.org/welcome/[token]/"
    )
    assert mask_url("-") == "-"


class Response:
    status = "410 Gone"
    sent = 1234
    headers = [("Content-Type", "text/html"), ("Set-Cookie", "sessionid=cookie-secret")]


class Request:
    headers = [("COOKIE", "sessionid=cookie-secret"), ("REFERER", "x")]


def access_line(path: str, query: str = "", referer: str = "-") -> str:
    config = Config()
    config.set("access_log_format", gunicorn_settings.access_log_format)
    logger = gunicorn_settings.MaskingLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{path}?{query}" if query else path,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "probe/1.0",
    }
    atoms = logger.atoms(Response(), Request(), environ, datetime.timedelta(milliseconds=12))
    return gunicorn_settings.access_log_format % logger.atoms_wrapper_class(atoms)


def test_gunicorn_access_log_masks_the_token_in_path_and_referer():
    line = access_line(
        f"/sign-in/link/{TOKEN}/",
        query=f"t={TOKEN}",
        referer=f"https://rehab.example.org/welcome/{TOKEN}/?a=b",
    )
    assert '"GET /sign-in/link/[token]/ HTTP/1.1" 410 1234' in line
    assert '"https://rehab.example.org/welcome/[token]/"' in line
    assert TOKEN not in line
    assert "t=" not in line


def test_gunicorn_access_log_has_no_query_string_and_no_headers():
    line = access_line("/patients/", query="q=Pat+Patient")
    assert '"GET /patients/ HTTP/1.1"' in line
    assert "Pat" not in line
    assert "cookie-secret" not in line
    # A format that asks for a header or the raw URI gets a dash, not the value.
    wrapper_atoms = gunicorn_settings.MaskingLogger(Config()).atoms(
        Response(),
        Request(),
        {"REQUEST_METHOD": "GET", "RAW_URI": "/x?q=1", "SERVER_PROTOCOL": "HTTP/1.1"},
        datetime.timedelta(0),
    )
    assert "{cookie}i" not in wrapper_atoms
    assert "{raw_uri}e" not in wrapper_atoms


def test_django_log_records_are_masked():
    logger = logging.getLogger("django.request")
    record = logger.makeRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "%s: %s",
        ("Gone", f"/welcome/{TOKEN}/"),
        None,
    )
    assert MaskSecretPaths().filter(record) is True
    assert record.getMessage() == "Gone: /welcome/[token]/"


def test_the_console_handler_masks_what_django_logs(client, db):
    # The handler the settings configure, written to a buffer for the length of one request.
    (console,) = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, MaskSecretPaths) for f in handler.filters)
    ]
    buffer = io.StringIO()
    previous = console.setStream(buffer)
    try:
        client.get(reverse("clinics:invitation-accept", kwargs={"token": TOKEN}))
    finally:
        console.setStream(previous)
    assert "Gone: /welcome/[token]/" in buffer.getvalue()
    assert TOKEN not in buffer.getvalue()
