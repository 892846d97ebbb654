"""The demo patient, on a phone, reads the demo's conversation and writes to their care team;
the demo therapist, at a desk, sees the unread message on the caseload and the patient's page,
reads it and replies; the patient sees the reply counted beside the menu and reads it. An empty
message is refused, kept open."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from .axe import assert_accessible

PHONE = {"width": 375, "height": 812}
DESK = {"width": 1366, "height": 900}
QUESTION = "The press-up made my lower back ache afterwards. Should I keep doing it?"
ANSWER = "A mild ache that settles within an hour is expected. Keep going once a day."


def test_patient_and_therapist_exchange_messages_and_each_sees_the_unread_count(
    new_context, live_server, demo_data, sign_in
):
    patient = new_context(viewport=PHONE, is_mobile=True).new_page()
    sign_in(patient, "patient@example.com")
    patient.get_by_role("button", name="Show menu").click()
    patient.get_by_role("link", name="Messages").click()
    expect(patient.get_by_role("heading", name="Messages", level=1)).to_be_visible()
    # The demo's conversation: the patient's question and their therapist's answer.
    expect(patient.get_by_role("listitem").filter(has_text="knee-to-chest")).to_contain_text("You")
    expect(
        patient.get_by_role("listitem").filter(has_text="a gentle pull there is fine")
    ).to_contain_text("Taylor Therapist, therapist")
    assert_accessible(patient, context="the patient's conversation at 375×812")

    patient.get_by_role("button", name="Send").click()
    expect(patient.get_by_role("alert")).to_contain_text("Your message was not sent.")
    expect(patient.get_by_label("Your message")).to_have_accessible_description(
        re.compile("Write a message before sending it.")
    )
    assert_accessible(patient, context="the patient's refused message at 375×812")

    patient.get_by_label("Your message").fill(QUESTION)
    patient.get_by_role("button", name="Send").click()
    mine = patient.get_by_role("listitem").filter(has_text=QUESTION)
    expect(mine).to_be_visible()
    expect(mine.get_by_text("You", exact=True)).to_be_visible()
    assert patient.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    therapist = new_context(viewport=DESK).new_page()
    sign_in(therapist, "therapist@example.com")
    pat_row = therapist.get_by_role("row").filter(
        has=therapist.get_by_role("link", name="Pat Patient")
    )
    expect(pat_row.get_by_role("link", name="1 unread message")).to_be_visible()
    assert_accessible(therapist, context="the caseload with an unread message")
    pat_row.get_by_role("link", name="Pat Patient").click()
    therapist.get_by_role("link", name="Messages (1 unread)").click()
    expect(
        therapist.get_by_role("heading", name="Messages with Pat Patient", level=1)
    ).to_be_visible()
    expect(therapist.get_by_text("New", exact=True)).to_be_visible()
    expect(therapist.get_by_role("listitem").filter(has_text=QUESTION)).to_contain_text(
        "Pat Patient, patient"
    )
    assert_accessible(therapist, context="the staff's conversation page")
    therapist.get_by_label("Your message").fill(ANSWER)
    therapist.get_by_role("button", name="Send").click()
    expect(therapist.get_by_role("listitem").filter(has_text=ANSWER)).to_be_visible()
    therapist.get_by_role("link", name="Pat Patient").click()
    expect(therapist.get_by_role("link", name="Messages", exact=True)).to_be_visible()

    patient.goto(live_server.url + reverse("patients:today"))
    patient.get_by_role("link", name="1 new message").click()
    reply = patient.get_by_role("listitem").filter(has_text=ANSWER)
    expect(reply).to_contain_text("Taylor Therapist, therapist")
    expect(patient.get_by_role("link", name="1 new message")).to_have_count(0)
    assert patient.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(patient, context="the patient's conversation with a reply at 375×812")
