"""On a phone, the demo patient opens their progress: the streak, a sentence on their pain since
they started, sessions done week by week, and the weeks folded but for this one."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from .axe import assert_accessible

PHONE = {"width": 375, "height": 812}


def test_the_patient_sees_their_streak_their_pain_and_their_weeks(
    new_context, live_server, demo_data, sign_in
):
    page = new_context(viewport=PHONE, is_mobile=True).new_page()
    sign_in(page, "patient@example.com")
    page.goto(live_server.url + reverse("patients:history"))
    expect(page.get_by_role("heading", name="Your progress", level=1)).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ days? in a row on plan"))).to_be_visible()
    # The demo patient's pain eased from the first week's average to the latest score.
    expect(page.get_by_text(re.compile(r"Your pain has eased from [\d.]+ to \d+"))).to_be_visible()
    chart = page.get_by_role("img", name="Sessions done each week")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    this_week = page.locator("details.history-week").first
    expect(this_week).to_have_attribute("open", "")
    expect(page.locator("details.history-week[open]")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page, context="the patient's progress at 375×812")
    page.locator("details.history-week").nth(1).locator("summary").click()
    expect(page.locator("details.history-week[open]")).to_have_count(2)
