"""The clinic admin's exercise library: own exercises created, edited, copied, archived, restored
and deleted through the services and the pages, with the access rules around them."""

import dataclasses
import datetime
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from exercises.models import Exercise, ExerciseStep
from exercises.selectors import exercise_catalog
from exercises.services import (
    ExerciseInput,
    exercise_archive,
    exercise_copy_to_clinic,
    exercise_create,
    exercise_delete,
    exercise_restore,
    exercise_update,
)
from patients.services import EntryInput, session_log_record
from prescriptions import builder
from prescriptions.models import PlanStatus
from prescriptions.services import (
    ItemInput,
    plan_create,
    plan_revise,
    plan_status_change,
    template_create_from_plan,
)
from tests.clinics.factories import ClinicAdminFactory
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientFactory, PatientWithAccountFactory

STEPS = ["Kneel on all fours.", "Arch your back up like a cat.", "Let it sag down slowly."]


def png(size=(1600, 800)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("cat camel.png", buffer.getvalue(), content_type="image/png")


def renamed_text_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("cat.png", b"just some notes\n", content_type="image/png")


INPUT_FIELDS = [field.name for field in dataclasses.fields(ExerciseInput)]


def create(admin, **overrides) -> Exercise:
    values = {
        "clinic": admin.clinic,
        "created_by": admin,
        "name": "Cat-camel",
        "body_region": "lower_back",
        "kind": "mobility",
        "steps": STEPS,
        "default_repetitions": 10,
    }
    values.update(overrides)
    data = ExerciseInput(**{name: values.pop(name) for name in INPUT_FIELDS if name in values})
    return exercise_create(data=data, **values)


def update_values(exercise: Exercise, **overrides) -> dict:
    """The exercise as it is, with the overrides: what exercise_update takes."""
    changes = {name: overrides.pop(name) for name in INPUT_FIELDS if name in overrides}
    data = dataclasses.replace(ExerciseInput.from_exercise(exercise), **changes)
    return {"exercise": exercise, "data": data, **overrides}


def prescribe(therapist, *exercises, patient=None):
    patient = patient or PatientFactory(primary_therapist=therapist)
    return plan_create(
        patient=patient,
        prescribed_by=therapist,
        title="Back plan",
        start_date=therapist.clinic.today() - datetime.timedelta(days=7),
        items=[ItemInput.from_exercise(exercise) for exercise in exercises],
    )


def steps_of(exercise: Exercise) -> list[str]:
    return list(ExerciseStep.objects.filter(exercise=exercise).values_list("text", flat=True))


@pytest.fixture
def shared_stretch(db):
    return ExerciseFactory(
        clinic=None,
        name="Knee-to-chest stretch",
        slug="knee-to-chest-stretch",
        contraindications="Osteoporosis",
        image="exercises/shared-knee.png",
        steps=["Lie on your back.", "Bring your knees to your chest."],
    )


@pytest.fixture
def stranger_admin(other_clinic):
    return ClinicAdminFactory(clinic=other_clinic, full_name="Sal Stranger-Admin")


# Creating and editing ---------------------------------------------------------------------


def test_create_saves_the_fields_and_the_steps_in_order_leaving_out_empty_rows(clinic_admin):
    exercise = create(
        clinic_admin,
        steps=["  Kneel on all fours. ", "", "Arch your back up like a cat.", "   "],
        cautions="Move slowly\n\n  Stop if it hurts  ",
        video_url="https://videos.example.com/cat-camel",
    )
    exercise.refresh_from_db()
    assert exercise.clinic == clinic_admin.clinic and not exercise.is_archived
    assert exercise.slug == "cat-camel"
    assert steps_of(exercise) == ["Kneel on all fours.", "Arch your back up like a cat."]
    assert exercise.cautions == "Move slowly\nStop if it hurts"
    assert exercise.default_repetitions == 10


def test_the_same_name_twice_gets_a_slug_of_its_own_within_the_clinic(clinic_admin, other_clinic):
    ExerciseFactory(clinic=other_clinic, slug="cat-camel")
    assert create(clinic_admin).slug == "cat-camel"
    assert create(clinic_admin).slug == "cat-camel-2"
    assert create(clinic_admin, name="Cat camel!").slug == "cat-camel-3"


def test_create_stores_the_picture_resized_under_a_generated_name(clinic_admin):
    exercise = create(clinic_admin, image=png(size=(2400, 1200)), image_licence="own")
    assert exercise.image.name.startswith("exercises/")
    assert "cat" not in exercise.image.name
    with default_storage.open(exercise.image.name) as stored:
        assert Image.open(stored).size == (1200, 600)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "   "}, "name", "This field cannot be blank."),
        ({"steps": ["", "  "]}, "steps", "Add at least one step"),
        ({"steps": ["x"] * 21}, "steps", "at most 20 steps; this one has 21"),
        ({"steps": ["x" * 501]}, "steps", "Step 1 is too long"),
        ({"video_url": "javascript:alert(1)"}, "video_url", "Enter a valid URL."),
        ({"video_url": "ftp://example.com/v.mp4"}, "video_url", "Enter a valid URL."),
        ({"default_sets": 11}, "default_sets", "Sets must be a whole number from 1 to 10."),
        ({"body_region": "elbow"}, "body_region", "is not a valid choice"),
        ({"image": renamed_text_file()}, "image", "not a picture we can use"),
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(clinic_admin, overrides, field, message):
    with pytest.raises(ValidationError) as refused:
        create(clinic_admin, **overrides)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Exercise.objects.exists() and not ExerciseStep.objects.exists()


