"""Rehabit served the way a clinic serves it (docs/deployment.md): production settings from the
environment, `collectstatic`, then gunicorn with config/gunicorn.py in front of config.wsgi,
asked over real HTTP. One server for the module; it is always stopped, even when a test fails."""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
STARTUP_SECONDS = 30
TOKEN = "Secret-Token-Never-Logged-0123456789abcdef"


def production_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="serving-test-secret-" + "s" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        DJANGO_MEDIA_ROOT=str(tmp / "media"),
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        # Port 0: the system picks a free port and gunicorn logs which one, so there is no race
        # with another process for a port chosen in advance.
        REHABIT_BIND="127.0.0.1:0",
        WEB_CONCURRENCY="2",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def wait_for_port(log: Path, process: subprocess.Popen) -> int:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text())
        if found:
            port = int(found.group(1))
            try:
                request(port, "GET", "/healthz")
                return port
            except OSError:
                pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


def request(port: int, method: str, path: str, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail("gunicorn did not stop within 30 s of SIGTERM")
    return process.returncode


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serving")
    env = production_env(tmp)
    manage(env, "migrate", "--no-input", "--verbosity", "0")
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")
    log = tmp / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        port = wait_for_port(log, process)
        yield {"port": port, "process": process, "log": log, "static_root": tmp / "static"}
    finally:
        stop(process)


def test_healthz_answers_over_plain_http(server):
    # Production redirects plain HTTP to HTTPS, except for the load balancer's probe.
    status, headers, body = request(server["port"], "GET", "/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok"}
    assert "no-store" in headers["Cache-Control"]
    assert "Set-Cookie" not in headers


def test_other_pages_redirect_plain_http_to_https(server):
    status, headers, _body = request(server["port"], "GET", "/sign-in/")
    assert status == 301
    assert headers["Location"] == f"https://127.0.0.1:{server['port']}/sign-in/"


def test_sign_in_page_is_served_with_its_security_headers(server):
    status, headers, body = request(
        server["port"], "GET", "/sign-in/", {"X-Forwarded-Proto": "https"}
    )
    assert status == 200
    assert b"Sign in to Rehabit" in body
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Secure" in headers["Set-Cookie"]
    policy = headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in policy
    assert "screen-wake-lock=(self)" in policy
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"


def test_collected_static_files_are_served_by_whitenoise_with_a_long_cache(server):
    manifest = json.loads((server["static_root"] / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/rehabit.css"]
    assert hashed != "css/rehabit.css"
    status, headers, body = request(
        server["port"],
        "GET",
        f"/static/{hashed}",
        {"Accept-Encoding": "gzip", "X-Forwarded-Proto": "https"},
    )
    assert status == 200
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert headers["Content-Type"].startswith("text/css")
    assert headers.get("Content-Encoding") == "gzip"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert body


def test_access_log_masks_link_tokens_and_drops_query_strings(server):
    port = server["port"]
    https = {"X-Forwarded-Proto": "https"}
    request(port, "GET", f"/sign-in/link/{TOKEN}/?next=/{TOKEN}", https)
    request(port, "GET", f"/welcome/{TOKEN}/", https)
    request(port, "GET", "/sign-in/", {**https, "Referer": f"https://127.0.0.1/welcome/{TOKEN}/"})
    expected = [
        '"GET /sign-in/link/[token]/ HTTP/1.1" 410',
        '"GET /welcome/[token]/ HTTP/1.1" 410',
        '"https://127.0.0.1/welcome/[token]/"',
        # Django logs every 4xx with its path (django.request); those are masked too.
        "Gone: /welcome/[token]/",
    ]
    # A worker writes its access log line just after the response, so give it a moment.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        log = server["log"].read_text()
        if all(line in log for line in expected):
            break
        time.sleep(0.1)
    for line in expected:
        assert line in log
    assert TOKEN not in log
    assert "next=" not in log


def test_gunicorn_stops_cleanly_on_sigterm(server):
    assert stop(server["process"]) == 0
    assert "Shutting down: Master" in server["log"].read_text()
