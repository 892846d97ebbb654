import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from clinics.models import AuditEvent
from exercises.models import Exercise
from exercises.services import ExerciseInput, exercise_archive, exercise_create
from tests.exercises.factories import ExerciseFactory

URL = "/api/v1/exercises/"
STEPS = ["Lie on your back.", "Hug both knees to your chest."]


def detail(exercise) -> str:
    return f"{URL}{exercise.pk}/"


def new_exercise(**fields) -> dict:
    return {"name": "Knee hug", "body_region": "hip", "kind": "stretch", "steps": STEPS, **fields}


@pytest.fixture
def shared(db):
    return ExerciseFactory(clinic=None, name="Prone press-up", slug="prone-press-up")


@pytest.fixture
def own(clinic):
    return ExerciseFactory(clinic=clinic, name="Clinic bridge", kind="strengthening")


@pytest.fixture
def foreign(other_clinic):
    return ExerciseFactory(clinic=other_clinic, name="Hillside lunge")


def test_the_list_holds_the_shared_catalog_and_the_clinics_own_only(api, shared, own, foreign):
    response = api.get(URL)
    assert response.status_code == 200
    names = {row["name"]: row for row in response.json()["results"]}
    assert set(names) == {"Prone press-up", "Clinic bridge"}
    assert names["Prone press-up"]["shared"] is True
    assert names["Clinic bridge"]["shared"] is False


def test_one_exercise_has_its_steps_cautions_and_default_dose(api, own):
    body = api.get(detail(own)).json()
    assert body["steps"] == ["Get into position.", "Hold gently."]
    assert body["cautions"] == "Stop if it hurts and contact your therapist."
    assert (body["default_sets"], body["default_repetitions"]) == (1, 3)
    assert (body["default_hold_seconds"], body["default_rest_seconds"]) == (30, 10)
    assert body["default_dose_text"] == "Hold 30 seconds, 3 times, rest 10 seconds between"
    assert body["picture"] is None


def test_an_uploaded_picture_is_given_by_its_address_and_credit(api, clinic_admin):
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "teal").save(buffer, format="PNG")
    exercise = exercise_create(
        clinic=clinic_admin.clinic,
        created_by=clinic_admin,
        data=ExerciseInput(
            name="Knee hug",
            body_region="hip",
            kind="stretch",
            steps=STEPS,
            image_licence="own",
            image_author="Ada Admin",
        ),
        image=SimpleUploadedFile("hug.png", buffer.getvalue(), content_type="image/png"),
    )
    picture = api.get(detail(exercise)).json()["picture"]
    assert picture["url"].startswith("http://testserver/")
    assert (picture["licence"], picture["author"]) == ("own", "Ada Admin")


def test_the_list_filters_by_kind_region_and_archive(admin_api, clinic_admin, shared, own):
    exercise_archive(exercise=own, archived_by=clinic_admin)

    def names(query):
        return [row["name"] for row in admin_api.get(URL + query).json()["results"]]

    assert names("?archived=true") == ["Clinic bridge"]
    assert names("?archived=false") == ["Prone press-up"]
    assert names("?kind=strengthening") == ["Clinic bridge"]
    assert names("?body_region=lower_back&kind=stretch") == ["Prone press-up"]
    refused = admin_api.get(URL + "?kind=yoga")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "kind"


def test_updated_since_gives_the_exercises_changed_since(api, shared, own):
    Exercise.objects.filter(pk=shared.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    response = api.get(URL, {"updated_since": since})
    assert [row["id"] for row in response.json()["results"]] == [own.pk]


def test_reading_exercises_leaves_no_audit_row(api, own):
    before = AuditEvent.objects.count()
    api.get(URL)
    api.get(detail(own))
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_asks_the_same_number_of_queries_for_2_or_12_exercises(
    api, clinic, django_assert_max_num_queries, count
):
    ExerciseFactory.create_batch(count, clinic=clinic)
    # The key (with its clinic and staff member), its last use, the page, the steps: measured.
    with django_assert_max_num_queries(4):
        response = api.get(URL)
    assert len(response.json()["results"]) == count


# Writes --------------------------------------------------------------------------------------


def test_an_admin_key_adds_an_exercise_with_its_steps(admin_api, clinic):
    response = admin_api.post(URL, new_exercise(default_sets=2, cautions="Go gently."))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["steps"] == STEPS and body["default_sets"] == 2 and body["shared"] is False
    exercise = Exercise.objects.get(pk=body["id"])
    assert exercise.clinic == clinic and exercise.slug == "knee-hug"


def test_a_key_acting_as_a_therapist_gets_the_services_refusal(api, own):
    added = api.post(URL, new_exercise())
    changed = api.patch(detail(own), {"summary": "Lift your hips."}, format="json")
    archived = api.post(detail(own) + "archive/")
    for response in (added, changed, archived):
        assert response.status_code == 403
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"] == "Only an admin of the exercise's clinic can change it."
    assert not Exercise.objects.filter(name="Knee hug").exists()
    own.refresh_from_db()
    assert own.summary == "A gentle stretch." and not own.is_archived


def test_a_shared_exercise_can_be_read_but_not_changed(admin_api, shared):
    assert admin_api.get(detail(shared)).status_code == 200
    for response in (
        admin_api.patch(detail(shared), {"name": "Mine now"}, format="json"),
        admin_api.post(detail(shared) + "archive/"),
    ):
        assert response.status_code == 403
        assert response.json()["detail"].startswith(
            "Shared exercises cannot be changed by a clinic."
        )
    shared.refresh_from_db()
    assert shared.name == "Prone press-up" and not shared.is_archived


def test_a_change_replaces_only_the_fields_sent(admin_api, own):
    response = admin_api.patch(
        detail(own), {"steps": ["Lie down.", "Lift.", "Lower."], "default_sets": 3}
    )
    assert response.status_code == 200, response.json()
    own.refresh_from_db()
    assert [step.text for step in own.steps.all()] == ["Lie down.", "Lift.", "Lower."]
    assert own.default_sets == 3 and own.name == "Clinic bridge" and own.default_hold_seconds == 30


@pytest.mark.parametrize(
    ("field", "value", "sentence"),
    [
        ("default_sets", 0, "Sets must be a whole number from 1 to 10."),
        ("default_sets", 11, "Sets must be a whole number from 1 to 10."),
        ("default_repetitions", 0, "Repetitions must be a whole number from 1 to 50."),
        ("default_repetitions", 51, "Repetitions must be a whole number from 1 to 50."),
        ("default_hold_seconds", 301, "Hold (seconds) must be a whole number from 0 to 300."),
        ("default_hold_seconds", -1, "Hold (seconds) must be a whole number from 0 to 300."),
        ("default_rest_seconds", 301, "Rest (seconds) must be a whole number from 0 to 300."),
    ],
)
def test_one_past_each_dose_limit_is_refused_with_the_limits_sentence(
    admin_api, own, field, value, sentence
):
    for response in (
        admin_api.post(URL, new_exercise(**{field: value})),
        admin_api.patch(detail(own), {field: value}),
    ):
        assert response.status_code == 400
        assert {"field": field, "detail": sentence} in response.json()["errors"]
    assert not Exercise.objects.filter(name="Knee hug").exists()


def test_each_dose_limit_itself_is_accepted(admin_api):
    response = admin_api.post(
        URL,
        new_exercise(
            default_sets=10,
            default_repetitions=50,
            default_hold_seconds=300,
            default_rest_seconds=300,
        ),
    )
    assert response.status_code == 201, response.json()


def test_an_exercise_without_steps_is_refused_with_the_services_sentence(admin_api):
    response = admin_api.post(URL, new_exercise(steps=["  "]))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "steps", "detail": "Add at least one step: patients follow the steps at home."}
    ]


