"""Signing in through the real sign-in page as each demo persona, in Chromium."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from .axe import assert_accessible

PHONE = {"width": 375, "height": 812}


def _expect_library(page: Page) -> None:
    expect(page.get_by_role("heading", name="Exercise library", level=1)).to_be_visible()
    # exact: the catalog also has a "Single knee-to-chest stretch".
    expect(page.get_by_role("link", name="Knee-to-chest stretch", exact=True)).to_be_visible()


def _expect_caseload(page: Page) -> None:
    expect(page.get_by_role("heading", name="Caseload", level=1)).to_be_visible()
    expect(page.get_by_role("rowheader", name="Pat Patient")).to_be_visible()


def _expect_today(page: Page) -> None:
    expect(page.get_by_role("heading", name="Hello, Pat", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Back spasm relief", level=2)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Start")).first).to_be_in_viewport()
    knee_to_chest = page.get_by_role("listitem").filter(has_text="Knee-to-chest stretch")
    expect(knee_to_chest.get_by_text("Hold 30 seconds, 3 times", exact=False)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Prone press-up")).to_be_visible()


@pytest.mark.parametrize(
    ("email", "home", "expect_home"),
    [
        pytest.param("admin@example.com", "exercises:library", _expect_library, id="clinic-admin"),
        pytest.param(
            "therapist@example.com", "insights:caseload", _expect_caseload, id="therapist"
        ),
        pytest.param("patient@example.com", "patients:today", _expect_today, id="patient"),
    ],
)
def test_each_demo_role_signs_in_and_lands_on_its_home(
    page, live_server, demo_data, sign_in, email, home, expect_home
):
    sign_in(page, email)

    expect(page).to_have_url(live_server.url + reverse(home))
    expect_home(page)
    assert_accessible(page, context=f"home of {email}")


def test_sign_in_page_is_accessible(page, live_server, transactional_db):
    page.goto(live_server.url + reverse("clinics:login"))

    expect(page.get_by_role("heading", name="Sign in to Rehabit")).to_be_visible()
    assert_accessible(page, context="sign-in page")


def test_wrong_password_shows_the_error_and_stays_on_sign_in(page, live_server, demo_data, sign_in):
    sign_in(page, "therapist@example.com", "not-the-demo-password")

    expect(page.get_by_text("That email and password do not match an account.")).to_be_visible()
    expect(page).to_have_url(live_server.url + reverse("clinics:login"))
    expect(page.get_by_label("Email")).to_have_value("therapist@example.com")
    assert_accessible(page, context="sign-in page showing a wrong-password error")


def test_other_clinics_therapist_does_not_see_the_demo_clinics_patients(
    page, live_server, demo_data, sign_in
):
    sign_in(page, "therapist@other.example.com")
    expect(page).to_have_url(live_server.url + reverse("insights:caseload"))
    # Widest view a therapist can ask for, so only the clinic boundary can hide anyone.
    page.get_by_label("Show", exact=True).select_option(label="All of the clinic's patients")
    page.get_by_label("Status", exact=True).select_option(label="Any status")

    expect(page).to_have_url(re.compile(r"[?&]scope=all"))
    expect(page.get_by_role("rowheader", name="Omar Haddad")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*1 patient;"))
    expect(page.get_by_text("Pat Patient")).to_have_count(0)


def test_patients_today_page_on_a_phone(new_context, live_server, demo_data, sign_in):
    page = new_context(viewport=PHONE, is_mobile=True).new_page()
    sign_in(page, "patient@example.com")

    expect(page).to_have_url(live_server.url + reverse("patients:today"))
    _expect_today(page)
    expect(page.get_by_role("button", name="Show menu")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    assert_accessible(page, context="patient's today page at 375×812")


def test_sign_out_from_the_phone_menu_returns_to_sign_in(
    new_context, live_server, demo_data, sign_in
):
    page = new_context(viewport=PHONE, is_mobile=True).new_page()
    sign_in(page, "patient@example.com")
    expect(page).to_have_url(live_server.url + reverse("patients:today"))

    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(live_server.url + reverse("clinics:login"))
    expect(page.get_by_role("heading", name="Sign in to Rehabit")).to_be_visible()
    page.goto(live_server.url + reverse("patients:today"))
    expect(page.get_by_role("heading", name="Sign in to Rehabit")).to_be_visible()
