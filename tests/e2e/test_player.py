"""The session player on a small phone: doses of every shape run by themselves, stopping partway
logs only what was counted, an exercise never reached is asked about before saving, and every
state of the player passes axe.

Some tests drive time with Playwright's clock: the page's timers are the real code, but the test
moves the clock on to the moment it wants (a hold 12 seconds in) instead of waiting for it.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinics.models import User
from exercises.models import Exercise
from patients.models import Patient, SessionLog
from prescriptions.services import ItemInput, plan_create

from .axe import assert_accessible
from .test_patient_session import (
    MEASURE,
    PHONE,
    choose_pain,
    run_exercise,
    start_session,
    watch_until_done,
)

SECOND = 1000

# Spoken cues, the screen wake lock and the storage of the voice setting, as the page asked for
# them: recorded so the test can read them, with nothing spoken and no real lock taken.
RECORD_DEVICE = """
window.spoken = [];
window.wakeLocks = [];
speechSynthesis.speak = (utterance) => window.spoken.push(utterance.text);
Object.defineProperty(navigator, "wakeLock", { value: {
  request: () => {
    const lock = new EventTarget();
    lock.release = () => { window.wakeLocks.push("released"); return Promise.resolve(); };
    window.wakeLocks.push("requested");
    return Promise.resolve(lock);
  },
}});
"""


def prescribe_for_pat(title: str, *doses: tuple[str, dict]):
    """A new plan for the demo patient, through the service, each exercise with the dose given."""
    patient = Patient.objects.get(user__email="patient@example.com")
    items = [
        ItemInput.from_exercise(Exercise.objects.get(clinic__isnull=True, slug=slug), **dose)
        for slug, dose in doses
    ]
    return plan_create(
        patient=patient,
        prescribed_by=User.objects.get(email="therapist@example.com"),
        title=title,
        start_date=timezone.localdate() - datetime.timedelta(days=1),
        items=items,
    )


def open_session(page: Page, live_server, plan) -> None:
    page.goto(live_server.url + reverse("patients:session-log", args=[plan.pk]))
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()


def latest_entries(plan):
    session = SessionLog.objects.filter(plan=plan).latest("created_at")
    return [
        (e.status, e.sets_done, e.repetitions_done, e.hold_seconds_done, e.skip_reason)
        for e in session.entries.order_by("position")
    ]


def save(page: Page, pain_after: int = 2) -> None:
    choose_pain(page, "How much does it hurt now, after the session?", pain_after)
    page.get_by_role("button", name="Save my session").click()
    expect(page.get_by_role("heading", name="What you did")).to_be_visible()


def phase(page: Page):
    """The phase the player shows in big letters, read from the region of the exercise."""
    return (
        page.get_by_role("region")
        .get_by_role("paragraph")
        .filter(
            has_text=re.compile(
                r"^(Ready when you are|Get ready|Hold|Rest|Next set|Switch sides|Paused|"
                r"Do one repetition|Next: (?!Set |Repetition ).*|All exercises done)$"
            )
        )
    )


def pause_clock(page: Page) -> None:
    """Stop the page's clock a second from now; from then on only run_for moves it."""
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)


def shown(page: Page):
    """The exercise on screen (the others are hidden, so not found by role)."""
    return page.get_by_role("region", name=re.compile("^Exercise "))


@pytest.fixture
def phone(page: Page):
    page.set_viewport_size(PHONE)
    return page


