"""Exercise pictures in the browser: the library, the builder's search, Today and the player show
each exercise's drawing; the drawing moves with the player's clock, and stands still, start and
end side by side, for someone who asks for less motion; axe passes on each page; and Today for
the demo patient's two-exercise plan stays light on a first visit."""

import gzip
import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from exercises.figures import figure_for
from prescriptions.models import Plan, PlanStatus

from .axe import assert_accessible
from .conftest import watch_csp_violations
from .test_patient_session import PHONE, choose_pain, start_session

SECOND = 1000
KNEE = figure_for("knee-to-chest-stretch")
PRESS = figure_for("prone-press-up")
# Today for a two-exercise plan, everything a first visit loads (HTML, CSS, JS, pictures).
TODAY_BUDGET = 150_000

# Every picture on screen: its text alternative (none for a decorative one, hidden from screen
# readers), whether it is animated (SMIL elements in it) and whether its animation runs. A
# display: none picture is not on screen.
SHOWN_PICTURES = """() => [...document.querySelectorAll("svg[role=img]")]
  .filter((svg) => svg.checkVisibility())
  .map((svg) => ({
    title: svg.closest("[aria-hidden=true]") ? "" : svg.querySelector("title").textContent,
    animated: svg.querySelectorAll("animate, animateTransform").length > 0,
    running: svg.querySelectorAll("animate, animateTransform").length > 0
      && !svg.animationsPaused(),
  }))"""


def shown_pictures(page: Page) -> list[dict]:
    return page.evaluate(SHOWN_PICTURES)


def described_pictures(page: Page) -> list[dict]:
    """The pictures on screen that are not decorative."""
    return [picture for picture in shown_pictures(page) if picture["title"]]


def moving_context(browser, live_server, **options):
    """A phone whose owner has not asked for less motion (the suite's default asks for it)."""
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, reduced_motion="no-preference", **options
    )
    page = context.new_page()
    return context, page, watch_csp_violations(page)


def open_exercise(page: Page, name: str) -> None:
    page.locator("summary").filter(has_text=name).click()


def the_drawing(page: Page, figure):
    """The moving drawing of an exercise, found by its text alternative."""
    return page.get_by_role("img", name=figure.motion.title, exact=True)


def test_the_library_and_the_builders_search_show_each_exercises_picture(
    page: Page, live_server, demo_data, sign_in
):
    sign_in(page, "therapist@example.com")
    page.goto(live_server.url + reverse("exercises:library"))
    cards = page.get_by_role("main").get_by_role("listitem").filter(has=page.get_by_role("heading"))
    expect(cards).to_have_count(25)
    for index in range(25):
        expect(cards.nth(index).get_by_role("img")).to_have_count(1)
    knee = cards.filter(has=page.get_by_role("link", name="Knee-to-chest stretch", exact=True))
    expect(knee.get_by_role("img")).to_have_accessible_name(KNEE.thumbnail.title)
    expect(knee.get_by_role("img")).to_be_visible()
    assert_accessible(page, context="library with pictures")

    plan = Plan.objects.get(
        patient__user__email="patient@example.com",
        title="Back spasm relief",
        status=PlanStatus.ACTIVE,
    )
    page.goto(live_server.url + reverse("prescriptions:plan-edit", args=[plan.pk]))
    page.get_by_label("Search by name").fill("press")
    results = page.locator("#builder-catalog .builder-results").get_by_role("listitem")
    expect(results.first).to_be_visible()
    press = results.filter(has_text="Prone press-up")
    expect(press.get_by_role("img")).to_have_accessible_name(PRESS.thumbnail.title)
    expect(press.get_by_role("img")).to_be_visible()
    for index in range(results.count()):
        expect(results.nth(index).get_by_role("img")).to_have_count(1)
    assert_accessible(page, context="plan builder search results with pictures")


def test_today_and_the_player_show_the_drawing_moving_with_the_clock(
    browser, live_server, demo_data, sign_in, settings
):
    settings.GUIDED_TIMER_SECOND_MS = SECOND
    context, page, violations = moving_context(browser, live_server)
    page.clock.install()
    sign_in(page, "patient@example.com")
    expect(page).to_have_url(live_server.url + reverse("patients:today"))
    # In each exercise's row the picture is beside its name, inside the control that opens it:
    # decorative there, so the name is not read with the picture's text.
    expect(page.get_by_role("img")).to_have_count(0)
    open_exercise(page, "Knee-to-chest stretch")
    drawing = the_drawing(page, KNEE)
    expect(drawing).to_be_visible()
    expect(page.get_by_role("img", name=KNEE.start.title, exact=True)).to_be_hidden()
    assert described_pictures(page) == [
        {"title": KNEE.motion.title, "animated": True, "running": True}
    ]
    assert_accessible(page, context="Today with an exercise open")

    start_session(page)
    choose_pain(page, "How much does it hurt now, before you start?", 4)
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.get_by_role("button", name="Start Knee-to-chest stretch")).to_be_visible()
    player = the_drawing(page, KNEE)
    expect(player).to_be_visible()
    assert shown_pictures(page) == [{"title": KNEE.motion.title, "animated": True, "running": True}]
    assert_accessible(page, context="player with its picture: ready")
    reach, leave, home = (
        float(value) for value in player.locator("xpath=..").get_attribute("data-timing").split()
    )

    def drawn_at() -> tuple[bool, float]:
        return player.evaluate("(svg) => [svg.animationsPaused(), svg.getCurrentTime()]")

    page.get_by_role("button", name="Start Knee-to-chest stretch").click()
    page.clock.run_for(1 * SECOND)
    expect(page.get_by_text("Get ready", exact=True)).to_be_visible()
    assert drawn_at()[0] is False  # moving by itself while the patient gets into position
    # Ten seconds into the first hold the knees have come up and stay there.
    page.clock.run_for((4 + 10) * SECOND)
    expect(page.get_by_text("Hold", exact=True)).to_be_visible()
    paused, at = drawn_at()
    assert paused and abs(at - reach) < 0.05, (paused, at, reach)
    # Four seconds into the rest the feet are down again.
    page.clock.run_for((20 + 4) * SECOND)
    expect(page.get_by_text("Rest", exact=True)).to_be_visible()
    paused, at = drawn_at()
    assert paused and abs(at - home) < 0.05 and leave < home, (paused, at, home)
    page.get_by_role("button", name="Pause").click()
    assert drawn_at()[0] is True
    assert_accessible(page, context="player with its picture: paused")
    context.close()
    assert violations == []


