"""The clinic admin adds an exercise and archives one a plan uses; the therapist's plan builder
follows the library, and the plan that uses the archived exercise keeps it."""

import datetime
import re

from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, expect

from clinics.models import Clinic, User
from devdata.demo import DEMO_CLINIC_NAME
from exercises.models import Exercise
from exercises.services import ExerciseInput, exercise_create
from patients.models import Patient
from prescriptions.services import ItemInput, plan_create

from .axe import assert_accessible

CAT_CAMEL_STEPS = ["Kneel on all fours, hands under your shoulders.", "Round your back up slowly."]


def a_plan_uses_a_clinic_exercise() -> None:
    """The demo plans use shared exercises, which a clinic cannot archive: give Pat a plan with
    one of the clinic's own, set up through the services as the app would."""
    clinic = Clinic.objects.get(name=DEMO_CLINIC_NAME)
    bridge = exercise_create(
        clinic=clinic,
        created_by=User.objects.get(email="admin@example.com"),
        data=ExerciseInput(
            name="Banded hip bridge",
            body_region="hip",
            kind="strengthening",
            steps=["Lie on your back, knees bent.", "Lift your hips, then lower them."],
            default_repetitions=10,
        ),
    )
    plan_create(
        patient=Patient.objects.get(clinic=clinic, first_name="Pat", last_name="Patient"),
        prescribed_by=User.objects.get(email="therapist@example.com"),
        title="Hip strength",
        start_date=clinic.today() - datetime.timedelta(days=2),
        items=[ItemInput.from_exercise(bridge)],
    )


def test_admin_adds_and_archives_and_the_builder_follows(
    page: Page, live_server, demo_data, sign_in, tmp_path
):
    a_plan_uses_a_clinic_exercise()
    picture = tmp_path / "cat camel photo.png"
    Image.new("RGB", (2000, 1000), "teal").save(picture)

    sign_in(page, "admin@example.com")
    expect(page).to_have_url(live_server.url + reverse("exercises:library"))
    expect(page.get_by_role("heading", name="Exercise library")).to_be_visible()
    assert_accessible(page, context="library, as the admin")

    page.get_by_role("link", name="Add exercise").click()
    expect(page.get_by_role("heading", name="New exercise", level=1)).to_be_visible()
    assert_accessible(page, context="new exercise form")
    english_name(page).fill("Cat-camel")
    page.get_by_label("Body region").select_option(label="Lower back")
    page.get_by_label("Kind").select_option(label="Mobility")
    page.get_by_label("Repetitions").fill("10")
    page.get_by_label("Picture", exact=True).set_input_files(picture)
    # Typed in the wrong order, then put right with a step button: only the steps are
    # re-drawn, so the chosen picture and the rest of the form stay as they were.
    page.get_by_label("Step 1", exact=True).fill(CAT_CAMEL_STEPS[1])
    page.get_by_label("Step 2", exact=True).fill(CAT_CAMEL_STEPS[0])
    page.get_by_role("button", name="Move step 2 up").click()
    expect(page.get_by_label("Step 1", exact=True)).to_have_value(CAT_CAMEL_STEPS[0])
    expect(page.get_by_label("Step 2", exact=True)).to_have_value(CAT_CAMEL_STEPS[1])
    assert page.get_by_label("Picture", exact=True).evaluate("input => input.files.length") == 1
    expect(english_name(page)).to_have_value("Cat-camel")
    assert_accessible(page, context="new exercise form after moving a step")

    page.get_by_role("button", name="Save exercise").click()
    expect(page.get_by_role("heading", name="Cat-camel", level=1)).to_be_visible()
    expect(page.get_by_text("“Cat-camel” is now in your clinic's library.")).to_be_visible()
    steps = page.get_by_role("heading", name="How to do it").locator(
        "xpath=following-sibling::ol[1]"
    )
    expect(steps.get_by_role("listitem")).to_have_text(CAT_CAMEL_STEPS)
    expect(page.get_by_role("img", name="Picture of the Cat-camel")).to_be_attached()
    assert_accessible(page, context="the new exercise's page")
    cat_camel = Exercise.objects.get(name="Cat-camel")
    assert cat_camel.image.name.startswith("exercises/") and "photo" not in cat_camel.image.name
    assert (cat_camel.image.width, cat_camel.image.height) == (1200, 600)

    page.get_by_role("link", name="Exercise library").first.click()
    page.get_by_label("Search by name").fill("banded")
    page.get_by_role("link", name="Banded hip bridge").click()
    expect(page.get_by_text("Used in 1 plan, so it can only be archived")).to_be_visible()
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_text("“Banded hip bridge” is archived")).to_be_visible()
    expect(page.get_by_role("button", name="Restore")).to_be_visible()
    assert_accessible(page, context="an archived exercise's page")

    page.get_by_role("button", name=re.compile("^Account:")).click()  # the menu under their name
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "therapist@example.com")
    page.get_by_role("link", name="Pat Patient").click()
    page.get_by_role("link", name="New plan").click()
    search = page.get_by_label("Search by name")
    search.fill("cat-camel")
    expect(page.get_by_role("button", name="Add Cat-camel", exact=True)).to_be_visible()
    search.fill("banded")
    expect(page.get_by_text("No exercise matches “banded” with these choices.")).to_be_visible()
    expect(page.get_by_role("button", name="Add Banded hip bridge")).to_have_count(0)
    assert_accessible(page, context="plan builder after the library changed")

    page.get_by_role("link", name="Pat Patient").click()
    page.get_by_role("link", name="Hip strength").first.click()
    exercises = page.get_by_role("region", name="Exercises")
    expect(exercises.get_by_text("Banded hip bridge")).to_be_visible()
    expect(exercises.get_by_text("Archived")).to_be_visible()
    expect(exercises.get_by_text(re.compile("10 repetitions"))).to_be_visible()
    assert_accessible(page, context="the plan that uses the archived exercise")


def english_name(page):
    """The name in English, in "About the exercise"; each other language has its own further
    down."""
    return page.get_by_role("region", name="About the exercise").get_by_label("Name")


def test_adding_an_exercise_works_without_javascript(browser, live_server, demo_data, sign_in):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "admin@example.com")  # both steps, password and code, without JavaScript
    page.get_by_role("link", name="Add exercise").click()

    english_name(page).fill("Wall push-up")
    page.get_by_label("Body region").select_option(label="Shoulder")
    page.get_by_label("Kind").select_option(label="Strengthening")
    for number in (1, 2, 3):
        page.get_by_label(f"Step {number}", exact=True).fill(f"Instruction {number}.")
    page.get_by_role("button", name="Add a step").click()
    # The page came back from the server with a fourth row and everything typed kept.
    expect(page.get_by_label("Step 4", exact=True)).to_be_focused()
    expect(english_name(page)).to_have_value("Wall push-up")
    page.get_by_label("Step 4", exact=True).fill("Instruction 4.")
    page.get_by_role("button", name="Remove step 1").click()
    page.get_by_role("button", name="Save exercise").click()

    expect(page.get_by_role("heading", name="Wall push-up", level=1)).to_be_visible()
    exercise = Exercise.objects.get(name="Wall push-up")
    assert [step.text for step in exercise.steps.all()] == [
        "Instruction 2.",
        "Instruction 3.",
        "Instruction 4.",
    ]
    context.close()
