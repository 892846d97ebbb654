"""The demo therapist reads the remote-monitoring section of Pat's page, logs 12 minutes of a
phone call and sees the month's total grow; the monthly report lists Pat. Each page is checked
with axe and for sideways scrolling on a phone."""

import os
import re

from django.urls import reverse
from playwright.sync_api import expect

from monitoring.selectors import patient_monitoring
from patients.models import Patient

from .axe import assert_accessible

PHONE = {"width": 375, "height": 812}
DESK = {"width": 1366, "height": 900}
SHOTS = os.environ.get("REHABIT_SCREENSHOTS")


def shoot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_therapist_logs_a_phone_call_and_the_report_lists_pat(
    new_context, live_server, demo_data, sign_in
):
    pat = Patient.objects.get(user__email="patient@example.com")
    before = patient_monitoring(patient=pat).progress.total
    page = new_context(viewport=DESK).new_page()
    sign_in(page, "therapist@example.com")
    page.goto(live_server.url + reverse("insights:patient-detail", args=[pat.pk]))
    section = page.get_by_role("region", name="Remote monitoring")
    expect(section.get_by_text("Period 2, under way")).to_be_visible()
    expect(section.get_by_text(re.compile(r"Day 11 of 30; 19 days remain"))).to_be_visible()
    assert_accessible(page, context="the patient page with its monitoring section")
    shoot(page, "patient-desk")

    section.get_by_role("link", name="Log time").click()
    expect(page.get_by_role("heading", name="Log treatment time")).to_be_visible()
    page.get_by_label("Minutes").fill("0")
    page.get_by_label("What was done").fill("Phoned about the evening stiffness")
    page.get_by_label("Phone or video call").check()
    page.get_by_role("button", name="Save time").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved.")
    expect(page.get_by_label("Minutes")).to_have_accessible_description(
        re.compile("Minutes must be a whole number from 1 to 120.")
    )
    expect(page.get_by_label("What was done")).to_have_value("Phoned about the evening stiffness")
    assert_accessible(page, context="the refused time entry")
    page.get_by_label("Minutes").fill("12")
    page.get_by_role("button", name="Save time").click()

    section = page.get_by_role("region", name="Remote monitoring")
    expect(page.get_by_text("12 minutes logged.")).to_be_visible()
    expect(section.locator(".summary-figure").nth(1)).to_have_text(str(before + 12))
    expect(section.get_by_text("Phoned about the evening stiffness")).to_be_visible()

    page.get_by_role("link", name="Monitoring").first.click()
    expect(page.get_by_role("heading", name=re.compile("Remote monitoring, "))).to_be_visible()
    expect(page.get_by_role("rowheader", name=re.compile("Pat Patient"))).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("The clinic decides what it bills")
    assert_accessible(page, context="the monthly report")
    shoot(page, "report-desk")

    phone = new_context(viewport=PHONE, is_mobile=True).new_page()
    sign_in(phone, "therapist@example.com")
    for name, url in (
        ("patient-phone", reverse("insights:patient-detail", args=[pat.pk]) + "#monitoring"),
        ("report-phone", reverse("monitoring:report")),
        ("time-phone", reverse("monitoring:time-entry-add", args=[pat.pk])),
        ("enrolment-phone", reverse("monitoring:enrolment-edit", args=[pat.pk])),
    ):
        phone.goto(live_server.url + url)
        assert fits_the_phone(phone), f"{name} scrolls sideways at 375 px"
        assert_accessible(phone, context=f"{name} at 375×812")
        shoot(phone, name)
