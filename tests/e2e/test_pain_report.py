"""On a phone, the demo patient reports pain with a warning sign, gets the advice at once, and
finds their pain over time in their history."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from patients.models import PainReport
from patients.red_flags import Severity

from .axe import assert_accessible

PHONE = {"width": 375, "height": 812}


def open_menu_link(page: Page, name: str) -> None:
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def test_patient_reports_pain_with_an_urgent_red_flag_then_sees_the_chart(
    new_context, live_server, demo_data, sign_in
):
    page = new_context(viewport=PHONE, is_mobile=True).new_page()
    sign_in(page, "patient@example.com")
    expect(page).to_have_url(live_server.url + reverse("patients:today"))

    open_menu_link(page, "Report pain")
    expect(page.get_by_role("heading", name="How is your pain?", level=1)).to_be_visible()
    scale = page.get_by_role("group", name=re.compile("How much does it hurt right now"))
    expect(scale.get_by_text("0 – No pain")).to_be_visible()
    expect(scale.get_by_text("10 – Worst pain imaginable")).to_be_visible()
    assert_accessible(page, context="pain report form at 375×812")

    scale.get_by_label("5", exact=True).check()
    page.get_by_label("Where does it hurt?").fill("Lower back, left side")
    page.get_by_label("Pain that is worse at night").check()
    page.get_by_role("button", name="Send my pain report").click()

    expect(page.get_by_role("heading", name="Contact a doctor today", level=1)).to_be_visible()
    expect(page.get_by_text("We have told your therapist.")).to_be_visible()
    expect(
        page.get_by_role("listitem").filter(has_text="Pain that is worse at night")
    ).to_be_visible()
    expect(page.get_by_text("Go to the emergency department now")).to_have_count(0)
    assert_accessible(page, context="urgent advice after a pain report")

    report = PainReport.objects.get(body_location="Lower back, left side")
    assert (report.score, report.red_flags) == (5, ["night_pain"])
    assert report.red_flag_severity == Severity.URGENT

    open_menu_link(page, "Progress")
    expect(page.get_by_role("heading", name="Your progress", level=1)).to_be_visible()
    chart = page.get_by_role("img", name=re.compile(r"^Your pain, "))
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    expect(page.get_by_text("Pain report: 5 out of 10")).to_be_visible()
    expect(page.get_by_text("Warning sign: see a doctor today")).to_be_visible()
    page.get_by_text("Show your pain scores as a table").click()
    expect(page.get_by_role("table", name=re.compile("Pain from 0"))).to_be_visible()
    assert_accessible(page, context="history with the pain chart at 375×812")
