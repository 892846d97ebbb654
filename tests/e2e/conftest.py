"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live_server.

See DEVELOPERS.md ("Browser tests") for the flags and for running or deselecting these tests.
"""

import io
import os
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from clinics.models import User
from clinics.selectors import two_factor_device
from devdata.demo import DEMO_PASSWORD
from tests.clinics.factories import two_factor_code

# Playwright's sync API runs an event loop in the test thread, and Django refuses ORM calls
# from a thread with a running loop. The ORM is still used synchronously here, so allow it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ENV_VAR = "REHABIT_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    # CI runs as root, where Chromium's sandbox cannot start.
    "--no-sandbox",
    "--disable-gpu",
    # The machines reach nothing beyond package registries: no update checks, no sync, no QUIC.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    e2e_dir = Path(__file__).parent
    for item in items:
        if e2e_dir in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = os.environ.get(CHROMIUM_ENV_VAR, DEFAULT_CHROMIUM)
    if not (os.path.isfile(chromium) and os.access(chromium, os.X_OK)):
        # Never a skip: a CI run without its browser would pass while testing nothing.
        pytest.fail(
            f"Chromium not found at {chromium!r}. Install Debian's package with "
            f"`apt-get install chromium`, or point {CHROMIUM_ENV_VAR} at a Chromium executable. "
            "Do not run `playwright install`. To leave browser tests out locally: -m 'not e2e'.",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "headless": browser_type_launch_args.get("headless", True),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Bootstrap animates button colours for 0.15 s; axe measuring a button mid-fade (just after
    # a click) sees blended colours. With reduced motion Bootstrap drops the transition, so axe
    # checks the colours a person actually reads.
    return {**browser_context_args, "reduced_motion": "reduce"}


@pytest.fixture(scope="session")
def base_url(pytestconfig):
    # pytest-playwright 0.10 provides this fixture as an instance method of a plugin object
    # when pytest-base-url is not installed; pytest 9 deprecates that, and deprecations are
    # errors here. Same behaviour, as a plain function.
    return pytestconfig.getoption("--base-url") or pytestconfig.getini("base_url") or None


@pytest.fixture
def demo_data(transactional_db, live_server):
    """The demo clinics from `seed_demo`, written to the database live_server reads."""
    call_command("seed_demo", allow_production=True, stdout=io.StringIO())
    # The demo's flagged sessions email the therapist as they are written; a test starts
    # with an empty outbox so it sees only the emails its own steps send.
    mail.outbox.clear()


@pytest.fixture
def sign_in(live_server):
    """Sign in the way a person does: open the sign-in page, fill the form, press the button.
    Someone with two-step sign-in (the demo admin) is then asked for a code; unless told
    `two_step=False`, it is typed in as from their authenticator app."""

    def sign_in(
        page: Page, email: str, password: str = DEMO_PASSWORD, *, two_step: bool = True
    ) -> None:
        page.goto(live_server.url + reverse("clinics:login"))
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        user = User.objects.filter(email=email).first()
        device = user and two_factor_device(user=user)
        if not (two_step and device and user.check_password(password)):
            return
        expect(page.get_by_role("heading", name="Enter the 6-digit code")).to_be_visible()
        page.get_by_label("Code").fill(two_factor_code(device))
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Enter the 6-digit code")).to_have_count(0)

    return sign_in


def watch_csp_violations(page) -> list[str]:
    """Collect the browser's Content-Security-Policy refusals on this page, as they happen."""
    violations: list[str] = []

    def record(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            violations.append(message.text)

    page.on("console", record)
    return violations


@pytest.fixture(autouse=True)
def no_content_security_policy_violations(request):
    """Every page a browser test visits runs under the real Content-Security-Policy; a blocked
    script, style or image is a failure, not a console message nobody reads."""
    if "page" not in request.fixturenames or request.node.get_closest_marker("csp_violation"):
        yield
        return
    violations = watch_csp_violations(request.getfixturevalue("page"))
    yield
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)
