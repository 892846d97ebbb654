"""The caseload as a triage list, on a phone and at a desk: an emergency stands first (in the
banner, with the patient's phone number, and first in the list), every row fits the screen
without sideways scrolling, the search filters as the therapist types without loading a new
page, and the emergency is acknowledged with a note in one tap."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from patients.models import AlertAcknowledgement, AlertKind, Patient
from patients.services import pain_report_record

from .axe import assert_accessible

PHONE = {"width": 375, "height": 812}
DESK = {"width": 1366, "height": 900}


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_the_emergency_comes_first_and_the_list_filters_as_the_therapist_types(
    page: Page, live_server, demo_data, sign_in, viewport
):
    riley = Patient.objects.get(
        first_name="Riley", primary_therapist__email="therapist@example.com"
    )
    riley.phone = "+44 7700 900123"
    riley.save(update_fields=["phone"])
    pain_report_record(
        patient=riley,
        score=6,
        recorded_by=riley.user or riley.primary_therapist,
        red_flag_codes=["saddle_numbness"],
    )
    page.set_viewport_size(viewport)
    sign_in(page, "therapist@example.com")
    expect(page).to_have_url(live_server.url + reverse("insights:caseload"))

    # The banner right under the heading: who, how to reach them, what they reported.
    banner = page.get_by_role("region", name=re.compile("Emergency red flag"))
    expect(banner).to_be_visible()
    expect(banner.get_by_role("link", name="Call +44 7700 900123")).to_have_attribute(
        "href", "tel:+44 7700 900123"
    )
    expect(banner).to_contain_text("Numbness or tingling around the genitals")
    # Then the list, most pressing first: the emergency, then the urgent, then the rest.
    results = page.locator("#caseload-results")
    names = results.get_by_role("rowheader").get_by_role("link")
    expect(names.first).to_have_text("Riley Chen")
    expect(results.get_by_text("Emergency", exact=True).first).to_be_visible()
    assert scroll_width(page) == viewport["width"]
    assert_accessible(page, context=f"caseload at {viewport['width']} px")

    # Details unfold under the alert's line.
    page.get_by_text("Details", exact=True).first.click()
    expect(
        results.get_by_role("link", name=re.compile("Review and acknowledge on Riley's page"))
    ).to_be_visible()
    assert scroll_width(page) == viewport["width"]

    # Typing filters the list in place: no new page (the marker survives), the address keeps
    # the search so a reload or a shared link shows the same list.
    page.evaluate("window.caseloadMarker = 'same page'")
    page.get_by_label("Search by name").fill("pat")
    expect(names).to_have_text(["Pat Patient"])
    expect(page).to_have_url(re.compile(r"[?&]q=pat"))
    assert page.evaluate("window.caseloadMarker") == "same page"
    expect(banner).to_be_visible()  # a search never hides an emergency
    page.get_by_label("Search by name").fill("nobody by that name")
    expect(page.get_by_text("No patient's name matches “nobody by that name”.")).to_be_visible()
    assert_accessible(page, context=f"caseload with no match at {viewport['width']} px")
    page.get_by_role("link", name="Clear the search").click()
    expect(names.first).to_have_text("Riley Chen")

    # The emergency acknowledged in one tap, with a note.
    banner.get_by_label("Note (optional)").fill("Called: on her way to the emergency department.")
    banner.get_by_role("button", name="Acknowledge this emergency").click()
    expect(page.get_by_text("Alert acknowledged for Riley Chen")).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("Emergency red flag"))).to_have_count(0)
    acknowledgement = AlertAcknowledgement.objects.get(kind=AlertKind.RED_FLAG)
    assert acknowledgement.note == "Called: on her way to the emergency department."
    assert scroll_width(page) == viewport["width"]


def test_the_filters_work_without_javascript(browser, live_server, demo_data, sign_in):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    sign_in(page, "therapist@example.com")

    page.get_by_label("Search by name").fill("jordan")
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(r"[?&]q=jordan"))
    expect(page.get_by_role("rowheader").get_by_role("link")).to_have_text(["Jordan Lee"])
    assert scroll_width(page) == PHONE["width"]
    context.close()