def test_one_refusal_lists_every_problem(clinic_admin):
    with pytest.raises(ValidationError) as refused:
        create(clinic_admin, name="", steps=[], image=renamed_text_file())
    # A file that turns out not to be a picture still had to say whose it is.
    assert set(refused.value.message_dict) == {"name", "steps", "image", "image_licence"}


def test_a_picture_is_removed_from_storage_when_the_writes_after_it_fail(clinic_admin, monkeypatch):
    def failing_steps(exercise, texts):
        raise RuntimeError("database went away")

    def stored_files() -> set[str]:
        return set(default_storage.listdir("exercises")[1]) if default_storage.exists("") else set()

    before = stored_files()
    monkeypatch.setattr("exercises.services._steps_save", failing_steps)
    with pytest.raises(RuntimeError):
        create(clinic_admin, image=png(), image_licence="own")
    assert stored_files() == before
    assert not Exercise.objects.exists()


def test_only_the_clinics_admins_create_exercises(clinic_admin, therapist, stranger_admin):
    for person in (therapist, stranger_admin):
        with pytest.raises(ValidationError, match="Only an admin of the exercise's clinic"):
            create(clinic_admin, created_by=person)
    assert not Exercise.objects.exists()


def test_update_replaces_the_steps_in_the_given_order_and_keeps_the_slug(clinic_admin):
    exercise = create(clinic_admin)
    exercise_update(
        **update_values(
            exercise,
            updated_by=clinic_admin,
            name="Cat and camel",
            steps=[STEPS[2], STEPS[0], "A new last step."],
        )
    )
    exercise.refresh_from_db()
    assert exercise.name == "Cat and camel" and exercise.slug == "cat-camel"
    assert steps_of(exercise) == [STEPS[2], STEPS[0], "A new last step."]


def test_a_refused_update_changes_nothing(clinic_admin):
    exercise = create(clinic_admin)
    with pytest.raises(ValidationError):
        exercise_update(
            **update_values(exercise, updated_by=clinic_admin, name="Renamed", steps=[])
        )
    exercise.refresh_from_db()
    assert exercise.name == "Cat-camel" and steps_of(exercise) == STEPS


def test_replacing_or_removing_the_picture_deletes_the_old_file_once_committed(
    clinic_admin, django_capture_on_commit_callbacks
):
    exercise = create(clinic_admin, image=png(), image_licence="own")
    first = exercise.image.name
    with django_capture_on_commit_callbacks(execute=True):
        exercise = exercise_update(
            **update_values(exercise, updated_by=clinic_admin, image=png(size=(200, 100)))
        )
    second = exercise.image.name
    assert second != first
    assert default_storage.exists(second) and not default_storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        exercise = exercise_update(
            **update_values(exercise, updated_by=clinic_admin, remove_image=True)
        )
    assert not exercise.image and not default_storage.exists(second)


