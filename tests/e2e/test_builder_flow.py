"""The therapist builds a plan in the builder: browsing the catalog by region and kind, adding,
moving and removing exercises, and reading the dose and warnings back as they type. With
JavaScript the page is never reloaded until the save; without it, the same buttons post the
whole form and the same plan is saved."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from prescriptions.models import Plan

from .axe import assert_accessible

PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1366, "height": 900}
# Set on the window once; a full page load would lose it.
MARKER = "window.builderMarker"


def open_new_plan(page: Page) -> None:
    page.get_by_role("link", name="Pat Patient").click()
    page.get_by_role("link", name="New plan").click()
    expect(page.get_by_role("heading", name="New plan for Pat Patient")).to_be_visible()


def item(page: Page, number: int, name: str):
    return page.get_by_role("group", name=f"{number}. {name}", exact=True)


def move_up_and_remove(page: Page, *, move: str, to: int, remove: str) -> None:
    page.get_by_role("button", name=f"Move {move} up").click()
    expect(item(page, to, move)).to_be_visible()
    # The keyboard stays on the moved row's button, to press it again.
    expect(page.get_by_role("button", name=f"Move {move} up")).to_be_focused()
    page.get_by_role("button", name=f"Remove {remove}").click()
    expect(page.get_by_role("group", name=re.compile(remove))).to_have_count(0)


def saved_plan(title: str) -> list[tuple[str, int, int]]:
    plan = Plan.objects.get(title=title)
    assert plan.times_per_day == 2 and plan.weekdays == 0b1111111
    return [(i.exercise.name, i.hold_seconds, i.repetitions) for i in plan.items.all()]


def test_building_a_plan_with_htmx_never_reloads_the_page(
    page: Page, live_server, demo_data, sign_in
):
    page.set_viewport_size(LAPTOP)
    sign_in(page, "therapist@example.com")
    open_new_plan(page)
    page.evaluate(f"{MARKER} = 'still here'")

    page.get_by_label("Title").fill("Evening back routine")
    page.get_by_label("Times per day").fill("2")

    page.get_by_label("Body region").select_option(label="Lower back")
    catalog = page.get_by_role("region", name="Add exercises")
    expect(catalog.get_by_text("6 exercises")).to_be_visible()
    # Each exercise found shows its picture (the drawing, titled for what it shows).
    expect(catalog.locator(".search-result .exercise-thumb")).to_have_count(6)
    catalog.get_by_role("button", name="Add Knee-to-chest stretch", exact=True).click()
    expect(item(page, 1, "Knee-to-chest stretch")).to_be_visible()
    expect(catalog.get_by_role("status")).to_have_text("Added Knee-to-chest stretch as exercise 1.")

    page.get_by_label("Body region").select_option(label="Any region")
    page.get_by_label("Kind").select_option(label="Stretch")
    page.get_by_label("Search by name").fill("press")
    catalog.get_by_role("button", name="Add Prone press-up", exact=True).click()
    expect(item(page, 2, "Prone press-up")).to_be_visible()

    page.get_by_label("Search by name").fill("calf")
    catalog.get_by_role("button", name="Add Standing calf stretch", exact=True).click()
    expect(item(page, 3, "Standing calf stretch")).to_be_visible()
    move_up_and_remove(page, move="Standing calf stretch", to=2, remove="Standing calf stretch")
    expect(item(page, 2, "Prone press-up")).to_be_visible()
    # What was typed before the changes is still there.
    expect(page.get_by_label("Title")).to_have_value("Evening back routine")

    # The dose read-back and the warnings follow the typing, with no button pressed.
    knee = item(page, 1, "Knee-to-chest stretch")
    expect(
        knee.get_by_text(
            "Hold 30 seconds, 3 times, rest 10 seconds between, twice a day, every day."
        )
    ).to_be_visible()
    knee.get_by_label("Hold (s)").fill("15")
    expect(
        knee.get_by_text(
            "Hold 15 seconds, 3 times, rest 10 seconds between, twice a day, every day."
        )
    ).to_be_visible()
    preview = page.get_by_role("region", name="Before you save")
    expect(
        preview.get_by_text(
            "Hold × repetitions is 45 s, under the 60 s usually advised for a static stretch"
        )
    ).to_be_visible()
    knee.get_by_label("Hold (s)").fill("30")
    expect(preview.get_by_text(re.compile("Hold × repetitions is 45 s"))).to_have_count(0)
    page.get_by_label("Sunday").uncheck()
    expect(
        preview.get_by_text(re.compile(r"Twice a day, on Monday, .* and Saturday\."))
    ).to_be_visible()
    page.get_by_label("Sunday").check()
    expect(preview.get_by_text("Twice a day, every day.")).to_be_visible()

    assert page.evaluate(MARKER) == "still here"
    assert_accessible(page, context="plan builder at 1366 with two exercises")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
    assert_accessible(page, context="plan builder at 375 with two exercises")

    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("“Evening back routine” is now Pat's plan.")).to_be_visible()
    assert saved_plan("Evening back routine") == [
        ("Knee-to-chest stretch", 30, 3),
        ("Prone press-up", 30, 3),
    ]


def test_the_same_plan_is_built_without_javascript(browser, live_server, demo_data):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + reverse("clinics:login"))
    page.get_by_label("Email").fill("therapist@example.com")
    page.get_by_label("Password").fill("rehabit-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    open_new_plan(page)

    page.get_by_label("Title").fill("No-script routine")
    page.get_by_label("Times per day").fill("2")
    page.get_by_label("Body region").select_option(label="Lower back")
    page.get_by_role("button", name="Show exercises").click()
    page.get_by_role("button", name="Add Knee-to-chest stretch", exact=True).click()
    expect(item(page, 1, "Knee-to-chest stretch")).to_be_visible()

    page.get_by_label("Body region").select_option(label="Any region")
    page.get_by_label("Search by name").fill("calf")
    page.get_by_role("button", name="Show exercises").click()
    page.get_by_role("button", name="Add Standing calf stretch", exact=True).click()
    page.get_by_label("Search by name").fill("press")
    page.get_by_role("button", name="Show exercises").click()
    page.get_by_role("button", name="Add Prone press-up", exact=True).click()
    expect(item(page, 3, "Prone press-up")).to_be_visible()
    move_up_and_remove(page, move="Prone press-up", to=2, remove="Standing calf stretch")

    item(page, 1, "Knee-to-chest stretch").get_by_label("Hold (s)").fill("15")
    page.get_by_role("button", name="Update preview").click()
    expect(
        page.get_by_text(re.compile("Hold × repetitions is 45 s, under the 60 s usually"))
    ).to_be_visible()
    item(page, 1, "Knee-to-chest stretch").get_by_label("Hold (s)").fill("30")
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]

    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("“No-script routine” is now Pat's plan.")).to_be_visible()
    assert saved_plan("No-script routine") == [
        ("Knee-to-chest stretch", 30, 3),
        ("Prone press-up", 30, 3),
    ]
    context.close()
