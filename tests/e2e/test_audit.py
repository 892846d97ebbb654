"""The demo therapist opens Pat Patient's record; the clinic admin finds that in the audit trail
and narrows it with the filters; Pat sees who has viewed their record."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from patients.models import Patient

from .axe import assert_accessible


def test_a_look_at_a_record_shows_in_the_audit_trail_and_to_the_patient(
    page: Page, new_context, live_server, demo_data, sign_in
):
    pat = Patient.objects.get(email="patient@example.com")
    therapist = new_context().new_page()
    sign_in(therapist, "therapist@example.com")
    therapist.goto(live_server.url + reverse("insights:patient-detail", args=[pat.pk]))
    expect(therapist.get_by_role("heading", name="Pat Patient", level=1)).to_be_visible()

    sign_in(page, "admin@example.com")
    page.get_by_role("link", name="Audit trail", exact=True).click()
    expect(page.get_by_role("heading", name="Audit trail", level=1)).to_be_visible()
    trail = page.get_by_role("table", name="The clinic's audit trail, newest first")
    expect(
        trail.get_by_role("row", name=re.compile("Taylor Therapist.*Viewed the patient page"))
    ).to_be_visible()
    assert_accessible(page, context="audit trail")

    page.get_by_label("Person").select_option(
        label="Taylor Therapist (Therapist, therapist@example.com)"
    )
    page.get_by_label("What").select_option(label="Viewed the patient page")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text(re.compile(r"^\s*1 event\s*$"))).to_be_visible()
    row = trail.get_by_role("row", name=re.compile("Taylor Therapist"))
    expect(row.get_by_role("link", name="Pat Patient")).to_be_visible()
    expect(trail.get_by_text("Signed in")).to_have_count(0)
    assert_accessible(page, context="audit trail, filtered")

    patient = new_context().new_page()
    sign_in(patient, "patient@example.com")
    patient.get_by_role("button", name=re.compile("^Account:")).click()  # the menu under their name
    patient.get_by_role("link", name="Your account").click()
    privacy = patient.get_by_role("region", name="Privacy: who has viewed your record")
    # Signing in took the therapist to the caseload first, which showed the patient's name.
    viewed = privacy.get_by_role("listitem").filter(has_text="Viewed the patient page")
    expect(viewed).to_contain_text("Taylor Therapist")
    listed = privacy.get_by_role("listitem").filter(has_text="saw your name on the caseload")
    expect(listed).to_contain_text("Taylor Therapist")
    expect(listed).to_contain_text("once on")
    assert_accessible(patient, context="who has viewed my record")