def test_under_reduced_motion_the_stills_stand_side_by_side_and_nothing_moves(
    page: Page, live_server, demo_data, sign_in
):
    # The suite's browser context asks for less motion (conftest.browser_context_args).
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
    page.set_viewport_size(PHONE)
    sign_in(page, "patient@example.com")
    open_exercise(page, "Knee-to-chest stretch")
    open_exercise(page, "Prone press-up")
    stills = [drawing.title for figure in (KNEE, PRESS) for drawing in figure.framed]
    for title in stills:
        expect(page.get_by_role("img", name=title, exact=True)).to_be_visible()
    expect(the_drawing(page, KNEE)).to_be_hidden()
    expect(the_drawing(page, PRESS)).to_be_hidden()
    assert page.locator(".exercise-figure-motion").evaluate_all(
        "(all) => all.map((node) => getComputedStyle(node).display)"
    ) == ["none", "none"]
    assert [picture["title"] for picture in described_pictures(page)] == stills
    assert not any(picture["animated"] for picture in shown_pictures(page))
    assert page.evaluate("document.getAnimations().length") == 0
    assert_accessible(page, context="Today under reduced motion")

    start_session(page)
    choose_pain(page, "How much does it hurt now, before you start?", 4)
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Start Knee-to-chest stretch").click()
    expect(page.get_by_text("Get ready", exact=True)).to_be_visible()
    assert [picture["title"] for picture in described_pictures(page)] == [
        drawing.title for drawing in KNEE.framed
    ]
    assert not any(picture["animated"] for picture in shown_pictures(page))
    assert_accessible(page, context="player under reduced motion")


def test_today_for_a_two_exercise_plan_stays_under_150_kb_on_a_first_visit(
    browser, live_server, demo_data, sign_in
):
    # A first visit: no service worker has kept anything yet (the app's worker would answer the
    # reload below from the phone), and nothing comes from the browser's cache.
    context, page, violations = moving_context(browser, live_server, service_workers="block")
    sign_in(page, "patient@example.com")
    expect(page).to_have_url(live_server.url + reverse("patients:today"))
    devtools = context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
    bodies: dict[str, bytes] = {}
    page.on("response", lambda response: bodies.__setitem__(response.url, response.body()))
    page.reload(wait_until="load")
    expect(page.locator("summary").filter(has_text="Prone press-up")).to_be_visible()
    assert len(page.locator(".today-exercise").all()) == 2
    entries = page.evaluate(
        """() => [...performance.getEntriesByType("navigation"),
                  ...performance.getEntriesByType("resource")]
          .map((e) => ({url: e.name, transfer: e.transferSize, body: e.encodedBodySize}))"""
    )
    assert {entry["url"] for entry in entries} == set(bodies)
    assert all(entry["transfer"] > entry["body"] > 0 for entry in entries), entries
    html = bodies[page.url]
    static = {url: body for url, body in bodies.items() if "/static/" in url}
    assert set(bodies) == {page.url, *static}  # the pictures are in the page itself
    assert {url.rpartition(".")[2] for url in static} >= {"css", "js"}
    # The test server sends files as they are; in production WhiteNoise sends the static files
    # compressed (gzip -9 here, which is larger than the Brotli HTTPS browsers get) and the page
    # goes out as Django renders it. Headers are counted as they were sent.
    headers = sum(entry["transfer"] - entry["body"] for entry in entries)
    uncompressed = sum(entry["transfer"] for entry in entries)
    compressed = {url: len(gzip.compress(body, 9, mtime=0)) for url, body in static.items()}
    served = headers + len(html) + sum(compressed.values())
    print(
        f"\nToday, two exercises: HTML {len(html):,} bytes "
        f"({len(re.findall(rb'<svg', html))} pictures inline), "
        f"{len(bodies)} responses, {uncompressed:,} bytes as the test server sends them, "
        f"{served:,} bytes with static files compressed as in production"
    )
    for url, body in sorted(static.items()):
        print(f"  {url.split('/static/')[1]}: {len(body):,} bytes, {compressed[url]:,} compressed")
    assert served < TODAY_BUDGET
    context.close()
    assert violations == []
