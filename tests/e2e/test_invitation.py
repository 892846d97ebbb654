"""A therapist invites a patient by email; the patient opens the link, chooses a password and
lands on today's routine."""

import re

from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from .axe import assert_accessible

LINK = re.compile(r"https?://\S+")
# Crispy adds an asterisk (and whitespace) to a required field's label; a regex is not normalised.
NEW_PASSWORD = re.compile(r"^\s*New password\s*\*?\s*$")


def test_therapist_invites_a_patient_who_sets_a_password_and_sees_today(
    page, new_context, live_server, demo_data, sign_in
):
    sign_in(page, "therapist@example.com")
    page.get_by_role("link", name="Riley Chen").click()
    expect(page.get_by_role("heading", name="Riley Chen", level=1)).to_be_visible()
    expect(page.get_by_text("No sign-in yet.")).to_be_visible()

    page.get_by_role("button", name="Invite to Rehabit").click()

    expect(page.get_by_text("Invitation sent to riley.chen@example.com.")).to_be_visible()
    expect(page.get_by_role("button", name="Send a new invitation")).to_be_visible()
    assert_accessible(page, context="patient page after inviting")
    (message,) = mail.outbox
    assert message.to == ["riley.chen@example.com"]
    (link,) = LINK.findall(message.body)
    assert link.startswith(live_server.url + "/welcome/")

    # The patient opens the email on their own device.
    patient = new_context().new_page()
    patient.goto(link)
    expect(patient.get_by_role("heading", name="Welcome to Rehabit")).to_be_visible()
    assert_accessible(patient, context="set-password page")

    patient.get_by_label(NEW_PASSWORD).fill("short")
    patient.get_by_label("New password confirmation").fill("short")
    patient.get_by_role("button", name="Set password and continue").click()
    expect(patient.get_by_text("This password is too short.")).to_be_visible()
    assert_accessible(patient, context="set-password page showing an error")

    patient.get_by_label(NEW_PASSWORD).fill("riley's long evening stretch")
    patient.get_by_label("New password confirmation").fill("riley's long evening stretch")
    patient.get_by_role("button", name="Set password and continue").click()

    expect(patient).to_have_url(live_server.url + reverse("patients:today"))
    expect(patient.get_by_role("heading", name="Hello, Riley", level=1)).to_be_visible()
    assert_accessible(patient, context="today page after accepting the invitation")

    # The link has done its job.
    patient.goto(link)
    expect(patient.get_by_text("This invitation has already been used.")).to_be_visible()
    assert_accessible(patient, context="used invitation link")


def test_patient_signs_in_with_an_emailed_link(page, live_server, demo_data):
    page.goto(live_server.url + reverse("clinics:login"))
    page.get_by_role("link", name="Email me a sign-in link instead").click()
    expect(page.get_by_role("heading", name="Sign in with an email link")).to_be_visible()
    assert_accessible(page, context="ask for a sign-in link")

    page.get_by_label("Email").fill("Patient@Example.com")
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("status")).to_have_text(
        "If that address belongs to a patient account, we've emailed a sign-in link. "
        "It works once, for 15 minutes."
    )
    assert_accessible(page, context="sign-in link sent")

    (message,) = mail.outbox
    (link,) = LINK.findall(message.body)
    page.goto(link)
    expect(page.get_by_role("heading", name="Sign in to Rehabit")).to_be_visible()
    assert_accessible(page, context="sign-in link confirmation")
    page.get_by_role("button", name="Sign me in").click()

    expect(page).to_have_url(live_server.url + reverse("patients:today"))
    expect(page.get_by_role("heading", name="Hello, Pat", level=1)).to_be_visible()