def test_a_picture_cannot_be_uploaded_through_the_api(admin_api):
    response = admin_api.post(URL, new_exercise(), format="multipart")
    assert response.status_code == 415


def test_archive_and_restore_go_through_the_service(admin_api, own):
    archived = admin_api.post(detail(own) + "archive/")
    assert archived.status_code == 200 and archived.json()["is_archived"] is True
    assert AuditEvent.objects.filter(action="exercise_archived", api_key=admin_api.key).exists()
    restored = admin_api.post(detail(own) + "restore/")
    assert restored.status_code == 200 and restored.json()["is_archived"] is False


# Scope --------------------------------------------------------------------------------------


def test_another_clinics_key_gets_404_for_the_clinics_own_exercise(stranger_api, own):
    for response in (
        stranger_api.get(detail(own)),
        stranger_api.patch(detail(own), {"name": "Taken"}, format="json"),
        stranger_api.post(detail(own) + "archive/"),
        stranger_api.post(detail(own) + "restore/"),
    ):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


def test_another_clinics_exercise_answers_404_like_a_missing_one(admin_api, foreign):
    for url in (detail(foreign), f"{URL}999999/"):
        assert admin_api.get(url).status_code == 404
        assert admin_api.patch(url, {"name": "Taken"}, format="json").status_code == 404
        assert admin_api.post(url + "archive/").status_code == 404


def test_a_read_only_key_is_refused_every_write(read_only_api, own):
    for response in (
        read_only_api.post(URL, new_exercise()),
        read_only_api.patch(detail(own), {"name": "Changed"}, format="json"),
        read_only_api.post(detail(own) + "archive/"),
        read_only_api.post(detail(own) + "restore/"),
    ):
        assert response.status_code == 403
    assert read_only_api.get(detail(own)).status_code == 200


SPANISH = {
    "name": "Abrazo de rodillas",
    "summary": "Estira la espalda baja.",
    "steps": ["Acuéstese boca arriba.", "Lleve las rodillas al pecho."],
    "cautions": "Sin dolor.",
    "contraindications": "",
    "equipment": "",
}


def test_translations_are_written_and_read_by_language_whatever_the_callers_language(
    admin_api,
):
    response = admin_api.post(
        URL, new_exercise(translations={"es": SPANISH}), format="json", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    # The fields are the English ones, also for a caller whose Accept-Language is Spanish.
    assert body["name"] == "Knee hug" and body["steps"] == STEPS
    assert body["translations"]["es"] == SPANISH
    assert body["translations"]["fr"]["name"] == ""
    assert response["Content-Language"] == "en"
    exercise = Exercise.objects.get(pk=body["id"])
    assert exercise.name_en == "Knee hug" and exercise.name_es == "Abrazo de rodillas"

    # A change that sends only French keeps the Spanish.
    french = {"name": "Genoux serrés", "steps": ["Allongez-vous.", "Ramenez les genoux."]}
    changed = admin_api.patch(
        detail(exercise), {"translations": {"fr": french}}, format="json"
    ).json()
    assert changed["translations"]["es"]["name"] == "Abrazo de rodillas"
    assert changed["translations"]["fr"]["steps"] == french["steps"]


def test_a_translation_with_other_steps_than_english_is_refused_and_nothing_changes(admin_api, own):
    response = admin_api.patch(
        detail(own), {"translations": {"es": {"name": "Puente", "steps": ["Uno."]}}}, format="json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["steps_es"]
    own.refresh_from_db()
    assert own.name_es is None
