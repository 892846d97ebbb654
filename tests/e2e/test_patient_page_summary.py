"""The demo therapist opens Sam Okafor's page on a laptop and on a phone: how Sam is doing fits
the first screen, nothing scrolls sideways, the section links and an alert's link to the session
behind it land where they say, with or without JavaScript."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from devdata.demo import DEMO_PASSWORD
from patients.models import Patient

from .axe import assert_accessible

SIZES = [(375, 812), (1366, 900)]


def open_sam(page: Page, live_server) -> Patient:
    sam = Patient.objects.get(email="sam.okafor@example.com")
    page.goto(live_server.url + reverse("insights:patient-detail", args=[sam.pk]))
    expect(page.get_by_role("heading", name="Sam Okafor", level=1)).to_be_visible()
    return sam


def assert_no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") == width


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_summary_answers_how_the_patient_is_doing_from_the_first_screen(
    page: Page, live_server, demo_data, sign_in, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, "therapist@example.com")
    open_sam(page, live_server)

    summary = page.get_by_role("region", name="How Sam is doing")
    expect(summary.get_by_text("Hip and knee mobility")).to_be_visible()
    expect(summary.get_by_text(re.compile(r"^Heel slide$"))).to_be_visible()
    expect(summary.get_by_text(re.compile(r"last 7 days \(\d+ of \d+ sessions\)"))).to_be_visible()
    expect(summary.get_by_text(re.compile(r"^Pain \d+/10, (up|down) [\d.]+ from"))).to_be_visible()
    expect(summary.get_by_text("Session flagged:")).to_be_visible()
    # On a laptop the whole summary is on the first screen; on a phone, within a screen and a
    # half, everything but the plan's dose, which comes last (its title still in reach).
    if width > 1000:
        box = summary.bounding_box()
        assert box["y"] + box["height"] <= height
    else:
        for term in ("Adherence", "Pain", "Last session", "Open alerts (2)"):
            tile = summary.locator(".summary-item").filter(
                has=page.get_by_role("term").filter(has_text=re.compile(f"^{re.escape(term)}$"))
            )
            box = tile.bounding_box()
            assert box["y"] + box["height"] <= height * 1.5, term
        plan_title = summary.get_by_role("link", name="Hip and knee mobility")
        assert plan_title.bounding_box()["y"] <= height * 1.5
    assert_no_sideways_scroll(page, width)
    assert_accessible(page, context=f"patient page at {width}")

    # Opened further, folded parts still fit the width.
    page.get_by_text(re.compile(r"^Show \d+ earlier sessions$")).click()
    page.get_by_text("Show the pain scores as a table").click()
    assert_no_sideways_scroll(page, width)
    assert_accessible(page, context=f"patient page at {width}, opened")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_section_links_and_an_alerts_evidence_link_land_on_what_they_name(
    page: Page, live_server, demo_data, sign_in, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, "therapist@example.com")
    sam = open_sam(page, live_server)
    sections = page.get_by_role("navigation", name="Parts of the patient page")

    for link, heading in (
        ("Sessions", "Sessions"),
        ("Pain", "Pain reports"),
        ("Record", "Record"),
        ("Progress", "Progress"),
        ("Plan", "Plan"),
    ):
        sections.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", name=heading, exact=True, level=2)).to_be_in_viewport()

    page.evaluate("window.scrollTo(0, 0)")
    flagged = (
        page.get_by_role("region", name="How Sam is doing")
        .get_by_role("listitem")
        .filter(has_text="Session flagged:")
    )
    link = flagged.get_by_role("link", name="See the session")
    anchor = link.get_attribute("href").split("#")[1]
    assert anchor.startswith("session-")
    link.click()
    session = page.locator(f"#{anchor}")
    expect(session).to_be_visible()
    expect(session).to_be_in_viewport()
    expect(session).to_contain_text("Flagged")

    # The oldest session is folded away at first; a link to it opens the fold.
    oldest = sam.sessions.order_by("performed_at").first()
    page.goto(
        live_server.url
        + reverse("insights:patient-detail", args=[sam.pk])
        + f"#session-{oldest.pk}"
    )
    expect(page.locator(f"#session-{oldest.pk}")).to_be_visible()
    expect(page.locator(f"#session-{oldest.pk}")).to_be_in_viewport()
    assert_no_sideways_scroll(page, width)


def test_the_sections_are_reached_without_javascript(browser, live_server, demo_data):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(live_server.url + reverse("clinics:login"))
    page.get_by_label("Email").fill("therapist@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    open_sam(page, live_server)
    sections = page.get_by_role("navigation", name="Parts of the patient page")
    sections.get_by_role("link", name="Pain", exact=True).click()
    assert page.url.endswith("#pain")
    expect(page.get_by_role("heading", name="Pain reports", level=2)).to_be_in_viewport()
    page.get_by_role("link", name="30 days").click()
    expect(page.get_by_text(re.compile(r"^The last 30 days:"))).to_be_visible()
    assert_no_sideways_scroll(page, 375)
    context.close()
