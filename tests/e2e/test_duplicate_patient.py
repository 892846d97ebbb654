"""Adding a patient the clinic already has: the form names the record, to reactivate or open,
or asks why this is a different person."""

import re

from playwright.sync_api import Page, expect

from clinics.models import AuditAction, AuditEvent
from patients.models import Patient

from .axe import assert_accessible


def fill_new_patient(page: Page, *, first: str, last: str, email: str) -> None:
    page.get_by_label(re.compile(r"^\s*First name")).fill(first)
    page.get_by_label(re.compile(r"^\s*Last name")).fill(last)
    page.get_by_label("Email").fill(email)


def test_a_former_patient_added_again_is_reactivated_instead(
    page: Page, live_server, demo_data, sign_in
):
    sign_in(page, "therapist@example.com")
    page.goto(live_server.url + "/patients/new/")
    assert_accessible(page, context="add-patient form")
    fill_new_patient(page, first="Morgan", last="Diaz", email="Morgan.Diaz@example.com")
    page.get_by_role("button", name="Add patient").click()

    offer = page.get_by_role("region", name=re.compile("this may be a patient you already have"))
    expect(offer).to_be_visible()
    expect(offer.get_by_text("Morgan Diaz", exact=True)).to_be_visible()
    expect(page.get_by_label(re.compile(r"^\s*First name"))).to_have_value("Morgan")
    expect(page.get_by_label("Why is this a different person?")).to_be_visible()
    assert_accessible(page, context="add-patient form offering the existing record")
    assert Patient.objects.filter(last_name="Diaz").count() == 1

    offer.get_by_role("button", name="Reactivate Morgan Diaz").click()
    expect(page.get_by_text("Morgan Diaz is an active patient again.")).to_be_visible()
    expect(page.get_by_role("heading", name="Morgan Diaz", level=1)).to_be_visible()
    assert Patient.objects.filter(last_name="Diaz").count() == 1


def test_a_different_person_with_the_same_email_is_added_with_a_reason(
    page: Page, live_server, demo_data, sign_in
):
    sign_in(page, "therapist@example.com")
    page.goto(live_server.url + "/patients/new/")
    fill_new_patient(page, first="Robin", last="Chen", email="riley.chen@example.com")
    page.get_by_role("button", name="Add patient").click()

    page.get_by_role("button", name="Add as a new patient").click()
    expect(page.get_by_text("Say why this is a different person")).to_be_visible()
    assert_accessible(page, context="add-patient form asking for a reason")

    page.get_by_label("Why is this a different person?").fill("Riley's partner, shared inbox")
    page.get_by_role("button", name="Add as a new patient").click()
    expect(page.get_by_role("heading", name="Robin Chen", level=1)).to_be_visible()
    added = Patient.objects.get(first_name="Robin")
    event = AuditEvent.objects.get(action=AuditAction.PATIENT_CREATED, patient=added)
    assert "Riley's partner, shared inbox" in event.summary