def test_a_copys_new_picture_leaves_the_originals_file_alone(
    clinic_admin, django_capture_on_commit_callbacks
):
    original = create(clinic_admin, image=png(), image_licence="own")
    exercise_archive(exercise=original, archived_by=clinic_admin)
    exercise_restore(exercise=original, restored_by=clinic_admin)
    copy = exercise_copy_to_clinic(
        exercise=original, clinic=clinic_admin.clinic, copied_by=clinic_admin
    )
    assert copy.image.name == original.image.name
    with django_capture_on_commit_callbacks(execute=True):
        exercise_update(**update_values(copy, updated_by=clinic_admin, remove_image=True))
    assert default_storage.exists(original.image.name)


def test_shared_exercises_cannot_be_changed_by_a_clinic(clinic_admin, shared_stretch):
    with pytest.raises(ValidationError, match="Shared exercises cannot be changed"):
        exercise_update(**update_values(shared_stretch, updated_by=clinic_admin, name="Mine"))
    for change in (exercise_archive, exercise_delete):
        key = "archived_by" if change is exercise_archive else "deleted_by"
        with pytest.raises(ValidationError, match="Shared exercises cannot be changed"):
            change(exercise=shared_stretch, **{key: clinic_admin})
    shared_stretch.refresh_from_db()
    assert shared_stretch.name == "Knee-to-chest stretch" and not shared_stretch.is_archived


def test_therapists_and_other_clinics_admins_cannot_change_an_exercise(
    clinic_admin, therapist, stranger_admin
):
    exercise = create(clinic_admin)
    for person in (therapist, stranger_admin):
        with pytest.raises(ValidationError, match="Only an admin of the exercise's clinic"):
            exercise_update(**update_values(exercise, updated_by=person, name="Hijacked"))
        with pytest.raises(ValidationError, match="Only an admin"):
            exercise_archive(exercise=exercise, archived_by=person)
        with pytest.raises(ValidationError, match="Only an admin"):
            exercise_delete(exercise=exercise, deleted_by=person)
    exercise.refresh_from_db()
    assert exercise.name == "Cat-camel" and not exercise.is_archived


# Copy to my clinic ------------------------------------------------------------------------


def test_copy_to_clinic_makes_an_editable_copy_with_steps_and_picture(clinic_admin, shared_stretch):
    copy = exercise_copy_to_clinic(
        exercise=shared_stretch, clinic=clinic_admin.clinic, copied_by=clinic_admin
    )
    assert copy.pk != shared_stretch.pk
    assert copy.clinic == clinic_admin.clinic and copy.copied_from == shared_stretch
    assert copy.name == "Knee-to-chest stretch" and copy.contraindications == "Osteoporosis"
    assert copy.image.name == "exercises/shared-knee.png"
    assert steps_of(copy) == ["Lie on your back.", "Bring your knees to your chest."]
    exercise_update(**update_values(copy, updated_by=clinic_admin, name="Our knee-to-chest"))
    shared_stretch.refresh_from_db()
    assert shared_stretch.name == "Knee-to-chest stretch"


def test_a_copy_gets_a_slug_that_is_free_in_the_clinic(clinic_admin, shared_stretch):
    create(clinic_admin, name="Knee-to-chest stretch")
    copy = exercise_copy_to_clinic(
        exercise=shared_stretch, clinic=clinic_admin.clinic, copied_by=clinic_admin
    )
    assert copy.slug == "knee-to-chest-stretch-2"


def test_a_second_copy_is_refused_while_the_first_is_active(clinic_admin, shared_stretch):
    first = exercise_copy_to_clinic(
        exercise=shared_stretch, clinic=clinic_admin.clinic, copied_by=clinic_admin
    )
    with pytest.raises(ValidationError, match="already has a copy of this exercise"):
        exercise_copy_to_clinic(
            exercise=shared_stretch, clinic=clinic_admin.clinic, copied_by=clinic_admin
        )
    exercise_archive(exercise=first, archived_by=clinic_admin)
    second = exercise_copy_to_clinic(
        exercise=shared_stretch, clinic=clinic_admin.clinic, copied_by=clinic_admin
    )
    assert second.slug == "knee-to-chest-stretch-2"


