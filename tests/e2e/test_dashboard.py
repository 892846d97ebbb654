"""The therapist's caseload dashboard: the demo patient's adherence and easing pain; then a
painful session logged on the patient's own pages shows up as an urgent alert at the top of
the list, which the therapist reviews and acknowledges with a note on the patient's page."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from patients.models import AlertAcknowledgement, AlertKind

from .axe import assert_accessible
from .test_patient_session import choose_pain, run_all_exercises


def patient_row(page: Page, name: str):
    return page.get_by_role("row").filter(
        has=page.get_by_role("rowheader").filter(has=page.get_by_role("link", name=name))
    )


def sign_out(page: Page) -> None:
    page.get_by_role("button", name=re.compile("^Account:")).click()  # the menu under their name
    page.get_by_role("button", name="Sign out").click()


def test_a_painful_session_becomes_an_alert_that_the_therapist_acknowledges(
    page: Page, live_server, demo_data, sign_in, settings
):
    settings.GUIDED_TIMER_SECOND_MS = 15
    sign_in(page, "therapist@example.com")
    expect(page).to_have_url(live_server.url + reverse("insights:caseload"))
    expect(page.get_by_role("heading", name="Caseload", level=1)).to_be_visible()

    pat = patient_row(page, "Pat Patient")
    # About 85% of four weeks' sessions done, pain easing from about 6 to about 3.
    # Cells after the name: the most pressing alert, then adherence over 7 and 30 days.
    expect(pat.get_by_role("cell").nth(1)).to_contain_text(re.compile(r"(?<!\d)8\d% 30 days"))
    expect(pat).to_contain_text("Improving")
    expect(
        pat.get_by_role("img", name=re.compile(r"^Pain over the last 30 days: \d+ scores"))
    ).to_be_visible()
    expect(pat).not_to_contain_text("High pain")
    assert_accessible(page, context="caseload dashboard")

    # Choosing an order applies it at once, in the address too.
    page.get_by_label("Sort by").select_option(label="Adherence over 30 days, lowest first")
    expect(page).to_have_url(re.compile(r"[?&]sort=adherence_30"))
    expect(page.get_by_text("Sorted: Adherence over 30 days, lowest first.")).to_be_visible()
    sign_out(page)

    # The patient does today's session on their own pages; it hurts more afterwards.
    sign_in(page, "patient@example.com")
    page.get_by_role(
        "link", name=re.compile("Start today's session|Log an extra session")
    ).first.click()
    choose_pain(page, "How much does it hurt now, before you start?", 4)
    run_all_exercises(page)
    choose_pain(page, "How much does it hurt now, after the session?", 8)
    page.get_by_label("Too hard", exact=True).check()
    page.get_by_role("button", name="Save my session").click()
    expect(
        page.get_by_role("heading", name="Please stop and contact your therapist")
    ).to_be_visible()
    sign_out(page)

    # Back on the dashboard, the session is an urgent alert, with the reason and the evidence.
    sign_in(page, "therapist@example.com")
    pat = patient_row(page, "Pat Patient")
    expect(pat).to_contain_text("Worsening")
    expect(pat).to_contain_text(re.compile(r"Urgent High pain: Pain 8/10 on"))
    pat.get_by_text(re.compile(r"^Details and \d+ more alerts?$")).click()
    expect(pat).to_contain_text("Pain 8/10 in a session on")
    expect(pat).to_contain_text(re.compile(r"Also open: Session flagged\b"))
    expect(pat.get_by_role("link", name="See the session")).to_have_attribute(
        "href", re.compile(r"/patients/\d+/#session-\d+$")
    )
    # Most pressing first: the urgent ones (Sam's flagged session has waited longer than
    # Pat's of today), then the one that needs attention; then those with no open alert by
    # last name: the new patient with nothing due yet, and Lucía, on track.
    expect(page.get_by_role("rowheader").get_by_role("link")).to_have_text(
        ["Sam Okafor", "Pat Patient", "Jordan Lee", "Riley Chen", "Lucía Martínez"]
    )
    assert_accessible(page, context="caseload dashboard with a new alert")

    # Reviewed and acknowledged on the patient's page, where each alert has its form.
    pat.get_by_role("link", name="Review and acknowledge on Pat's page").click()
    expect(page.get_by_role("heading", name="Pat Patient", level=1)).to_be_visible()
    high_pain = page.get_by_role("listitem").filter(has_text="High pain:")
    high_pain.get_by_text("Acknowledge", exact=True).click()
    high_pain.get_by_label("Note (optional)").fill("Phoned Pat: stop the press-up until Friday.")
    high_pain.get_by_role("button", name="Acknowledge this alert").click()
    expect(page.get_by_text("Alert acknowledged for Pat Patient: high pain.")).to_be_visible()

    page.get_by_role("link", name="Caseload").first.click()
    pat = patient_row(page, "Pat Patient")
    expect(pat).to_contain_text(re.compile(r"Urgent Session flagged: Stopped for pain on"))
    pat.get_by_text("1 acknowledged").click()
    expect(pat.get_by_text("Acknowledged by Taylor Therapist")).to_be_visible()
    expect(pat.get_by_text("“Phoned Pat: stop the press-up until Friday.”")).to_be_visible()
    assert_accessible(page, context="caseload dashboard after acknowledging")

    acknowledgement = AlertAcknowledgement.objects.get()
    assert acknowledgement.kind == AlertKind.PAIN_HIGH
    assert acknowledgement.acknowledged_by.email == "therapist@example.com"

    # The evidence link opens the patient's page at the session itself.
    pat.get_by_text(re.compile(r"^Details( and \d+ more alerts?)?$")).click()
    pat.get_by_role("link", name="See the session").click()
    expect(page.get_by_role("heading", name="Pat Patient", level=1)).to_be_visible()
    assert re.search(r"#session-\d+$", page.url)
    expect(page.locator(":target")).to_contain_text("8")
