"""The demo patient runs today's session in guided mode on a phone, and the therapist sees it."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from patients.models import SessionLog

from .axe import assert_accessible

PHONE = {"width": 375, "height": 812}


def choose_pain(page: Page, question: str, score: int) -> None:
    page.get_by_role("group", name=question).get_by_text(str(score), exact=True).click()


def run_exercise(page: Page, name: str) -> None:
    expect(
        page.get_by_role("heading", name=re.compile(f"Exercise \\d of \\d: {name}"))
    ).to_be_visible()
    page.get_by_role("button", name=f"Start {name}").click()
    # The real timer runs every hold, repetition and rest (seconds are shortened for the test).
    expect(page.get_by_text(f"{name}: done")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("status").filter(has_text=f"{name} done")).to_be_attached()


def test_patient_logs_a_guided_session_on_a_phone(
    page: Page, live_server, demo_data, sign_in, settings
):
    settings.GUIDED_TIMER_SECOND_MS = 15
    page.set_viewport_size(PHONE)
    before = SessionLog.objects.filter(patient__user__email="patient@example.com").count()

    sign_in(page, "patient@example.com")
    expect(page).to_have_url(live_server.url + reverse("patients:today"))
    page.get_by_role(
        "link", name=re.compile("Start today's session|Log an extra session")
    ).first.click()
    expect(page.get_by_text("Step 1 of 4")).to_be_visible()
    assert_accessible(page, context="session: pain before")

    choose_pain(page, "How much does it hurt now, before you start?", 4)
    page.get_by_role("button", name="Next").click()
    run_exercise(page, "Knee-to-chest stretch")
    assert_accessible(page, context="session: first exercise done")
    page.get_by_role("button", name="Next").click()
    run_exercise(page, "Prone press-up")
    page.get_by_role("button", name="Next").click()

    choose_pain(page, "How much does it hurt now, after the session?", 3)
    page.get_by_text("About right").click()
    assert_accessible(page, context="session: after")
    # A double tap on a phone: the session is still recorded once.
    page.get_by_role("button", name="Save my session").dblclick()

    expect(page.get_by_role("heading", name="Well done — your session is saved")).to_be_visible()
    expect(page.get_by_text("4 before, 3 after")).to_be_visible()
    assert_accessible(page, context="session saved")
    sessions = SessionLog.objects.filter(patient__user__email="patient@example.com")
    assert sessions.count() == before + 1
    session = sessions.order_by("-created_at").first()
    assert (session.pain_before, session.pain_after) == (4, 3)
    assert [entry.status for entry in session.entries.all()] == ["completed", "completed"]
    assert [entry.hold_seconds_done for entry in session.entries.all()] == [30, 30]

    # The Back button returns to the form page, which says the session is already saved.
    page.go_back()
    expect(page.get_by_role("heading", name="This session is already saved")).to_be_visible()
    assert_accessible(page, context="session already saved")
    assert sessions.count() == before + 1

    page.goto(live_server.url + reverse("patients:history"))
    expect(page.get_by_text("Back spasm relief").first).to_be_visible()

    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "therapist@example.com")
    page.get_by_role("link", name="Pat Patient").click()
    recent = page.get_by_role("region", name=re.compile("Recent sessions"))
    expect(recent.get_by_role("cell", name=re.compile(r"^4\s+to\s+3$")).first).to_be_visible()