def test_copy_refuses_therapists_other_clinics_exercises_and_archived_ones(
    clinic_admin, therapist, other_clinic, shared_stretch
):
    with pytest.raises(ValidationError, match="Only an admin of the clinic"):
        exercise_copy_to_clinic(
            exercise=shared_stretch, clinic=therapist.clinic, copied_by=therapist
        )
    theirs = ExerciseFactory(clinic=other_clinic)
    with pytest.raises(ValidationError, match="not in your clinic's catalog"):
        exercise_copy_to_clinic(exercise=theirs, clinic=clinic_admin.clinic, copied_by=clinic_admin)
    retired = ExerciseFactory(clinic=None, slug="retired", is_archived=True)
    with pytest.raises(ValidationError, match="archived exercise cannot be copied"):
        exercise_copy_to_clinic(
            exercise=retired, clinic=clinic_admin.clinic, copied_by=clinic_admin
        )
    assert not Exercise.objects.filter(clinic=clinic_admin.clinic).exists()


# Archive, restore, delete -----------------------------------------------------------------


def test_archiving_takes_an_exercise_out_of_the_builder_but_not_out_of_its_plans(
    clinic_admin, therapist
):
    exercise = create(clinic_admin)
    plan = prescribe(therapist, exercise)
    exercise = exercise_archive(exercise=exercise, archived_by=clinic_admin)

    assert exercise.is_archived
    assert exercise not in exercise_catalog(clinic=therapist.clinic)
    assert builder.catalog(clinic=therapist.clinic, query="cat").results == ()
    item = plan.items.get()
    assert item.exercise == exercise and item.repetitions == 10
    with pytest.raises(ValidationError, match="Archived exercises cannot be added: Cat-camel"):
        prescribe(therapist, exercise)

    exercise_archive(exercise=exercise, archived_by=clinic_admin)  # twice changes nothing
    exercise_restore(exercise=exercise, restored_by=clinic_admin)
    assert builder.catalog(clinic=therapist.clinic, query="cat").results == (exercise,)


def test_an_exercise_nothing_used_can_be_deleted_with_its_steps(
    clinic_admin, django_capture_on_commit_callbacks
):
    exercise = create(clinic_admin, image=png(), image_licence="own")
    with django_capture_on_commit_callbacks(execute=True):
        exercise_delete(exercise=exercise, deleted_by=clinic_admin)
    assert not Exercise.objects.exists() and not ExerciseStep.objects.exists()
    assert not default_storage.exists(exercise.image.name)


def test_an_exercise_in_a_plan_can_only_be_archived(clinic_admin, therapist):
    exercise = create(clinic_admin)
    prescribe(therapist, exercise)
    prescribe(therapist, exercise)
    with pytest.raises(ValidationError) as refused:
        exercise_delete(exercise=exercise, deleted_by=clinic_admin)
    assert refused.value.messages == [
        "Used in 2 plans, so it can only be archived: archiving takes it out of the catalog "
        "and leaves those records as they are."
    ]
    assert Exercise.objects.filter(pk=exercise.pk).exists()


def test_an_exercise_in_a_template_or_a_log_can_only_be_archived(clinic_admin, therapist):
    exercise, other = create(clinic_admin), create(clinic_admin, name="Bird dog")
    patient = PatientWithAccountFactory(primary_therapist=therapist)
    plan = prescribe(therapist, exercise, other, patient=patient)
    template_create_from_plan(plan=plan, name="Back basics", created_by=therapist)
    session_log_record(
        patient=patient,
        plan=plan,
        performed_at=timezone.now() - datetime.timedelta(hours=1),
        entries=[EntryInput.as_prescribed(item) for item in plan.items.all()],
        client_token=uuid.uuid4(),
        recorded_by=patient.user,
    )
    plan_status_change(plan=plan, status=PlanStatus.COMPLETED, changed_by=therapist)
    with pytest.raises(ValidationError) as refused:
        exercise_delete(exercise=exercise, deleted_by=clinic_admin)
    assert (
        "Used in 1 plan, 1 template and 1 session log, so it can only be archived"
        in (refused.value.messages[0])
    )


