"""After saving a plan the therapist is offered the next step: invite the patient, print the
handout, or print it with a sign-up code whose short address and QR code set up the patient's
sign-in once."""

import re

from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from prescriptions.models import Plan

from .axe import assert_accessible

NEW_PASSWORD = re.compile(r"^\s*New password\s*\*?\s*$")
SHORT_ADDRESS = re.compile(r"^http://[^/]+/j/[2-9A-HJKMNP-Z]{10}$")


def save_rileys_plan(page: Page, live_server) -> None:
    plan = Plan.objects.get(patient__first_name="Riley")
    page.goto(live_server.url + reverse("prescriptions:plan-detail", args=[plan.pk]))
    page.get_by_role("link", name="Edit plan").click()
    page.get_by_label("Times per day").fill("2")
    page.get_by_role("button", name=re.compile(r"^Save (changes|plan)$")).click()


def test_after_saving_the_therapist_invites_and_prints_a_code_that_works_once(
    page: Page, new_context, live_server, demo_data, sign_in
):
    sign_in(page, "therapist@example.com")
    save_rileys_plan(page, live_server)

    next_step = page.get_by_role("region", name="Plan saved. Next: get it to Riley")
    expect(next_step).to_be_visible()
    expect(next_step.get_by_text("Riley has no Rehabit sign-in yet.")).to_be_visible()
    assert_accessible(page, context="plan page right after saving")

    next_step.get_by_role("button", name="Email an invitation").click()
    expect(page.get_by_text("Invitation sent to riley.chen@example.com.")).to_be_visible()
    later = page.get_by_role("region", name="Getting the plan to Riley")
    expect(later.get_by_text(re.compile("Riley was invited on .* has not set up"))).to_be_visible()
    assert_accessible(page, context="plan page after inviting")
    (message,) = mail.outbox
    emailed_link = re.search(r"https?://\S+", message.body)[0]

    later.get_by_role("button", name="Print with a sign-up code").click()
    expect(page.get_by_role("heading", name="Follow this plan on your phone")).to_be_visible()
    expect(page.get_by_role("img", name="QR code that opens the sign-up page")).to_be_visible()
    short_address = page.locator(".way-in-url").inner_text()
    assert SHORT_ADDRESS.match(short_address), short_address
    assert short_address.startswith(live_server.url)
    assert_accessible(page, context="handout with a sign-up code")

    # Riley types the address from the paper on their own phone.
    phone = new_context().new_page()
    phone.goto(short_address.lower())
    expect(phone.get_by_role("heading", name="Welcome to Rehabit")).to_be_visible()
    expect(phone.get_by_label("Your sign-in email")).to_have_value("riley.chen@example.com")
    phone.get_by_label(NEW_PASSWORD).fill("riley's long evening stretch")
    phone.get_by_label("New password confirmation").fill("riley's long evening stretch")
    phone.get_by_role("button", name="Set password and continue").click()
    expect(phone).to_have_url(live_server.url + reverse("patients:today"))
    expect(phone.get_by_role("heading", name="Hello, Riley", level=1)).to_be_visible()

    # The code has done its job, and the emailed link it replaced no longer works.
    other = new_context().new_page()
    other.goto(short_address)
    expect(other.get_by_text("This invitation has already been used.")).to_be_visible()
    assert_accessible(other, context="used sign-up code")
    other.goto(emailed_link)
    expect(other.get_by_text("A newer invitation has been sent or printed")).to_be_visible()

    # Back on the plan page, Riley now signs in: nothing left to invite.
    page.get_by_role("link", name="Back to the plan").click()
    handover = page.get_by_role("region", name="Getting the plan to Riley")
    expect(handover.get_by_text(re.compile("Riley already signs in to Rehabit"))).to_be_visible()
    expect(handover.get_by_role("button", name="Email an invitation")).to_have_count(0)


def test_the_plain_handout_opens_without_a_code_and_shows_one_only_when_asked(
    page: Page, live_server, demo_data, sign_in
):
    sign_in(page, "therapist@example.com")
    save_rileys_plan(page, live_server)
    page.get_by_role("region", name="Plan saved. Next: get it to Riley").get_by_role(
        "link", name="Print the handout"
    ).click()

    expect(page.get_by_role("heading", name="Back spasm relief", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Follow this plan on your phone")).to_have_count(0)
    assert_accessible(page, context="plain handout")
    page.reload()
    expect(page.get_by_role("heading", name="Follow this plan on your phone")).to_have_count(0)

    page.get_by_role("button", name="Add a sign-up code").click()
    expect(page.get_by_role("heading", name="Follow this plan on your phone")).to_be_visible()
    expect(page.get_by_text(re.compile("shown only this once: print it now"))).to_be_visible()