def test_sided_holds_and_tapped_repetitions_run_by_themselves_and_log_the_whole_dose(
    phone: Page, live_server, demo_data, sign_in, settings
):
    settings.GUIDED_TIMER_SECOND_MS = 15
    page = phone
    page.add_init_script(RECORD_DEVICE)
    plan = prescribe_for_pat(
        "Hips and knees",
        (
            "single-knee-to-chest-stretch",
            {"sets": 2, "repetitions": 2, "hold_seconds": 4, "rest_seconds": 2, "side": "both"},
        ),
        (
            "heel-slide",
            {"sets": 2, "repetitions": 3, "hold_seconds": 0, "rest_seconds": 1, "side": "right"},
        ),
    )
    sign_in(page, "patient@example.com")
    open_session(page, live_server, plan)
    choose_pain(page, "How much does it hurt now, before you start?", 3)
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Start Single knee-to-chest stretch").click()

    # The holds, the next set and the change of sides run by themselves; the tapped exercise
    # starts by itself after its short pause and waits for a tap after each repetition.
    done = page.get_by_role("button", name="Repetition done")
    for _ in range(6):
        expect(page.get_by_text(re.compile(r"Repetition \d of 3 · Right side$"))).to_be_visible()
        assert page.evaluate(MEASURE)["scrollHeight"] <= PHONE["height"]
        expect(done).to_be_in_viewport(ratio=1)
        done.click()
    expect(page.get_by_text("All exercises done")).to_be_visible()

    spoken = page.evaluate("window.spoken")
    for cue in ("Get ready", "Hold", "3", "2", "1", "Relax", "Next set", "Switch sides"):
        assert cue in spoken, (cue, spoken)
    assert "Next: Heel slide" in spoken and "Repetition 3" in spoken
    assert spoken.count("Switch sides") == 1
    # The screen was kept awake while it ran and let go at the end.
    locks = page.evaluate("window.wakeLocks")
    assert locks[0] == "requested" and locks[-1] == "released", locks

    page.get_by_role("button", name="Continue").click()
    save(page)
    assert latest_entries(plan) == [
        ("completed", 2, 2, 4, ""),
        ("completed", 2, 3, 0, ""),
    ]


def test_spoken_cues_can_be_turned_off_and_stay_off_on_this_phone(
    phone: Page, live_server, demo_data, sign_in, settings
):
    settings.GUIDED_TIMER_SECOND_MS = 15
    page = phone
    page.add_init_script(RECORD_DEVICE)
    plan = prescribe_for_pat(
        "One stretch",
        (
            "knee-to-chest-stretch",
            {"sets": 1, "repetitions": 2, "hold_seconds": 5, "rest_seconds": 2},
        ),
    )
    sign_in(page, "patient@example.com")
    open_session(page, live_server, plan)
    choose_pain(page, "How much does it hurt now, before you start?", 2)
    page.get_by_role("button", name="Next", exact=True).click()
    voice = page.get_by_role("button", name="Spoken cues")
    expect(voice).to_have_attribute("aria-pressed", "true")
    voice.click()
    expect(voice).to_have_attribute("aria-pressed", "false")

    page.reload()
    choose_pain(page, "How much does it hurt now, before you start?", 2)
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.get_by_role("button", name="Spoken cues")).to_have_attribute(
        "aria-pressed", "false"
    )
    page.get_by_role("button", name="Start Knee-to-chest stretch").click()
    expect(page.get_by_text("All exercises done")).to_be_visible()
    assert page.evaluate("window.spoken") == []
    # One exercise only: the player ends there, with nothing to move on to.
    page.get_by_role("button", name="Continue").click()
    save(page)
    assert latest_entries(plan) == [("completed", 1, 2, 5, "")]


def test_stopping_partway_logs_only_what_the_player_counted(
    phone: Page, live_server, demo_data, sign_in, settings
):
    settings.GUIDED_TIMER_SECOND_MS = SECOND
    page = phone
    page.clock.install()
    sign_in(page, "patient@example.com")
    start_session(page)
    choose_pain(page, "How much does it hurt now, before you start?", 5)
    page.get_by_role("button", name="Next", exact=True).click()
    pause_clock(page)
    page.get_by_role("button", name="Start Knee-to-chest stretch").click()
    # Get ready 5 s, two holds of 30 s with a rest of 10 s before each of the next, then 12.5 s
    # of the third hold.
    page.clock.run_for((5 + 30 + 10 + 30 + 10 + 12.5) * SECOND)
    expect(phase(page)).to_have_text("Hold")
    expect(page.get_by_text("Repetition 3 of 3", exact=True)).to_be_visible()
    page.get_by_role("button", name="Stop here: partly done").click()

    expect(page.get_by_role("region").get_by_text("Stopped: marked as partly done")).to_be_visible()
    expect(shown(page).get_by_label("Partly done")).to_be_checked()
    expect(shown(page).get_by_label("Sets done")).to_have_value("1")
    expect(shown(page).get_by_label("Repetitions done")).to_have_value("2")
    expect(shown(page).get_by_label("Hold (seconds)")).to_have_value("30")
    page.clock.resume()
    assert_accessible(page, context="player: stopped partway")
    pause_clock(page)
    page.get_by_role("button", name="Continue").click()

    # The next exercise waits for Start; stopped 12.5 s into its first hold, the log keeps the
    # one repetition held for 12 whole seconds.
    page.get_by_role("button", name="Start Prone press-up").click()
    page.clock.run_for((5 + 12.5) * SECOND)
    page.get_by_role("button", name="Stop here: partly done").click()
    expect(shown(page).get_by_label("Hold (seconds)")).to_have_value("12")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="After the session")).to_be_visible()
    page.clock.resume()
    save(page, pain_after=6)
    session = SessionLog.objects.filter(patient__user__email="patient@example.com").latest(
        "created_at"
    )
    assert latest_entries(session.plan) == [
        ("partial", 1, 2, 30, ""),
        ("partial", 1, 1, 12, ""),
    ]