def test_an_exercise_taken_out_of_a_plan_still_counts_as_used(clinic_admin, therapist):
    exercise, other = create(clinic_admin), create(clinic_admin, name="Bird dog")
    plan = prescribe(therapist, exercise, other)
    plan_revise(
        plan=plan,
        changed_by=therapist,
        expected_version=plan.version,
        title=plan.title,
        start_date=plan.start_date,
        times_per_day=plan.times_per_day,
        weekdays=plan.weekdays,
        items=[ItemInput.from_exercise(other)],
    )
    assert not exercise.plan_items.exists()
    with pytest.raises(ValidationError, match="Used in the history of 1 plan"):
        exercise_delete(exercise=exercise, deleted_by=clinic_admin)


# The library page --------------------------------------------------------------------------


def test_the_library_counts_only_this_clinics_active_plans(
    client, clinic_admin, therapist, stranger, shared_stretch
):
    ours = create(clinic_admin)
    prescribe(therapist, ours, shared_stretch)
    prescribe(therapist, ours)
    paused = prescribe(therapist, ours)
    plan_status_change(plan=paused, status=PlanStatus.PAUSED, changed_by=therapist)
    prescribe(stranger, shared_stretch)  # another clinic's plan: not ours to count
    client.force_login(clinic_admin)
    page = client.get(reverse("exercises:library"))
    counts = {exercise.name: exercise.active_plan_count for exercise in page.context["page"]}
    assert counts == {"Cat-camel": 2, "Knee-to-chest stretch": 1}


def test_admins_see_add_and_badges_therapists_only_read(client, clinic_admin, therapist):
    create(clinic_admin)
    ExerciseFactory(clinic=None, slug="neck", name="Neck rotation")
    client.force_login(clinic_admin)
    page = client.get(reverse("exercises:library")).text
    assert reverse("exercises:exercise-add") in page
    assert ">Ours</span>" in page and ">Shared</span>" in page
    client.force_login(therapist)
    page = client.get(reverse("exercises:library")).text
    assert reverse("exercises:exercise-add") not in page
    assert "Cat-camel" in page and ">Ours</span>" in page


def test_the_status_filter_shows_archived_exercises_instead(client, clinic_admin):
    exercise_archive(exercise=create(clinic_admin, name="Old stretch"), archived_by=clinic_admin)
    create(clinic_admin, name="Current stretch")
    client.force_login(clinic_admin)
    page = client.get(reverse("exercises:library")).text
    assert "Current stretch" in page and "Old stretch" not in page
    page = client.get(reverse("exercises:library"), {"status": "archived"}).text
    assert "Old stretch" in page and "Current stretch" not in page
    assert ">Archived</span>" in page


def test_library_queries_do_not_grow_with_the_catalog_or_its_plans(
    client, clinic_admin, therapist, django_assert_max_num_queries
):
    for number in range(3):
        prescribe(therapist, create(clinic_admin, name=f"Small {number}"))
    client.force_login(clinic_admin)
    # The first page after signing in also stamps the session's activity; measure after it.
    client.get(reverse("exercises:library"))
    # Session, user, clinic, count, one page of exercises with their active-plan counts, and
    # the admin's first-run checklist.
    with django_assert_max_num_queries(6) as small:
        client.get(reverse("exercises:library"))
    for number in range(30):
        exercise = create(clinic_admin, name=f"Large {number}")
        prescribe(therapist, exercise)
        prescribe(therapist, exercise)
    ExerciseFactory.create_batch(10, clinic=None)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("exercises:library"), {"status": "active"})
    assert response.context["page"].paginator.count == 43


def test_detail_queries_do_not_grow_with_the_plans_using_the_exercise(
    client, clinic_admin, therapist, django_assert_max_num_queries
):
    exercise = create(clinic_admin)
    prescribe(therapist, exercise)
    client.force_login(clinic_admin)
    client.get(exercise.get_absolute_url())
    # Session, user, clinic, the exercise, its steps, and its plans, templates and logs.
    with django_assert_max_num_queries(8) as few:
        client.get(exercise.get_absolute_url())
    for _number in range(10):
        prescribe(therapist, exercise)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(exercise.get_absolute_url())
    assert "Used in 11 plans" in page.text


# Adding and editing through the page ---------------------------------------------------------


