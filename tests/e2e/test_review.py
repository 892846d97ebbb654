"""The demo therapist reviews Pat Patient's progress: the pain chart, the adherence calendar, the
plan's revisions and the sessions and pain reports, with JavaScript and without."""

import re
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from devdata.demo import DEMO_PASSWORD
from patients.models import Patient

from .axe import assert_accessible


def open_pat(page: Page, live_server) -> Patient:
    pat = Patient.objects.get(email="patient@example.com")
    page.goto(live_server.url + reverse("insights:patient-detail", args=[pat.pk]))
    expect(page.get_by_role("heading", name="Pat Patient", level=1)).to_be_visible()
    return pat


def test_the_therapist_reviews_pat_patients_progress(page: Page, live_server, demo_data, sign_in):
    sign_in(page, "therapist@example.com")
    pat = open_pat(page, live_server)

    review = page.get_by_role("region", name="Progress", exact=True)
    expect(review).to_be_visible()
    # The active plan's span by default: Pat's plan began four weeks ago.
    expect(
        review.get_by_role("link", name=re.compile(r"^This plan \(\d+ days\)$"))
    ).to_have_attribute("aria-current", "true")
    chart = review.get_by_role("img", name=re.compile(r"^Pain, "))
    expect(chart).to_be_visible()
    # The chart says in words what it shows: the course since the first week, then the scale.
    expect(chart).to_have_accessible_name(re.compile(r"Pain fell from [\d.]+ to \d+ over 4 weeks"))
    expect(chart).to_have_accessible_name(re.compile(r"Plan change: version 1 of Back spasm"))
    review.get_by_text("Show the pain scores as a table").click()
    expect(review.get_by_role("table", name=re.compile("^Pain from 0"))).to_be_visible()

    calendar = review.get_by_role("table", name=re.compile("^Sessions done out of sessions"))
    expect(calendar).to_be_visible()
    expect(calendar.get_by_role("columnheader", name="Mon", exact=True)).to_be_visible()
    expect(
        calendar.get_by_role("cell", name=re.compile(r": 1 of 1 session done\.$")).first
    ).to_be_visible()
    expect(review.get_by_text(re.compile(r"^\d+% of the prescribed sessions done"))).to_be_visible()

    exercises = review.get_by_role("table", name=re.compile("^How often each exercise"))
    expect(exercises.get_by_role("rowheader", name="Knee-to-chest stretch")).to_be_visible()

    plans = page.get_by_role("region", name="Plan", exact=True)
    change = plans.get_by_role("listitem").filter(has_text="version 1, by Taylor Therapist")
    expect(change).to_have_count(1)
    expect(change).to_contain_text("Plan created with 2 exercises.")
    sessions = page.get_by_role("region", name="Sessions", exact=True)
    expect(sessions.get_by_role("listitem").first).to_contain_text("Back spasm relief")
    reports = page.get_by_role("region", name="Pain reports", exact=True)
    expect(reports.get_by_role("listitem").first).to_contain_text(re.compile(r"pain \d+/10"))
    assert_accessible(page, context="patient review, the plan's span")

    # The dashboard links straight to a session in its section.
    session = pat.sessions.order_by("-performed_at").first()
    page.goto(
        live_server.url
        + reverse("insights:patient-detail", args=[pat.pk])
        + f"#session-{session.pk}"
    )
    expect(page.locator(f"#session-{session.pk}")).to_be_in_viewport()

    # On a phone the tables stack or fit, and still pass.
    page.set_viewport_size({"width": 375, "height": 812})
    assert_accessible(page, context="patient review on a phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    review.get_by_role("link", name="365 days").click()
    expect(review.get_by_text(re.compile(r"^The last 365 days:"))).to_be_visible()
    expect(
        page.get_by_role("img", name=re.compile(r"Before session, weekly average"))
    ).to_be_visible()
    assert_accessible(page, context="patient review, a year")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download all logs (CSV)").click()
    assert download.value.suggested_filename.startswith(f"rehabit-patient-{pat.pk}-")
    first_line = Path(download.value.path()).read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("session id,performed at,plan,plan version,exercise,")


def test_the_review_reads_without_javascript(browser, live_server, demo_data):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + reverse("clinics:login"))
    page.get_by_label("Email").fill("therapist@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    open_pat(page, live_server)
    expect(page.get_by_role("img", name=re.compile(r"^Pain, "))).to_be_visible()
    page.get_by_text("Show the pain scores as a table").click()
    expect(page.get_by_role("table", name=re.compile("^Pain from 0"))).to_be_visible()
    page.get_by_role("link", name="30 days").click()
    expect(page.get_by_text(re.compile(r"^The last 30 days:"))).to_be_visible()
    context.close()
