"""A brand-new clinic's first day in Chromium: the clinic is created with `clinic_create`, its
admin follows the printed link, chooses a password, sets up two-step sign-in, lands on the
first-run checklist, works through it, sees each step ticked and hides it. The navigation
fits one line from 1024 px for every role, and the menu under the person's name opens from
the keyboard."""

import base64
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from PIL import Image
from playwright.sync_api import Page, expect

from clinics.models import Clinic
from tests.clinics.factories import PASSWORD, ClinicAdminFactory, TherapistFactory
from tests.patients.factories import PatientWithAccountFactory

from .axe import assert_accessible

LINK = re.compile(r"https?://\S+/welcome/\S+")
ADMIN_PASSWORD = "a brand new clinic on the river"
KEY_TEXT = re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$")


def label(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def app_code(key_text: str) -> str:
    return f"{TOTP(base64.b32decode(key_text.replace(' ', ''))).token():06d}"


def logo_file(tmp_path) -> str:
    path = tmp_path / "logo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), "teal").save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def step(checklist, name: str):
    return checklist.get_by_role("listitem").filter(has_text=name)


def nav_fits_one_line(page: Page) -> dict:
    """The main links and the account menu's button share one row, as high as one link."""
    return page.evaluate(
        """() => {
          const links = [...document.querySelectorAll('#main-nav .nav-link')]
            .filter(link => link.offsetParent !== null);
          const tops = new Set(links.map(link => Math.round(link.getBoundingClientRect().top)));
          const row = document.querySelector('#main-nav').getBoundingClientRect().height;
          return {rows: tops.size, height: row, line: links[0].getBoundingClientRect().height,
                  width: document.documentElement.scrollWidth};
        }"""
    )


def test_a_new_clinic_admin_is_guided_through_their_first_day(
    transactional_db, page, live_server, tmp_path
):
    out = io.StringIO()
    call_command(
        "clinic_create",
        name="Harbour Physio",
        admin_email="hana@harbour.example",
        admin_name="Hana Harbour",
        base_url=live_server.url + "/",
        stdout=out,
    )
    (link,) = LINK.findall(out.getvalue())
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto(link)
    page.get_by_label(label("New password")).fill(ADMIN_PASSWORD)
    page.get_by_label("New password confirmation").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Set password and continue").click()

    expect(page.get_by_role("heading", name="Set up two-step sign-in", level=1)).to_be_visible()
    key_text = page.get_by_text(KEY_TEXT).inner_text()
    page.get_by_label(label("Code from the app")).fill(app_code(key_text))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("button", name="I have saved my codes").click()

    # Home, with what to do first: nothing done yet.
    checklist = page.get_by_role("region", name="Set up your clinic")
    expect(checklist).to_be_visible()
    expect(checklist.get_by_text("0 of 5 done")).to_be_visible()
    assert_accessible(page, context="a new admin's home with the checklist")

    # The clinic's details and logo, and the thresholds, from the settings page.
    checklist.get_by_role("link", name="Add the clinic's details and logo").click()
    expect(page.get_by_role("heading", name="Clinic settings", level=1)).to_be_visible()
    page.get_by_label(label("Phone")).fill("01632 960123")
    page.get_by_label(label("Logo")).set_input_files(logo_file(tmp_path))
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The clinic's settings were saved.")).to_be_visible()

    # A therapist.
    page.get_by_role("link", name="Exercise library", exact=True).click()
    checklist.get_by_role("link", name="Invite a therapist").click()
    page.get_by_label(label("Full name")).fill("Theo Therapist")
    page.get_by_label(label("Email")).fill("theo@harbour.example")
    page.get_by_role("radio", name="Therapist").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to theo@harbour.example.")).to_be_visible()

    # The library, through the checklist.
    page.get_by_role("link", name="Exercise library", exact=True).click()
    checklist.get_by_role("button", name="Look through the exercise library").click()
    expect(page.get_by_role("heading", name="Exercise library", level=1)).to_be_visible()

    expect(checklist.get_by_text("4 of 5 done")).to_be_visible()
    for done in (
        "Add the clinic's details and logo",
        "Check the alert thresholds",
        "Invite a therapist",
        "Look through the exercise library",
    ):
        expect(step(checklist, done).get_by_text("Done", exact=True)).to_be_visible()
    expect(step(checklist, "Add a plan template").get_by_text("Done", exact=True)).to_have_count(0)
    expect(checklist.get_by_role("link", name="Add a plan template")).to_have_attribute(
        "href", reverse("prescriptions:template-add")
    )
    assert_accessible(page, context="the checklist, four steps done")

    # Hidden for good by the admin.
    checklist.get_by_role("button", name="Hide this checklist").click()
    expect(page.get_by_text("The checklist is hidden.")).to_be_visible()
    expect(checklist).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name="Exercise library", level=1)).to_be_visible()
    expect(checklist).to_have_count(0)

    # The pages with nothing in them yet say what to do.
    page.get_by_role("link", name="Templates", exact=True).click()
    expect(page.get_by_text("Your clinic has no templates of its own yet.")).to_be_visible()
    assert_accessible(page, context="templates of a new clinic")
    page.get_by_role("link", name="Outbox", exact=True).click()
    assert_accessible(page, context="outbox of a new clinic")