def form_data(**overrides) -> dict:
    data = {
        "name": "Cat-camel",
        "summary": "Gentle spine mobility on all fours.",
        "body_region": "lower_back",
        "kind": "mobility",
        "equipment": "A mat",
        "contraindications": "",
        "cautions": "Move slowly",
        "default_sets": "1",
        "default_repetitions": "10",
        "default_hold_seconds": "0",
        "default_rest_seconds": "0",
        "video_url": "",
        "image_licence": "own",  # preselected on the page
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "3",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "21",
        "steps-0-text": STEPS[0],
        "steps-1-text": STEPS[1],
        "steps-2-text": "",
        "action": "save",
    }
    data.update(overrides)
    return data


def test_an_admin_adds_an_exercise_with_a_picture(client, clinic_admin):
    client.force_login(clinic_admin)
    page = client.get(reverse("exercises:exercise-add"))
    assert page.status_code == 200 and len(page.context["steps"].forms) == 3
    response = client.post(reverse("exercises:exercise-add"), form_data(image=png()))
    exercise = Exercise.objects.get()
    assert response.status_code == 302 and response.url == exercise.get_absolute_url()
    assert steps_of(exercise) == STEPS[:2]
    assert exercise.equipment == "A mat" and exercise.image.name.endswith(".png")
    detail = client.get(response.url).text
    assert "“Cat-camel” is now in your clinic&#x27;s library." in detail


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Give the exercise a name"),
        ({"video_url": "ftp://example.com/v.mp4"}, "starts with http:// or https://"),
        ({"video_url": "javascript:alert(1)"}, "starts with http:// or https://"),
        ({"default_hold_seconds": "301"}, "Hold (seconds) must be a whole number from 0 to 300."),
        ({"default_sets": ""}, "Sets must be a whole number from 1 to 10."),
        ({"body_region": "elbow"}, "Choose a body region from the list."),
        ({"steps-0-text": "", "steps-1-text": ""}, "Add at least one step"),
        ({"steps-1-text": "x" * 501}, "A step can be at most 500 characters (this one has 501)."),
        ({"image": renamed_text_file()}, "This file is not a picture we can use."),
    ],
)
def test_bad_input_is_explained_keeps_what_was_typed_and_saves_nothing(
    client, clinic_admin, overrides, message
):
    client.force_login(clinic_admin)
    response = client.post(reverse("exercises:exercise-add"), form_data(**overrides))
    assert response.status_code == 200
    page = response.text
    assert message in page.replace("&#x27;", "'")
    assert "The exercise was not saved." in page
    assert 'value="Gentle spine mobility on all fours."' in page
    assert "Move slowly</textarea>" in page
    assert not Exercise.objects.exists()


def test_the_page_reports_every_mistake_at_once(client, clinic_admin):
    client.force_login(clinic_admin)
    data = form_data(
        name="", video_url="ftp://x.example", **{"steps-0-text": "", "steps-1-text": ""}
    )
    page = client.post(reverse("exercises:exercise-add"), data).text
    assert "Give the exercise a name" in page
    assert "starts with http:// or https://" in page
    assert "Add at least one step: patients follow the steps at home." in page


def test_an_oversize_picture_is_refused_on_the_page(client, clinic_admin):
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50)).save(buffer, format="PNG")
    big = SimpleUploadedFile("big.png", buffer.getvalue() + b"\0" * (6 * 1024 * 1024))
    client.force_login(clinic_admin)
    response = client.post(reverse("exercises:exercise-add"), form_data(image=big))
    assert "pictures can be at most 5 MB" in response.text
    assert not Exercise.objects.exists()


