"""Random input, posted through the real pages, to every form that sets a dose: the plan builder
(a new plan and a revision), the clinic's plan templates, and an exercise in the library (its
default dose, fields and steps). Whatever is posted, the page answers without a server error;
a refused submission writes nothing; an accepted one saves only rows that pass the models'
validation, with every dose inside its limit."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from exercises import dose
from exercises.models import Exercise, ExerciseStep
from exercises.services import MAX_STEPS
from prescriptions.models import Plan, PlanItem, PlanRevision, PlanTemplate, PlanTemplateItem
from prescriptions.services import ItemInput, plan_create, template_create
from tests.exercises.factories import ExerciseFactory
from tests.properties import (
    MANAGEMENT_WILD,
    MISSING,
    PROPERTIES,
    accepted,
    assert_handled,
    assert_outcome,
    assert_rows_valid,
    exact_or_faulty,
    id_text,
    management_form,
    number_text,
    prefixed,
    rolled_back,
    rows_of,
    text,
    valid_fields,
    valid_number,
)

PLAN_MODELS = [Plan, PlanItem, PlanRevision]
TEMPLATE_MODELS = [PlanTemplate, PlanTemplateItem]
EXERCISE_MODELS = [Exercise, ExerciseStep]
PNG = b"\x89PNG\r\n\x1a\n"

plain_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
name_text = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=40)
weekdays = st.lists(st.sampled_from("0123456"), min_size=1, max_size=7, unique=True)
DAY = datetime.timedelta(days=1)
WILD_DATES = [
    "2024-02-30",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "31/12/2024",
    "2024-1-1",
    "2024-01-01T10:00",
    "today",
]


def dates_near(today: datetime.date, days: int):
    return st.dates(today - datetime.timedelta(days=days), today + datetime.timedelta(days=days))


def wild_date(today: datetime.date):
    return st.one_of(
        st.sampled_from(WILD_DATES), st.dates().map(datetime.date.isoformat), text, st.just("")
    )


def other_buttons(*verbs: str):
    """Any button of the page but "save", aimed at any row."""
    return st.one_of(
        st.builds(lambda verb, arg: f"{verb}:{arg}", st.sampled_from(verbs), id_text(0, 1, 2)),
        text,
    )


ITEM_WILD = {
    "sets": number_text(dose.SETS),
    "repetitions": number_text(dose.REPETITIONS),
    "hold_seconds": number_text(dose.HOLD_SECONDS),
    "rest_seconds": number_text(dose.REST_SECONDS),
    "side": text,
    "note": text,
}
BUILDER_LIMITS = {**dose.DOSE_LIMITS, "times_per_day": dose.TIMES_PER_DAY}
BUILDER_WILD = {
    **ITEM_WILD,
    **MANAGEMENT_WILD,
    "times_per_day": number_text(dose.TIMES_PER_DAY),
    "weekdays": st.lists(st.one_of(st.sampled_from("0123456"), id_text()), max_size=9),
    "action": other_buttons("add", "remove", "up", "down"),
    "title": text,
    "name": text,
    "notes": text,
    "description": text,
}


@st.composite
def builder_post(draw, *, own_fields, catalog, item_ids=(), wild=None):
    """A post of the plan builder: the plan's (or template's) own fields, one to four exercise
    rows, the formset's management form, the button pressed and perhaps the search box. Then
    either one dose number is set near or past its limit, with whether the page must accept
    it, or a few values are made wild (see `exact_or_faulty`)."""
    rows = draw(st.integers(1, 4))
    data = draw(own_fields) | management_form("items", rows)
    for index in range(rows):
        row = valid_fields(
            draw,
            {
                # A revision keeps the plan's items in place, then adds new ones.
                "item_id": st.just(str(item_ids[index]) if index < len(item_ids) else ""),
                "exercise": st.sampled_from(catalog.choosable).map(str),
                "sets": valid_number(dose.SETS),
                "repetitions": valid_number(dose.REPETITIONS),
                "hold_seconds": valid_number(dose.HOLD_SECONDS),
                "rest_seconds": valid_number(dose.REST_SECONDS),
                "side": st.sampled_from(dose.Side.values),
                "note": plain_text,
            },
        )
        data |= prefixed("items", index, row)
    data["action"] = "save"
    if draw(st.booleans()):
        data["q"] = draw(text)
    all_wild = {
        **BUILDER_WILD,
        "item_id": id_text(*item_ids),
        "exercise": id_text(*catalog.not_choosable),
        **(wild or {}),
    }
    return exact_or_faulty(draw, data, all_wild, BUILDER_LIMITS)


@st.composite
def plan_fields(draw, today: datetime.date, version: int | None = None):
    start = draw(dates_near(today, 60))
    end = draw(st.one_of(st.none(), st.integers(0, 400).map(lambda days: start + days * DAY)))
    fields = {
        "title": draw(name_text),
        "start_date": start.isoformat(),
        "end_date": end.isoformat() if end else "",
        "times_per_day": draw(valid_number(dose.TIMES_PER_DAY)),
        "weekdays": draw(weekdays),
        "notes": draw(plain_text),
    }
    if version is not None:
        fields["version"] = str(version)
    return fields


def plan_wild(today: datetime.date, version: int | None = None) -> dict:
    return {
        "start_date": wild_date(today),
        "end_date": wild_date(today),
        "version": id_text(*([version] if version else [])),
    }


def template_fields():
    return st.fixed_dictionaries(
        {
            "name": name_text,
            "times_per_day": valid_number(dose.TIMES_PER_DAY),
            "weekdays": weekdays,
            "description": plain_text,
        }
    )


@pytest.fixture
def catalog(clinic, other_clinic):
    """What a plan may hold (the clinic's own and the shared exercises), and what it may not:
    an archived exercise and another clinic's."""
    own = ExerciseFactory(clinic=clinic, name="Knee-to-chest stretch", default_hold_seconds=30)
    shared = ExerciseFactory(clinic=None, name="Prone press-up", contraindications="Osteoporosis")
    archived = ExerciseFactory(clinic=clinic, name="Old stretch", is_archived=True)
    foreign = ExerciseFactory(clinic=other_clinic, name="Their stretch")
    return SimpleNamespace(
        own=own,
        shared=shared,
        choosable=[own.pk, shared.pk],
        not_choosable=[archived.pk, foreign.pk],
    )


def signed_in(client, user):
    client.force_login(user)
    return client


def follow(client, response) -> None:
    """The page an accepted form leads to shows what was saved without an error."""
    assert client.get(response["Location"]).status_code == 200


def assert_plan_items_in_catalog(clinic) -> None:
    for item in PlanItem.objects.select_related("exercise"):
        assert item.exercise.clinic_id in (None, clinic.pk)


# The plan builder ------------------------------------------------------------------------------


@PROPERTIES
@given(data=st.data())
def test_the_new_plan_builder_never_fails_and_saves_only_valid_plans(
    data, client, therapist, patient, catalog
):
    signed_in(client, therapist)
    url = reverse("patients:plan-create", args=[patient.pk])
    today = patient.clinic.today()
    post, must_accept = data.draw(
        builder_post(own_fields=plan_fields(today), wild=plan_wild(today), catalog=catalog)
    )
    with rolled_back():
        before = rows_of(PLAN_MODELS)
        response = client.post(url, post)
        assert_handled(response)
        was_accepted = accepted(response, "/plans/")
        assert_outcome(was_accepted, must_accept)
        if was_accepted:
            assert Plan.objects.filter(patient=patient).count() == 1
            assert_rows_valid(PLAN_MODELS)
            assert_plan_items_in_catalog(patient.clinic)
            follow(client, response)
        else:
            assert rows_of(PLAN_MODELS) == before


@pytest.fixture
def plan(therapist, patient, catalog):
    return plan_create(
        patient=patient,
        prescribed_by=therapist,
        title="Back spasm relief",
        start_date=patient.clinic.today() - datetime.timedelta(days=7),
        items=[
            ItemInput.from_exercise(catalog.own),
            ItemInput.from_exercise(catalog.shared, sets=2),
        ],
    )


@PROPERTIES
@given(data=st.data())
def test_revising_a_plan_never_fails_and_saves_only_valid_plans(
    data, client, colleague, plan, catalog
):
    signed_in(client, colleague)
    url = reverse("prescriptions:plan-edit", args=[plan.pk])
    today = plan.clinic.today()
    post, must_accept = data.draw(
        builder_post(
            own_fields=plan_fields(today, version=plan.version),
            wild=plan_wild(today, version=plan.version),
            catalog=catalog,
            item_ids=list(plan.items.values_list("pk", flat=True)),
        )
    )
    with rolled_back():
        before = rows_of(PLAN_MODELS)
        response = client.post(url, post)
        assert_handled(response)
        was_accepted = accepted(response, f"/plans/{plan.pk}/")
        assert_outcome(was_accepted, must_accept)
        if was_accepted:
            assert Plan.objects.count() == 1
            assert_rows_valid(PLAN_MODELS)
            assert_plan_items_in_catalog(plan.clinic)
            follow(client, response)
        else:
            assert rows_of(PLAN_MODELS) == before


# Plan templates --------------------------------------------------------------------------------


@pytest.fixture
def plan_template(clinic, clinic_admin, catalog):
    return template_create(
        clinic=clinic,
        created_by=clinic_admin,
        name="Back spasm starter",
        items=[ItemInput.from_exercise(catalog.own)],
    )


@pytest.mark.parametrize("which", ["new", "edit"])
@PROPERTIES
@given(data=st.data())
def test_a_plan_template_never_fails_and_saves_only_valid_templates(
    data, which, client, clinic_admin, plan_template, catalog
):
    signed_in(client, clinic_admin)
    if which == "new":
        url = reverse("prescriptions:template-add")
    else:
        url = reverse("prescriptions:template-edit", args=[plan_template.pk])
    post, must_accept = data.draw(builder_post(own_fields=template_fields(), catalog=catalog))
    with rolled_back():
        before = rows_of(TEMPLATE_MODELS)
        response = client.post(url, post)
        assert_handled(response)
        was_accepted = accepted(response, "/plans/templates/")
        assert_outcome(was_accepted, must_accept)
        if was_accepted:
            assert_rows_valid(TEMPLATE_MODELS)
            for item in PlanTemplateItem.objects.select_related("exercise"):
                assert item.exercise.clinic_id in (None, clinic_admin.clinic_id)
            follow(client, response)
        else:
            assert rows_of(TEMPLATE_MODELS) == before


# An exercise in the library --------------------------------------------------------------------


EXERCISE_VALID = {
    "name": name_text,
    "summary": plain_text,
    "body_region": st.sampled_from(["lower_back", "knee", "neck"]),
    "kind": st.sampled_from(["stretch", "strengthening", "mobility", "balance"]),
    "equipment": plain_text,
    "is_sided": st.sampled_from([MISSING, "on"]),
    "contraindications": plain_text,
    "cautions": plain_text,
    "default_sets": valid_number(dose.SETS),
    "default_repetitions": valid_number(dose.REPETITIONS),
    "default_hold_seconds": valid_number(dose.HOLD_SECONDS),
    "default_rest_seconds": valid_number(dose.REST_SECONDS),
    "video_url": st.sampled_from(["", "https://www.youtube.com/watch?v=abc123"]),
    "remove_image": st.sampled_from([MISSING, "on"]),
}
EXERCISE_LIMITS = {f"default_{name}": limit for name, limit in dose.DOSE_LIMITS.items()}
EXERCISE_WILD = {
    **MANAGEMENT_WILD,
    "default_sets": number_text(dose.SETS),
    "default_repetitions": number_text(dose.REPETITIONS),
    "default_hold_seconds": number_text(dose.HOLD_SECONDS),
    "default_rest_seconds": number_text(dose.REST_SECONDS),
    "video_url": st.one_of(
        text,
        st.sampled_from(
            [
                "javascript:alert(1)",
                "ftp://example.com/x",
                "example.com/video",
                "https://" + "a" * 300 + ".com",
                "https://exa\x00mple.com",
                "http://[::1",
            ]
        ),
    ),
    "action": other_buttons("step-add", "step-remove", "step-up", "step-down"),
}


@st.composite
def exercise_post(draw):
    """The exercise form: its fields, one to MAX_STEPS steps and the save button; then one
    dose number near or past its limit, or a few values made wild (a step's text, the number
    of step rows, a dose, a button) and perhaps a picture that is not one."""
    data = valid_fields(draw, EXERCISE_VALID)
    data = {name: value for name, value in data.items() if value is not MISSING}
    steps = draw(st.lists(name_text, min_size=1, max_size=MAX_STEPS))
    data |= management_form("steps", len(steps))
    for index, step in enumerate(steps):
        data[f"steps-{index}-text"] = step
    data["action"] = "save"
    data, must_accept = exact_or_faulty(draw, data, EXERCISE_WILD, EXERCISE_LIMITS)
    if must_accept is None and draw(st.sampled_from([False, False, True])):
        # Whatever is uploaded as the picture, it is checked before anything is saved.
        content = draw(st.one_of(st.binary(max_size=300), st.binary(max_size=300).map(PNG.__add__)))
        data["image"] = SimpleUploadedFile("picture.png", content, content_type="image/png")
    return data, must_accept


@pytest.fixture
def own_exercise(clinic):
    return ExerciseFactory(clinic=clinic, name="Cat-camel", steps=["Kneel.", "Arch your back."])


@pytest.mark.parametrize("which", ["new", "edit"])
@PROPERTIES
@given(data=st.data())
def test_an_exercise_form_never_fails_and_saves_only_valid_exercises(
    data, which, client, clinic_admin, own_exercise
):
    signed_in(client, clinic_admin)
    if which == "new":
        url = reverse("exercises:exercise-add")
    else:
        url = reverse("exercises:exercise-edit", args=[own_exercise.pk])
    post, must_accept = data.draw(exercise_post())
    with rolled_back():
        before = rows_of(EXERCISE_MODELS)
        response = client.post(url, post)
        assert_handled(response)
        was_accepted = accepted(response, "/exercises/")
        assert_outcome(was_accepted, must_accept)
        if was_accepted:
            assert_rows_valid(EXERCISE_MODELS)
            owners = set(Exercise.objects.values_list("clinic_id", flat=True))
            assert owners == {clinic_admin.clinic_id}
            for exercise in Exercise.objects.filter(clinic=clinic_admin.clinic):
                assert 1 <= exercise.steps.count() <= MAX_STEPS
            follow(client, response)
        else:
            assert rows_of(EXERCISE_MODELS) == before


# Found by the properties above -----------------------------------------------------------------


def test_a_row_with_an_exercise_id_no_database_can_hold_is_refused(
    client, therapist, patient, catalog
):
    # 2**63 is past every id column; the builder used to send it to the database, which failed.
    signed_in(client, therapist)
    today = patient.clinic.today().isoformat()
    post = {
        "title": "Back spasm relief",
        "start_date": today,
        "times_per_day": "1",
        "weekdays": ["0", "3"],
        **management_form("items", 2),
        **prefixed("items", 0, {"exercise": str(catalog.own.pk), "sets": "1"}),
        **prefixed("items", 1, {"exercise": str(2**63), "sets": "1"}),
        "action": "save",
    }
    response = client.post(reverse("patients:plan-create", args=[patient.pk]), post)
    assert response.status_code == 200
    assert "This exercise is not in your clinic&#x27;s catalog." in response.text
    assert not Plan.objects.exists()


def test_a_catalog_search_with_a_nul_character_finds_nothing(client, therapist, patient, catalog):
    # PostgreSQL refuses a query holding NUL; no exercise name can hold one, so none matches.
    signed_in(client, therapist)
    response = client.post(
        reverse("patients:plan-create", args=[patient.pk]),
        {"action": "search", "q": "Knee\x00"},
    )
    assert response.status_code == 200
    assert response.context["builder"].results == []
    search = client.get(reverse("prescriptions:exercise-search"), {"q": "Knee\x00"})
    assert search.status_code == 200
    assert search.context["results"] == []
    assert client.get(reverse("prescriptions:exercise-search"), {"q": "Knee"}).context["results"]
