"""A clinic admin invites a therapist, who sets a password and starts work; the admin later
deactivates them, and hands another therapist's patients over while deactivating them too.
The admin also changes an alert threshold in the clinic's settings."""

import re

from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from .axe import assert_accessible

LINK = re.compile(r"https?://\S+")


def label(text: str) -> re.Pattern:
    # Crispy adds an asterisk (and whitespace) to a required field's label.
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def test_admin_invites_a_therapist_and_later_deactivates_them(
    page, new_context, live_server, demo_data, sign_in
):
    sign_in(page, "admin@example.com")
    page.get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_role("heading", name="Staff", level=1)).to_be_visible()
    assert_accessible(page, context="staff list")

    page.get_by_role("link", name="Invite staff").click()
    expect(page.get_by_role("heading", name="Invite a therapist or admin")).to_be_visible()
    assert_accessible(page, context="invite form")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Enter the person's full name.")).to_be_visible()
    assert_accessible(page, context="invite form with errors")

    page.get_by_label(label("Full name")).fill("Nina Newman")
    page.get_by_label(label("Email")).fill("nina@example.com")
    page.get_by_role("radio", name="Therapist").check()
    page.get_by_role("button", name="Send invitation").click()

    expect(page.get_by_text("Invitation sent to nina@example.com.")).to_be_visible()
    nina_row = page.get_by_role("row", name=re.compile("Nina Newman"))
    expect(nina_row.get_by_text("Invited, not signed in yet")).to_be_visible()
    expect(nina_row.get_by_role("button", name="Re-send invitation to Nina Newman")).to_be_visible()
    assert_accessible(page, context="staff list after inviting")
    (message,) = mail.outbox
    assert message.to == ["nina@example.com"]
    (link,) = LINK.findall(message.body)

    # Nina opens the email on her own computer, chooses a password and lands on her caseload.
    nina = new_context().new_page()
    nina.goto(link)
    expect(nina.get_by_role("heading", name="Welcome to Rehabit")).to_be_visible()
    nina.get_by_label(label("New password")).fill("nina's first day at the clinic")
    nina.get_by_label("New password confirmation").fill("nina's first day at the clinic")
    nina.get_by_role("button", name="Set password and continue").click()
    expect(nina).to_have_url(live_server.url + reverse("insights:caseload"))
    expect(nina.get_by_role("heading", name="Caseload", level=1)).to_be_visible()

    page.reload()
    expect(nina_row.get_by_text("Active", exact=True)).to_be_visible()
    nina_row.get_by_role("link", name="Deactivate Nina Newman").click()
    expect(page.get_by_role("heading", name="Deactivate Nina Newman?")).to_be_visible()
    expect(
        page.get_by_text("Nina Newman is not the primary therapist of any patient.")
    ).to_be_visible()
    assert_accessible(page, context="deactivation without patients")
    page.get_by_role("button", name="Deactivate Nina Newman").click()

    expect(
        page.get_by_text("Nina Newman was deactivated and can no longer sign in.")
    ).to_be_visible()
    expect(nina_row.get_by_text("Deactivated")).to_be_visible()
    expect(nina_row.get_by_role("button", name="Reactivate Nina Newman")).to_be_visible()
    assert_accessible(page, context="staff list after deactivating")

    # Nina's open session has ended.
    nina.reload()
    expect(nina).to_have_url(re.compile(re.escape(reverse("clinics:login"))))

    # A therapist with patients: someone has to take them over.
    page.get_by_role("link", name="Deactivate Taylor Therapist").click()
    expect(
        page.get_by_text(re.compile(r"Taylor Therapist is the primary therapist of \d+ active"))
    ).to_be_visible()
    page.get_by_role("button", name="Deactivate Taylor Therapist").click()
    expect(page.get_by_text("Choose the colleague who takes over their patients.")).to_be_visible()
    assert_accessible(page, context="deactivation refused without someone to take over")

    choice = page.get_by_label(label("Reassign their patients to"))
    expect(choice.locator("option")).to_have_text(
        ["Choose a colleague", "Alex Admin (Clinic admin)"]
    )
    choice.select_option(label="Alex Admin (Clinic admin)")
    page.get_by_role("button", name="Deactivate Taylor Therapist").click()
    expect(
        page.get_by_text(
            re.compile(
                r"Taylor Therapist was deactivated and can no longer sign in\. "
                r"\d+ patients moved to Alex Admin\."
            )
        )
    ).to_be_visible()

    page.get_by_role("link", name="Caseload", exact=True).click()
    expect(page.get_by_role("heading", name="Caseload", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Riley Chen")).to_be_visible()


def test_admin_changes_the_pain_alert_threshold(page, live_server, demo_data, sign_in):
    sign_in(page, "admin@example.com")
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", name="Clinic settings", level=1)).to_be_visible()
    expect(page.get_by_label(label("Time zone"))).to_have_value("America/New_York")
    assert_accessible(page, context="clinic settings")

    pain = page.get_by_label(label("Alert when pain is at or above"))
    expect(pain).to_have_value("7")
    pain.fill("11")
    page.get_by_role("button", name="Save settings").click()
    expect(
        page.get_by_text("The pain alert threshold must be a whole number from 1 to 10.")
    ).to_be_visible()
    expect(pain).to_have_value("11")
    assert_accessible(page, context="clinic settings with an error")

    pain.fill("6")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The clinic's settings were saved.")).to_be_visible()
    expect(pain).to_have_value("6")
    assert_accessible(page, context="clinic settings saved")