def test_a_picture_chosen_with_a_mistake_elsewhere_is_asked_for_again(client, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(reverse("exercises:exercise-add"), form_data(name="", image=png()))
    assert "Choose it again before saving." in response.text


@pytest.mark.parametrize(
    ("action", "expected", "focus"),
    [
        ("step-add", [STEPS[0], STEPS[1], "", ""], 3),
        ("step-up:1", [STEPS[1], STEPS[0], ""], 0),
        ("step-down:0", [STEPS[1], STEPS[0], ""], 1),
        ("step-remove:0", [STEPS[1], ""], 0),
        ("step-up:0", [STEPS[0], STEPS[1], ""], None),
        ("step-remove:99", [STEPS[0], STEPS[1], ""], None),
        ("nonsense", [STEPS[0], STEPS[1], ""], None),
    ],
)
def test_step_buttons_change_the_steps_and_keep_everything_typed(
    client, clinic_admin, action, expected, focus
):
    client.force_login(clinic_admin)
    response = client.post(
        reverse("exercises:exercise-add"), form_data(action=action, name="Half-typed")
    )
    assert response.status_code == 200 and not Exercise.objects.exists()
    forms = response.context["steps"].forms
    assert [form.initial["text"] for form in forms] == expected
    focused = [
        i for i, form in enumerate(forms) if form.fields["text"].widget.attrs.get("autofocus")
    ]
    assert focused == ([] if focus is None else [focus])
    assert response.context["form"].initial["name"] == "Half-typed"
    assert "was not saved" not in response.text  # a step button is not a failed save


def test_step_buttons_with_htmx_answer_only_the_steps_section(client, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(
        reverse("exercises:exercise-add"),
        form_data(action="step-add"),
        headers={"HX-Request": "true"},
    )
    assert response.text.lstrip().startswith('<section class="card mb-4" id="exercise-steps"')
    assert "<html" not in response.text and 'name="name"' not in response.text
    assert response.text.count('name="steps-') == 4 + 4  # management form + four rows


def test_editing_shows_the_steps_then_an_empty_row_and_saves_a_new_order(client, clinic_admin):
    exercise = create(clinic_admin, image=png(), image_licence="own")
    client.force_login(clinic_admin)
    page = client.get(reverse("exercises:exercise-edit", args=[exercise.pk]))
    assert [form.initial["text"] for form in page.context["steps"].forms] == [*STEPS, ""]
    assert "Remove the current picture" in page.text
    data = form_data(**{"steps-0-text": STEPS[2], "steps-1-text": STEPS[0], "name": "Cat camel"})
    response = client.post(reverse("exercises:exercise-edit", args=[exercise.pk]), data)
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.name == "Cat camel" and steps_of(exercise) == [STEPS[2], STEPS[0]]
    assert exercise.image  # no new file and no "remove" ticked: the picture stays


# Detail page, copy, archive, restore, delete ---------------------------------------------------


def test_detail_offers_an_admin_the_actions_that_fit(client, clinic_admin, therapist):
    unused = create(clinic_admin, name="Unused")
    used = create(clinic_admin, name="Used")
    prescribe(therapist, used)
    client.force_login(clinic_admin)
    page = client.get(unused.get_absolute_url()).text
    for url_name in ("exercise-edit", "exercise-archive", "exercise-delete"):
        assert reverse(f"exercises:{url_name}", args=[unused.pk]) in page
    page = client.get(used.get_absolute_url()).text
    assert reverse("exercises:exercise-delete", args=[used.pk]) not in page
    assert "Used in 1 plan, so it can only be archived" in page
    client.force_login(therapist)
    page = client.get(used.get_absolute_url()).text
    assert reverse("exercises:exercise-edit", args=[used.pk]) not in page
    assert reverse("exercises:exercise-archive", args=[used.pk]) not in page


def test_copy_to_my_clinic_from_the_shared_exercise_page(client, clinic_admin, shared_stretch):
    client.force_login(clinic_admin)
    page = client.get(shared_stretch.get_absolute_url()).text
    assert "Copy to my clinic" in page
    assert reverse("exercises:exercise-edit", args=[shared_stretch.pk]) not in page
    response = client.post(reverse("exercises:exercise-copy", args=[shared_stretch.pk]))
    copy = Exercise.objects.get(clinic=clinic_admin.clinic)
    assert response.url == copy.get_absolute_url()
    page = client.get(shared_stretch.get_absolute_url()).text
    assert "Your clinic already has its own copy" in page and "Copy to my clinic" not in page
    again = client.post(reverse("exercises:exercise-copy", args=[shared_stretch.pk]), follow=True)
    assert "already has a copy of this exercise" in again.text
    assert Exercise.objects.filter(clinic=clinic_admin.clinic).count() == 1


def test_archive_and_restore_from_the_page(client, clinic_admin):
    exercise = create(clinic_admin)
    client.force_login(clinic_admin)
    page = client.post(reverse("exercises:exercise-archive", args=[exercise.pk]), follow=True)
    assert "therapists can no longer add it to plans" in page.text
    exercise.refresh_from_db()
    assert exercise.is_archived
    assert reverse("exercises:exercise-restore", args=[exercise.pk]) in page.text
    client.post(reverse("exercises:exercise-restore", args=[exercise.pk]))
    exercise.refresh_from_db()
    assert not exercise.is_archived


def test_delete_asks_first_then_deletes_an_unused_exercise(client, clinic_admin):
    exercise = create(clinic_admin)
    client.force_login(clinic_admin)
    url = reverse("exercises:exercise-delete", args=[exercise.pk])
    assert "Delete for good" in client.get(url).text
    assert Exercise.objects.exists()
    response = client.post(url)
    assert response.url == reverse("exercises:library")
    assert not Exercise.objects.exists()


def test_delete_of_a_used_exercise_explains_and_offers_archive(client, clinic_admin, therapist):
    exercise = create(clinic_admin)
    prescribe(therapist, exercise)
    client.force_login(clinic_admin)
    url = reverse("exercises:exercise-delete", args=[exercise.pk])
    page = client.get(url).text
    assert "Used in 1 plan, so it can only be archived" in page and "Archive instead" in page
    assert "Delete for good" not in page
    refused = client.post(url)
    assert refused.status_code == 200
    assert "Used in 1 plan, so it can only be archived" in refused.text
    assert Exercise.objects.filter(pk=exercise.pk).exists()


# Who may do what -----------------------------------------------------------------------------

WRITE_URLS = [
    ("exercise-edit", "get"),
    ("exercise-edit", "post"),
    ("exercise-copy", "post"),
    ("exercise-archive", "post"),
    ("exercise-restore", "post"),
    ("exercise-delete", "get"),
    ("exercise-delete", "post"),
]


def request(client, url_name, method, pk):
    return getattr(client, method)(reverse(f"exercises:{url_name}", args=[pk]))


def test_another_clinics_admin_gets_404_for_our_exercise(client, clinic_admin, stranger_admin):
    ours = create(clinic_admin)
    client.force_login(stranger_admin)
    assert client.get(ours.get_absolute_url()).status_code == 404
    for url_name, method in WRITE_URLS:
        assert request(client, url_name, method, ours.pk).status_code == 404, url_name
    ours.refresh_from_db()
    assert (
        not ours.is_archived and Exercise.objects.filter(clinic=stranger_admin.clinic).count() == 0
    )


def test_a_shared_exercise_has_no_edit_archive_or_delete_pages(
    client, clinic_admin, shared_stretch
):
    client.force_login(clinic_admin)
    for url_name, method in WRITE_URLS:
        if url_name != "exercise-copy":
            assert request(client, url_name, method, shared_stretch.pk).status_code == 404


def test_therapists_read_the_library_but_change_nothing(client, clinic_admin, therapist):
    ours = create(clinic_admin)
    client.force_login(therapist)
    assert client.get(reverse("exercises:library")).status_code == 200
    assert client.get(ours.get_absolute_url()).status_code == 200
    assert client.get(reverse("exercises:exercise-add")).status_code == 403
    assert client.post(reverse("exercises:exercise-add"), form_data()).status_code == 403
    for url_name, method in WRITE_URLS:
        assert request(client, url_name, method, ours.pk).status_code == 403, url_name
    assert Exercise.objects.count() == 1


def test_patients_reach_none_of_the_library(client, clinic_admin, patient):
    ours = create(clinic_admin)
    client.force_login(patient.user)
    assert client.get(reverse("exercises:library")).status_code == 403
    assert client.get(ours.get_absolute_url()).status_code == 403
    assert client.get(reverse("exercises:exercise-add")).status_code == 403
    for url_name, method in WRITE_URLS:
        assert request(client, url_name, method, ours.pk).status_code == 403, url_name


def test_changes_are_posts_only(client, clinic_admin):
    exercise = create(clinic_admin)
    client.force_login(clinic_admin)
    for url_name in ("exercise-copy", "exercise-archive", "exercise-restore"):
        assert request(client, url_name, "get", exercise.pk).status_code == 405