@pytest.mark.parametrize("width", [1024, 1366])
def test_the_navigation_fits_one_line_for_every_role(
    transactional_db, browser, live_server, width, sign_in
):
    clinic = Clinic.objects.create(name="Lakeside Physiotherapy and Sports Rehab", slug="lakeside")
    people = {
        "admin": ClinicAdminFactory(
            clinic=clinic, email="admin@lakeside.example", full_name="Alexandra Administrator"
        ),
        "therapist": TherapistFactory(
            clinic=clinic, email="therapist@lakeside.example", full_name="Taylor Therapist"
        ),
        "patient": PatientWithAccountFactory(
            primary_therapist__clinic=clinic, email="patient@lakeside.example", first_name="Pat"
        ).user,
    }
    for role, person in people.items():
        context = browser.new_context(
            viewport={"width": width, "height": 800}, reduced_motion="reduce"
        )
        page = context.new_page()
        sign_in(page, person.email, PASSWORD)
        expect(page.locator("main h1")).to_be_visible()
        measured = nav_fits_one_line(page)
        where = f"{role} at {width}px: {measured}"
        assert measured["rows"] == 1, where
        assert measured["height"] < 1.5 * measured["line"], where
        assert measured["width"] == width, where

        # The account menu opens from the keyboard and its items are reached with the arrows.
        toggle = page.get_by_role("button", name=re.compile("^Account:"))
        toggle.focus()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        first = "Your account" if role == "patient" else "Password"
        page.keyboard.press("ArrowDown")
        expect(page.get_by_role("link", name=first)).to_be_focused()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        assert_accessible(page, context=f"account menu open, {where}")
        page.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
        context.close()


def test_a_new_therapist_on_a_phone_sees_their_steps_and_the_account_items_as_a_list(
    transactional_db, browser, live_server, sign_in
):
    therapist = TherapistFactory(full_name="Taylor Therapist")
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, reduced_motion="reduce"
    )
    page = context.new_page()
    sign_in(page, therapist.email, PASSWORD)
    # A new therapist lands on their caseload, with their own three steps.
    checklist = page.get_by_role("region", name="Your first patient")
    expect(checklist.get_by_text("0 of 3 done")).to_be_visible()
    expect(checklist.get_by_role("link", name="Add your first patient")).to_have_attribute(
        "href", reverse("patients:patient-add")
    )
    assert_accessible(page, context="a new therapist's caseload with the checklist")
    page.goto(live_server.url + reverse("exercises:library"))
    page.get_by_role("button", name="Show menu").click()
    for name in ("Password", "Emails", "Two-step sign-in"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") == 375
    assert_accessible(page, context="phone menu open at 375px")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    context.close()