def test_stopping_before_anything_was_counted_asks_why_it_was_skipped(
    phone: Page, live_server, demo_data, sign_in, settings
):
    settings.GUIDED_TIMER_SECOND_MS = SECOND
    page = phone
    page.clock.install()
    plan = prescribe_for_pat(
        "One stretch",
        (
            "knee-to-chest-stretch",
            {"sets": 1, "repetitions": 3, "hold_seconds": 30, "rest_seconds": 10},
        ),
    )
    sign_in(page, "patient@example.com")
    open_session(page, live_server, plan)
    choose_pain(page, "How much does it hurt now, before you start?", 5)
    page.get_by_role("button", name="Next", exact=True).click()
    pause_clock(page)
    page.get_by_role("button", name="Start Knee-to-chest stretch").click()
    page.clock.run_for(3 * SECOND)
    expect(phase(page)).to_have_text("Get ready")
    page.get_by_role("button", name="Stop here: partly done").click()

    expect(page.get_by_role("region").get_by_text("Stopped before anything")).to_be_visible()
    expect(shown(page).get_by_label("Skipped")).to_be_checked()
    expect(shown(page).get_by_label("Why not all of it?")).to_be_focused()
    page.get_by_role("button", name="Continue").click()
    expect(shown(page).get_by_text("Say why you skipped it.")).to_be_visible()
    expect(page.get_by_role("heading", name="After the session")).to_be_hidden()

    shown(page).get_by_label("Why not all of it?").select_option("pain")
    expect(page.get_by_role("alert").filter(has_text="Stop this exercise.")).to_be_visible()
    page.clock.resume()
    assert_accessible(page, context="player: stopped with nothing counted")
    page.get_by_role("button", name="Continue").click()
    save(page, pain_after=7)
    assert latest_entries(plan) == [("skipped", 0, 0, 0, "pain")]


def test_an_exercise_never_reached_is_asked_about_before_saving(
    phone: Page, live_server, demo_data, sign_in, settings
):
    settings.GUIDED_TIMER_SECOND_MS = 15
    page = phone
    sign_in(page, "patient@example.com")
    start_session(page)
    before = SessionLog.objects.count()
    choose_pain(page, "How much does it hurt now, before you start?", 4)
    page.get_by_role("button", name="Next", exact=True).click()
    # Past the first exercise without doing it, and the second one with the player.
    expect(page.get_by_role("heading", name=re.compile("Knee-to-chest stretch"))).to_be_visible()
    page.get_by_role("button", name="Next", exact=True).click()
    run_exercise(page, "Prone press-up")
    expect(page.get_by_text("All exercises done")).to_be_visible()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Before you save")).to_be_visible()
    knee = page.get_by_role("region", name=re.compile("Knee-to-chest stretch"))
    expect(knee).to_be_visible()
    expect(page.get_by_role("region", name=re.compile("Prone press-up"))).to_be_hidden()
    expect(knee.get_by_role("button", name="Do it now with the timer")).to_be_visible()
    assert_accessible(page, context="player: the question about an exercise never reached")
    page.get_by_role("button", name="Continue").click()
    expect(knee.get_by_text("Say whether you did this exercise")).to_be_visible()
    expect(page.get_by_role("heading", name="After the session")).to_be_hidden()

    knee.get_by_label("Partly done").check()
    page.get_by_role("button", name="Continue").click()
    expect(knee.get_by_text("These numbers are the whole dose.")).to_be_visible()
    knee.get_by_label("Repetitions done").fill("2")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="After the session")).to_be_visible()
    assert SessionLog.objects.count() == before
    save(page)
    session = SessionLog.objects.filter(patient__user__email="patient@example.com").latest(
        "created_at"
    )
    assert latest_entries(session.plan) == [
        ("partial", 1, 2, 30, ""),
        ("completed", 1, 3, 30, ""),
    ]


