"""The therapist builds a plan in the browser, and the patient sees it on their home page."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from prescriptions.models import Plan

from .axe import assert_accessible


def add_from_catalog(page: Page, search: str, name: str) -> None:
    page.get_by_label("Search by name").fill(search)
    add = page.get_by_role("button", name=f"Add {name}", exact=True)
    expect(add).to_be_visible()
    add.click()
    expect(page.get_by_role("button", name=f"Remove {name}", exact=True)).to_be_visible()


def test_therapist_prescribes_and_the_patient_sees_the_plan(
    page: Page, live_server, demo_data, sign_in
):
    sign_in(page, "therapist@example.com")
    expect(page).to_have_url(live_server.url + reverse("insights:caseload"))

    page.get_by_role("link", name="Pat Patient").click()
    expect(page.get_by_role("heading", name="Pat Patient", level=1)).to_be_visible()
    assert_accessible(page, context="patient page")

    page.get_by_role("link", name="New plan").click()
    expect(page.get_by_role("heading", name="New plan for Pat Patient")).to_be_visible()
    assert_accessible(page, context="empty plan builder")

    page.get_by_label("Title").fill("Evening back routine")
    page.get_by_label("Times per day").fill("2")
    add_from_catalog(page, "knee-to", "Knee-to-chest stretch")
    # What was typed before adding an exercise is still there afterwards.
    expect(page.get_by_label("Title")).to_have_value("Evening back routine")
    add_from_catalog(page, "press", "Prone press-up")

    knee = page.get_by_role("group", name=re.compile(r"^1\. Knee-to-chest stretch"))
    expect(knee.get_by_label("Hold (s)")).to_have_value("30")
    expect(knee.get_by_label("Repetitions")).to_have_value("3")
    expect(
        knee.get_by_text(
            "Hold 30 seconds, 3 times, rest 10 seconds between, twice a day, every day."
        )
    ).to_be_visible()
    # The guide's caution for knee-to-chest reaches the therapist as a warning.
    expect(
        page.get_by_text(re.compile("Contraindication to screen for .*If you have osteoporosis"))
    ).to_be_visible()
    assert_accessible(page, context="plan builder with two exercises")

    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("heading", name=re.compile("Evening back routine"))).to_be_visible()
    expect(page.get_by_text("“Evening back routine” is now Pat's plan.")).to_be_visible()
    assert_accessible(page, context="plan page")

    plan = Plan.objects.get(title="Evening back routine")
    assert plan.times_per_day == 2 and plan.weekdays == 0b1111111
    assert [(i.exercise.name, i.hold_seconds, i.repetitions) for i in plan.items.all()] == [
        ("Knee-to-chest stretch", 30, 3),
        ("Prone press-up", 30, 3),
    ]

    page.get_by_role("button", name=re.compile("^Account:")).click()  # the menu under their name
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "patient@example.com")
    expect(page).to_have_url(live_server.url + reverse("patients:today"))
    routine = page.get_by_role("region", name="Evening back routine")
    expect(routine).to_be_visible()
    expect(routine.get_by_text("Twice a day, every day.")).to_be_visible()
    exercises = routine.get_by_role("list").first.get_by_role("listitem")
    expect(exercises).to_have_count(2)
    expect(exercises.nth(0)).to_contain_text("Knee-to-chest stretch")
    expect(exercises.nth(1)).to_contain_text("Prone press-up")
    expect(routine.get_by_text("Hold 30 seconds, 3 times").first).to_be_visible()
    assert_accessible(page, context="patient's home with the new plan")


def test_builder_works_without_javascript(browser, live_server, demo_data):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + reverse("clinics:login"))
    page.get_by_label("Email").fill("therapist@example.com")
    page.get_by_label("Password").fill("rehabit-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Pat Patient").click()
    page.get_by_role("link", name="New plan").click()

    page.get_by_label("Title").fill("No-script plan")
    page.get_by_label("Search by name").fill("prone")
    page.get_by_role("button", name="Show exercises").click()
    page.get_by_role("button", name="Add Prone press-up").click()
    expect(page.get_by_role("button", name="Remove Prone press-up")).to_be_visible()
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_role("heading", name=re.compile("No-script plan"))).to_be_visible()
    context.close()
