"""The demo patient runs today's session with the player on a phone, and the therapist sees it."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from patients.models import SessionLog
from prescriptions import schedule
from prescriptions.models import Plan, PlanStatus

from .axe import assert_accessible

PHONE = {"width": 375, "height": 667}

# What the page measures while an exercise runs: whether anything would scroll, and whether the
# big control (whichever it is at that moment) is on screen.
MEASURE = """() => {
  const primary = [...document.querySelectorAll("button")].find(
    (button) => button.checkVisibility() &&
      ["Pause", "Start now", "Repetition done"].includes(button.textContent.trim())
  );
  const box = primary ? primary.getBoundingClientRect() : null;
  return {
    scrollHeight: document.documentElement.scrollHeight,
    innerHeight: window.innerHeight,
    primary: primary ? primary.textContent.trim() : null,
    primaryOnScreen: box !== null && box.top >= 0 && box.bottom <= window.innerHeight,
  };
}"""


def choose_pain(page: Page, question: str, score: int) -> None:
    page.get_by_role("group", name=question).get_by_text(str(score), exact=True).click()


def start_session(page: Page) -> None:
    page.get_by_role(
        "link", name=re.compile("Start today's session|Log an extra session")
    ).first.click()
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()


def run_exercise(page: Page, name: str) -> None:
    """Start the exercise shown and wait until the player has run it to the end by itself (it
    then moves on to the next one on its own)."""
    expect(
        page.get_by_role("heading", name=re.compile(f"Exercise \\d of \\d: {name}"))
    ).to_be_visible()
    page.get_by_role("button", name=f"Start {name}").click()
    # Read from the form, which keeps the answer once the exercise is off the screen.
    exercise = page.get_by_role("region", name=re.compile(name), include_hidden=True)
    expect(exercise.get_by_role("radio", name="Completed", include_hidden=True)).to_be_checked(
        timeout=30_000
    )


def watch_until_done(page: Page, timeout_s: float = 60) -> list[dict]:
    """Measure the page again and again while the player runs, until every exercise is done;
    no tap is made meanwhile."""
    all_done = page.get_by_text("All exercises done")
    samples = []
    deadline = page.evaluate("Date.now()") + timeout_s * 1000
    while not all_done.is_visible():
        samples.append(page.evaluate(MEASURE))
        assert page.evaluate("Date.now()") < deadline, "the player did not reach the end"
    return samples


def run_all_exercises(page: Page) -> list[dict]:
    """From "Before you start" (pain answered): start the first exercise, let the player run the
    whole session by itself, and go on to the questions after it. Returns what was measured."""
    page.get_by_role("button", name="Next", exact=True).click()
    first = page.get_by_role("heading", name=re.compile(r"Exercise 1 of \d+: "))
    name = first.text_content().split(": ", 1)[1]
    page.get_by_role("button", name=f"Start {name}").click()
    samples = watch_until_done(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="After the session")).to_be_visible()
    return samples


def test_patient_logs_a_guided_session_on_a_phone(
    page: Page, live_server, demo_data, sign_in, settings
):
    settings.GUIDED_TIMER_SECOND_MS = 15
    page.set_viewport_size(PHONE)
    before = SessionLog.objects.filter(patient__user__email="patient@example.com").count()

    sign_in(page, "patient@example.com")
    expect(page).to_have_url(live_server.url + reverse("patients:today"))
    start_session(page)
    expect(page.get_by_text("Stop if it hurts, and tell your therapist.")).to_be_visible()
    assert_accessible(page, context="session: before you start")

    choose_pain(page, "How much does it hurt now, before you start?", 4)
    page.get_by_role("button", name="Next", exact=True).click()
    expect(
        page.get_by_role("heading", name="Exercise 1 of 2: Knee-to-chest stretch")
    ).to_be_visible()
    start = page.get_by_role("button", name="Start Knee-to-chest stretch")
    expect(start).to_be_in_viewport(ratio=1)
    assert_accessible(page, context="player: ready")

    # One tap, and the player runs both exercises to the end: no tap between holds, rests or
    # exercises, and nothing to scroll on a small phone while it runs.
    start.click()
    samples = watch_until_done(page)
    running = [sample for sample in samples if sample["primary"]]
    assert len(running) > 10, samples
    assert {"Pause"} <= {sample["primary"] for sample in running}
    assert all(sample["scrollHeight"] <= sample["innerHeight"] for sample in samples), samples
    assert all(sample["primaryOnScreen"] for sample in running), samples
    expect(page.get_by_text("Prone press-up: done")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("All exercises are done")
    assert_accessible(page, context="player: all done")
    page.get_by_role("button", name="Continue").click()

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
    entries = list(session.entries.order_by("position"))
    assert [entry.status for entry in entries] == ["completed", "completed"]
    assert [(e.sets_done, e.repetitions_done, e.hold_seconds_done) for e in entries] == [
        (1, 3, 30),
        (1, 3, 30),
    ]

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
    sessions = page.get_by_role("region", name="Sessions", exact=True)
    expect(sessions.get_by_role("listitem").first).to_contain_text("4 before, 3 after")


def test_a_twice_a_day_plan_logs_two_sessions_in_one_day_from_todays_start_button(
    page: Page, live_server, demo_data, sign_in, settings
):
    """The back-spasm plan done morning and evening: each session starts from Today's one
    button, with a form of its own, and both are saved."""
    settings.GUIDED_TIMER_SECOND_MS = 15
    page.set_viewport_size(PHONE)
    plan = Plan.objects.get(
        patient__user__email="patient@example.com",
        title="Back spasm relief",
        status=PlanStatus.ACTIVE,
    )
    Plan.objects.filter(pk=plan.pk).update(times_per_day=2, weekdays=schedule.EVERY_DAY)
    today = plan.clinic.today()
    assert not SessionLog.objects.filter(plan=plan, performed_on=today).exists()
    sign_in(page, "patient@example.com")

    for number, after in ((1, "One more session to do today."), (2, "Next session:")):
        expect(page).to_have_url(live_server.url + reverse("patients:today"))
        card = page.get_by_role("region", name="Back spasm relief")
        expect(card.get_by_role("status")).to_have_text(f"Session {number} of 2 today")
        start = card.get_by_role("link", name=f"Start session {number}")
        expect(start).to_be_in_viewport(ratio=1)
        start.click()

        expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
        choose_pain(page, "How much does it hurt now, before you start?", 4)
        run_all_exercises(page)
        choose_pain(page, "How much does it hurt now, after the session?", 3)
        page.get_by_role("button", name="Save my session").click()

        expect(
            page.get_by_role("heading", name="Well done — your session is saved")
        ).to_be_visible()
        expect(page.get_by_text(f"{number} of 2 done today")).to_be_visible()
        expect(page.get_by_text(after)).to_be_visible()
        assert SessionLog.objects.filter(plan=plan, performed_on=today).count() == number
        page.get_by_role("link", name="Back to today").click()

    card = page.get_by_role("region", name="Back spasm relief")
    expect(card.get_by_role("status")).to_have_text("All 2 sessions are done today. Well done!")
    sessions = SessionLog.objects.filter(plan=plan, performed_on=today)
    assert len({session.client_token for session in sessions}) == 2
    for session in sessions:
        assert [entry.status for entry in session.entries.all()] == ["completed", "completed"]