def test_every_state_of_the_player_passes_axe(
    phone: Page, live_server, demo_data, sign_in, settings
):
    settings.GUIDED_TIMER_SECOND_MS = SECOND
    page = phone
    page.clock.install()
    sign_in(page, "patient@example.com")
    start_session(page)
    choose_pain(page, "How much does it hurt now, before you start?", 4)
    page.get_by_role("button", name="Next", exact=True).click()

    def check(state: str, word: str) -> None:
        # The clock runs on while axe looks, so each state is checked well inside its time
        # and read again afterwards.
        expect(phase(page)).to_have_text(word)
        measured = page.evaluate(MEASURE)
        assert measured["scrollHeight"] <= measured["innerHeight"], (state, measured)
        assert_accessible(page, context=f"player: {state}")
        expect(phase(page)).to_have_text(word)

    check("ready", "Ready when you are")
    page.get_by_role("button", name="Start Knee-to-chest stretch").click()
    page.clock.run_for(1 * SECOND)
    check("get ready", "Get ready")
    page.clock.run_for((4 + 10) * SECOND)
    check("holding", "Hold")
    digits = page.get_by_text("20", exact=True)
    assert float(digits.evaluate("(node) => getComputedStyle(node).fontSize")[:-2]) >= 96
    page.clock.run_for((20 + 4) * SECOND)
    check("resting", "Rest")
    page.get_by_role("button", name="Pause").click()
    check("paused", "Paused")
    page.get_by_role("button", name="Resume").click()
    page.clock.run_for((6 + 30 + 10 + 30 + 2) * SECOND)
    check("next", "Next: Prone press-up")
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", name="Exercise 2 of 2: Prone press-up")).to_be_visible()
    page.clock.run_for((5 + 30 + 10 + 30 + 10 + 30 + 1) * SECOND)
    check("done", "All exercises done")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="After the session")).to_be_visible()
    assert_accessible(page, context="player: after the session")


# The test answers the form's post itself; a service worker would send it past the page's routes.
@pytest.mark.browser_context_args(service_workers="block")
def test_saving_says_so_and_sends_the_session_once(
    phone: Page, live_server, demo_data, sign_in, settings
):
    settings.GUIDED_TIMER_SECOND_MS = 15
    page = phone
    sign_in(page, "patient@example.com")
    before = SessionLog.objects.count()
    start_session(page)
    choose_pain(page, "How much does it hurt now, before you start?", 4)
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Start Knee-to-chest stretch").click()
    watch_until_done(page)
    page.get_by_role("button", name="Continue").click()
    choose_pain(page, "How much does it hurt now, after the session?", 3)

    # The server's answer is replaced with "204 No Content", which leaves the page as it is,
    # so what it shows after the taps can be read.
    posts = []

    def answer(route):
        if route.request.method != "POST":
            route.fallback()
            return
        posts.append(route.request.post_data)
        route.fulfill(status=204)

    page.route(re.compile(r"/session/"), answer)
    page.get_by_role("button", name="Save my session").dblclick()
    saving = page.get_by_role("button", name="Saving…")
    expect(saving).to_have_attribute("aria-disabled", "true")
    saving.click(force=True)
    page.wait_for_timeout(200)
    assert len(posts) == 1
    assert SessionLog.objects.count() == before


def test_without_javascript_the_session_is_a_plain_form(browser, live_server, demo_data, sign_in):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    sign_in(page, "patient@example.com")
    start_session(page)
    choose_pain(page, "How much does it hurt now, before you start?", 3)
    for exercise in ("Knee-to-chest stretch", "Prone press-up"):
        region = page.get_by_role("region", name=re.compile(exercise))
        expect(region.get_by_text("How to do it")).to_be_visible()
        region.get_by_label("Completed").check()
    choose_pain(page, "How much does it hurt now, after the session?", 2)
    page.get_by_role("button", name="Save my session").click()
    expect(page.get_by_role("heading", name=re.compile("your session is saved"))).to_be_visible()
    context.close()
