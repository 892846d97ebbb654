"""On a phone, the demo patient rates their PSFS activities from Today's card; the therapist
records an ODI total; both show on the patient page, each measure beside adherence."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from outcomes.models import OutcomeEntry
from patients.models import Patient

from .axe import assert_accessible

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_patient_rates_psfs_and_therapist_records_odi(new_context, live_server, demo_data, sign_in):
    phone = new_context(viewport=PHONE, is_mobile=True).new_page()
    sign_in(phone, "patient@example.com")
    expect(phone).to_have_url(live_server.url + reverse("patients:today"))
    card = phone.get_by_role("region", name="Rate your activities")
    expect(card).to_be_visible()
    card.get_by_role("link", name="Rate your activities").click()

    expect(phone.get_by_role("heading", name="Rate your activities", level=1)).to_be_visible()
    assert_accessible(phone, context="PSFS rating at 375×812")
    assert no_sideways_scroll(phone)
    phone.get_by_role("button", name="Send my answers").click()  # nothing chosen yet
    expect(phone.get_by_text("Your answers were not saved yet.")).to_be_visible()
    for name, value in (("Walking to work", "7"), ("Putting on socks", "6")):
        phone.get_by_role("group", name=name).get_by_label(value, exact=True).check()
    phone.get_by_role("group", name="Sitting through a film").get_by_label("8", exact=True).check()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_text("Thank you. Your answers are with your therapist.")).to_be_visible()
    expect(phone.get_by_role("heading", name="Your activities", level=1)).to_be_visible()
    assert_accessible(phone, context="the patient's activities at 375×812")
    assert no_sideways_scroll(phone)

    patient = Patient.objects.get(email="patient@example.com")
    latest = OutcomeEntry.objects.filter(patient=patient, measure="psfs").last()
    assert sorted(latest.ratings.values_list("rating", flat=True)) == [6, 7, 8]
    assert latest.source == "patient"

    desk = new_context(viewport=DESKTOP).new_page()
    sign_in(desk, "therapist@example.com")
    desk.goto(live_server.url + reverse("insights:patient-detail", args=[patient.pk]))
    outcomes = desk.get_by_role("region", name="Outcomes")
    form = outcomes.get_by_role("region", name="Record an ODI or NDI total")
    form.get_by_label("Total from the clinic's form").fill("24")
    form.get_by_role("button", name="Record the total").click()
    expect(desk.get_by_text("Score recorded.")).to_be_visible()

    outcomes = desk.get_by_role("region", name="Outcomes")
    expect(outcomes.get_by_role("img", name=re.compile(r"^PSFS and adherence"))).to_be_visible()
    # The chart names itself with the scores and the weeks' adherence, for a screen reader.
    odi_chart = outcomes.get_by_role(
        "img", name=re.compile(r"^ODI and adherence.*: 24\..*Adherence by week")
    )
    expect(odi_chart).to_be_visible()
    expect(outcomes.get_by_text("Moderate disability")).to_be_visible()
    assert_accessible(desk, context="patient page with outcomes at 1366×900")
    assert OutcomeEntry.objects.filter(patient=patient, measure="odi").last().total == 24
