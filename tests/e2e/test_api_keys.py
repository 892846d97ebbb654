"""A clinic admin connects the clinic's health record: makes an API key from the settings,
copies it once, the other system calls the API with it, and the admin revokes it. The API's
reference page draws every operation from the schema under the site's CSP."""

import json
import re
import urllib.error
import urllib.request

from playwright.sync_api import expect

from .axe import assert_accessible


def label(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def call(url: str, key: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            json.load(response)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_admin_makes_a_key_the_other_system_uses_it_and_the_admin_revokes_it(
    page, live_server, demo_data, sign_in
):
    sign_in(page, "admin@example.com")
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", name="API keys", level=1)).to_be_visible()
    assert_accessible(page, context="API keys")

    page.get_by_label(label("Name")).fill("EHR sync")
    page.get_by_role("button", name="Make key").click()
    expect(page.get_by_text("Choose the staff member the key acts as.")).to_be_visible()
    expect(page.get_by_label(label("Name"))).to_have_value("EHR sync")
    assert_accessible(page, context="API key form with errors")

    page.get_by_label("Read and write").check()
    page.get_by_label(label("Acts as")).select_option(label="Taylor Therapist (Therapist)")
    page.get_by_role("button", name="Make key").click()
    key = page.get_by_label("Key", exact=True).input_value()
    assert key.startswith("rhk_")
    assert_accessible(page, context="a new key shown once")
    assert call(f"{live_server.url}/api/v1/patients/", key) == 200

    page.reload()
    expect(page.get_by_text(key)).to_have_count(0)
    card = page.get_by_role("article").filter(has_text="EHR sync")
    card.get_by_text("Revoke…").click()
    card.get_by_role("button", name="Revoke EHR sync").click()
    expect(page.get_by_text("The key EHR sync was revoked")).to_be_visible()
    assert call(f"{live_server.url}/api/v1/patients/", key) == 401


def test_the_api_reference_draws_every_operation(page, live_server):
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_role("heading", name="Rehabit API", level=1)).to_be_visible()
    expect(page.get_by_text("/api/v1/patients/", exact=True).first).to_be_visible()
    assert page.locator(".opblock").count() >= 30
