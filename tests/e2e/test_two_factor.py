"""Two-step sign-in in Chromium: a new clinic admin sets up an authenticator app on a desktop and
on a phone, the demo admin signs in with a code, and an admin unlocks a locked-out therapist."""

import base64
import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import expect

from clinics.models import Clinic
from devdata.demo import DEMO_CLINIC_NAME
from tests.clinics.factories import PASSWORD, ClinicAdminFactory

from .axe import assert_accessible

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
KEY_TEXT = re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$")


def label(text: str) -> re.Pattern:
    # Crispy adds an asterisk (and whitespace) to a required field's label.
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def app_code(key_text: str) -> str:
    """What an authenticator app set up with this key shows now."""
    key = base64.b32decode(key_text.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_new_admin_sets_up_two_step_sign_in(
    new_context, live_server, demo_data, sign_in, viewport
):
    ClinicAdminFactory(
        clinic=Clinic.objects.get(name=DEMO_CLINIC_NAME),
        email="new.admin@example.com",
        full_name="Nora Newadmin",
        two_factor=False,
    )
    page = new_context(viewport=viewport, is_mobile=viewport is PHONE).new_page()
    where = f"at {viewport['width']}px"
    sign_in(page, "new.admin@example.com", PASSWORD)

    # Every page leads to setting it up first.
    expect(page).to_have_url(live_server.url + reverse("clinics:two-factor-setup"))
    expect(page.get_by_role("heading", name="Set up two-step sign-in", level=1)).to_be_visible()
    expect(page.get_by_text("Clinic admins must sign in with two steps")).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    assert_accessible(page, context=f"two-step set-up {where}")
    page.goto(live_server.url + reverse("console:staff-list"))
    expect(page).to_have_url(live_server.url + reverse("clinics:two-factor-setup"))

    key_text = page.get_by_text(KEY_TEXT).inner_text()
    page.get_by_label(label("Code from the app")).fill("000000")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_text("That code does not match.")).to_be_visible()
    expect(page.get_by_text(key_text)).to_be_visible()
    assert_accessible(page, context=f"two-step set-up with a wrong code {where}")

    page.get_by_label(label("Code from the app")).fill(app_code(key_text))
    page.get_by_role("button", name="Turn on two-step sign-in").click()

    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(page.get_by_text("Two-step sign-in is on.")).to_be_visible()
    codes = page.get_by_role("listitem").filter(has_text=re.compile(r"^[a-z2-9]{5}-[a-z2-9]{5}$"))
    expect(codes).to_have_count(10)
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    assert_accessible(page, context=f"recovery codes {where}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a text file").click()
    saved = download.value.path().read_text()
    assert codes.first.inner_text() in saved

    page.get_by_role("button", name="I have saved my codes").click()
    # A new admin goes on to their home page and the clinic's first-run checklist.
    expect(page.get_by_role("heading", name="Set up your clinic")).to_be_visible()
    page.goto(live_server.url + reverse("clinics:two-factor"))
    expect(page.get_by_role("heading", name="Two-step sign-in", level=1)).to_be_visible()
    expect(page.get_by_text("You have 10 unused recovery codes.")).to_be_visible()
    assert_accessible(page, context=f"two-step sign-in page {where}")

    page.goto(live_server.url + reverse("console:staff-list"))
    nora = page.get_by_role("row", name=re.compile("Nora Newadmin"))
    expect(nora.get_by_role("cell", name="On", exact=True)).to_be_visible()


def test_the_demo_admin_signs_in_with_a_code(page, live_server, demo_data, sign_in):
    sign_in(page, "admin@example.com", two_step=False)

    expect(page).to_have_url(live_server.url + reverse("clinics:sign-in-code"))
    expect(page.get_by_role("heading", name="Enter the 6-digit code")).to_be_visible()
    assert_accessible(page, context="code step")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code does not work.")).to_be_visible()
    expect(page.get_by_label("Code")).to_have_value("")
    assert_accessible(page, context="code step with a wrong code")

    # The demo's published recovery code, typed as printed.
    page.get_by_label("Code").fill("rehab-demo3")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + reverse("exercises:library"))
    expect(page.get_by_text("You signed in with a recovery code")).to_be_visible()


def test_an_admin_unlocks_a_locked_out_therapist(
    page, new_context, live_server, demo_data, sign_in
):
    sign_in(page, "admin@example.com")
    page.get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_role("heading", name="Staff", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Locked out of signing in")).to_have_count(0)

    taylor = new_context().new_page()
    for _ in range(10):
        sign_in(taylor, "therapist@example.com", "a wrong guess")
    sign_in(taylor, "therapist@example.com")
    expect(taylor.get_by_role("heading", name="Too many sign-in attempts")).to_be_visible()

    page.reload()
    locked = page.get_by_role("region", name="Locked out of signing in")
    expect(
        locked.get_by_text("Taylor Therapist (Therapist, therapist@example.com)")
    ).to_be_visible()
    assert_accessible(page, context="staff list with a locked-out therapist")
    locked.get_by_role("button", name="Unlock Taylor Therapist").click()

    expect(
        page.get_by_text("Taylor Therapist (therapist@example.com) is unlocked and can sign in")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Locked out of signing in")).to_have_count(0)
    assert_accessible(page, context="staff list after unlocking")

    sign_in(taylor, "therapist@example.com")
    expect(taylor).to_have_url(live_server.url + reverse("insights:caseload"))
