"""Exercise content in English, Spanish and French: the columns per language, the English shown
where a language is missing, the editor, the staff's mark, the catalog's translation files, the
pictures' text alternatives and the library's files."""

import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from clinics.models import Clinic
from clinics.services import user_language_set
from exercises import transfer
from exercises.catalog_translations import TRANSLATIONS_DIR, catalog_translations
from exercises.fallbacks import clinic_language
from exercises.figures import figure_for
from exercises.models import Exercise
from exercises.pictures import picture_for
from exercises.selectors import exercise_catalog
from exercises.services import (
    ExerciseInput,
    TranslatedContent,
    exercise_copy_to_clinic,
    exercise_create,
    exercise_update,
)
from prescriptions.catalog import STARTER_CATALOG, starter_catalog_load
from tests.exercises.factories import ExerciseFactory
from tests.exercises.test_library_admin import form_data

SPANISH_STEPS = ["Póngase a cuatro patas.", "Arquee la espalda como un gato."]
FIXTURE = Path(__file__).resolve().parent / "catalog_fixture" / "starter.json"
STEPS = ["Lie on your back.", "Lift your hips.", "Lower them slowly."]
SPANISH = TranslatedContent(
    name="Puente de glúteos",
    summary="Fortalece los glúteos.",
    steps=["Túmbese boca arriba.", "Levante la cadera.", "Bájela despacio."],
    cautions="Sin dolor.",
)


def bridge(admin, **overrides) -> Exercise:
    values = {
        "name": "Glute bridge",
        "body_region": "hip",
        "kind": "strengthening",
        "steps": STEPS,
        "summary": "Strengthens the glutes.",
        "cautions": "Keep it pain-free.",
        "translations": {"es": SPANISH},
    }
    values.update(overrides)
    return exercise_create(clinic=admin.clinic, created_by=admin, data=ExerciseInput(**values))


def test_each_language_reads_its_own_text_and_falls_back_to_english(clinic_admin):
    exercise = Exercise.objects.prefetch_related("steps").get(pk=bridge(clinic_admin).pk)
    assert exercise.name_en == "Glute bridge" and exercise.name_es == "Puente de glúteos"
    assert exercise.name_fr is None
    with translation.override("es"):
        assert exercise.name == "Puente de glúteos"
        assert [step.text for step in exercise.steps.all()] == SPANISH.steps
        assert exercise.equipment == ""
    with translation.override("fr"):
        assert exercise.name == "Glute bridge"
        assert [step.text for step in exercise.steps.all()] == STEPS
        assert exercise.caution_list == ["Keep it pain-free."]


def test_a_write_in_another_active_language_still_writes_english_by_column(clinic_admin):
    with translation.override("es"):
        exercise = bridge(clinic_admin, translations={})
    assert exercise.name_en == "Glute bridge" and exercise.name_es is None
    assert list(exercise.steps.values_list("text_en", "text_es")) == [(s, None) for s in STEPS]


def test_a_translation_with_other_steps_than_english_is_refused(clinic_admin):
    wrong = TranslatedContent(name="Puente", steps=["Uno.", "Dos."])
    with pytest.raises(Exception) as refused:
        bridge(clinic_admin, translations={"fr": wrong})
    messages = refused.value.message_dict
    assert "same number as the English steps (3)" in messages["steps_fr"][0]
    assert not Exercise.objects.exists()


def test_an_update_that_leaves_a_language_out_keeps_it_and_copies_carry_it(clinic_admin):
    exercise = bridge(clinic_admin)
    data = ExerciseInput.from_exercise(exercise)
    changed = ExerciseInput(**{**data.__dict__, "name": "Bridge", "translations": {}})
    exercise_update(exercise=exercise, updated_by=clinic_admin, data=changed)
    exercise.refresh_from_db()
    assert exercise.name_en == "Bridge" and exercise.name_es == "Puente de glúteos"
    assert list(exercise.steps.values_list("text_es", flat=True)) == SPANISH.steps
    shared = ExerciseFactory(clinic=None, name="Shared bridge")
    Exercise.objects.filter(pk=shared.pk).update(name_es="Puente compartido")
    copy = exercise_copy_to_clinic(
        exercise=Exercise.objects.get(pk=shared.pk),
        clinic=clinic_admin.clinic,
        copied_by=clinic_admin,
    )
    assert copy.name_es == "Puente compartido"


def editor_post(**overrides) -> dict:
    """The add page's fields (two English steps), with Spanish and French."""
    return form_data(
        **{
            "name_es": "Gato-camello",
            "steps_es": "\n".join(SPANISH_STEPS),
            "name_fr": "Chat-chameau",
            "summary_fr": "Mobilité douce du dos.",
            **overrides,
        }
    )


def test_the_editor_saves_spanish_and_french(client, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(reverse("exercises:exercise-add"), editor_post())
    exercise = Exercise.objects.get()
    assert response.status_code == 302
    assert (exercise.name_es, exercise.name_fr) == ("Gato-camello", "Chat-chameau")
    assert exercise.summary_fr == "Mobilité douce du dos."
    assert list(exercise.steps.values_list("text_es", flat=True)) == SPANISH_STEPS
    assert list(exercise.steps.values_list("text_fr", flat=True)) == [None, None]
    page = client.get(reverse("exercises:exercise-edit", args=[exercise.pk])).text
    assert "\n".join(SPANISH_STEPS) in page and 'lang="fr"' in page


def test_the_editor_refuses_a_step_count_mismatch_and_keeps_what_was_typed(client, clinic_admin):
    client.force_login(clinic_admin)
    typed = SPANISH_STEPS[0]
    response = client.post(
        reverse("exercises:exercise-add"), editor_post(steps_es=typed, name_fr="", summary_fr="x")
    )
    assert response.status_code == 200 and not Exercise.objects.exists()
    form = response.context["form"]
    assert "as many as the English steps" in form["steps_es"].help_text
    assert "same number as the English steps (2)" in form.errors["steps_es"][0]
    assert "name in this language too" in form.errors["name_fr"][0]
    assert typed in response.text and 'value="Gato-camello"' in response.text


def test_staff_see_which_exercises_show_english_instead(client, clinic_admin):
    translated = bridge(clinic_admin)
    untranslated = bridge(clinic_admin, name="Clamshell", translations={})
    user_language_set(user=clinic_admin, language="es")
    client.force_login(clinic_admin)
    library = client.get(reverse("exercises:library")).text
    marked = client.get(reverse("exercises:exercise-detail", args=[untranslated.pk])).text
    unmarked = client.get(reverse("exercises:exercise-detail", args=[translated.pk])).text
    assert library.count("untranslated-badge") == 1
    assert "untranslated-badge" in marked and "untranslated-badge" not in unmarked
    assert "Puente de glúteos" in unmarked
    user_language_set(user=clinic_admin, language="en")
    english = client.get(reverse("exercises:library")).text
    assert "untranslated-badge" not in english


def test_the_mark_follows_the_active_language(rf, clinic_admin):
    from django.template import Context, Template

    translated, untranslated = (
        bridge(clinic_admin),
        bridge(clinic_admin, name="Clam", translations={}),
    )
    template = Template("{% load exercise_languages %}{% untranslated_badge exercise %}")
    request = rf.get("/")
    request.user = clinic_admin

    def mark(exercise, language):
        with translation.override(language):
            return template.render(Context({"exercise": exercise, "request": request}))

    assert "untranslated-badge" in mark(untranslated, "es")
    assert "Inglés" in mark(untranslated, "es")  # the fallback named in the reader's language
    assert "sin traducir" not in mark(translated, "es")
    assert "not translated" not in mark(untranslated, "en")
    assert "pas encore traduit" in mark(translated, "fr")


def test_the_loader_writes_translations_from_the_files(db):
    catalog_translations.cache_clear()
    try:
        starter_catalog_load(FIXTURE)
        stretch = Exercise.objects.get(slug="knee-to-chest-stretch")
        assert stretch.name_en == "Knee to chest stretch"
        assert stretch.name_es == "Estiramiento rodilla al pecho"
        assert stretch.equipment_es == "Una esterilla" and stretch.name_fr is None
        assert stretch.cautions_es == "Pare si duele."
        assert list(stretch.steps.values_list("text_es", flat=True))[1] == (
            "Lleve una rodilla al pecho."
        )
        assert Exercise.objects.get(slug="wall-slide").name_es is None
        exercises, _templates = starter_catalog_load(FIXTURE)
        assert (exercises.created, exercises.updated, exercises.unchanged) == (0, 0, 2)
    finally:
        catalog_translations.cache_clear()


def test_the_drawings_text_alternatives_follow_the_language():
    slug = "knee-to-chest-stretch"
    figure = figure_for(slug, language="en")
    if figure is None or not catalog_translations("es").get(slug, {}).get("pose_alts"):
        pytest.skip("the catalog has no drawing or Spanish alternatives for this exercise")
    spanish = figure_for(slug, language="es")
    alts = catalog_translations("es")[slug]
    assert spanish.start.title == alts["pose_alts"]["start"]
    assert spanish.motion.title == alts.get("figure_alt", figure.motion.title)
    assert figure.start.title != spanish.start.title
    assert figure_for(slug, language="en") is figure


def test_the_picture_alt_of_an_uploaded_picture_uses_the_translated_name(clinic_admin):
    exercise = bridge(clinic_admin)
    exercise.image = "exercises/bridge.png"
    with translation.override("es"):
        assert "Puente de glúteos" in str(picture_for(exercise).alt)


def test_the_librarys_files_carry_the_translations(clinic_admin):
    exercise = bridge(clinic_admin)
    entry = transfer.entry_from_exercise(
        Exercise.objects.prefetch_related("steps").get(pk=exercise.pk)
    )
    assert entry["name_es"] == "Puente de glúteos" and entry["steps_es"] == SPANISH.steps
    assert entry["name_fr"] == "" and entry["steps_fr"] == []
    csv_text = transfer.export_csv([entry])
    assert "name_es" in csv_text.splitlines()[0]
    entry["name_fr"], entry["steps_fr"] = "Pont", ["Un.", "Deux.", "Trois."]
    rows = [transfer.ImportRow(where="item 1", values=entry)]
    transfer.exercise_library_import(
        clinic=clinic_admin.clinic, imported_by=clinic_admin, rows=rows
    )
    exercise.refresh_from_db()
    assert exercise.name_fr == "Pont" and exercise.name_es == "Puente de glúteos"
    assert list(exercise.steps.values_list("text_fr", flat=True)) == ["Un.", "Deux.", "Trois."]


def test_library_query_count_is_the_same_with_translations(
    client, clinic_admin, django_assert_max_num_queries
):
    for number in range(3):
        bridge(clinic_admin, name=f"Bridge {number}")
    client.force_login(clinic_admin)
    with translation.override("es"), django_assert_max_num_queries(6) as small:
        client.get(reverse("exercises:library"))
    for number in range(20):
        bridge(clinic_admin, name=f"More {number}", translations={})
    with translation.override("es"), django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("exercises:library"))


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_moves_existing_text_to_english():
    executor = MigrationExecutor(connection)
    executor.migrate([("exercises", "0004_translated_content")])
    old = executor.loader.project_state([("exercises", "0004_translated_content")]).apps
    exercise = old.get_model("exercises", "Exercise").objects.create(
        name="Cat-camel",
        slug="cat-camel",
        body_region="lower_back",
        kind="mobility",
        summary="Loosens the back.",
        cautions="Slowly.",
    )
    old.get_model("exercises", "ExerciseStep").objects.create(
        exercise=exercise, position=1, text="Kneel on all fours."
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("exercises", "0005_content_in_english")])
    new = executor.loader.project_state([("exercises", "0005_content_in_english")]).apps
    moved = new.get_model("exercises", "Exercise").objects.get(pk=exercise.pk)
    assert (moved.name_en, moved.summary_en, moved.cautions_en) == (
        "Cat-camel",
        "Loosens the back.",
        "Slowly.",
    )
    assert moved.name_es is None
    step = new.get_model("exercises", "ExerciseStep").objects.get(exercise_id=exercise.pk)
    assert step.text_en == "Kneel on all fours."
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())


def test_every_starter_exercise_has_spanish_and_french():
    """The real translation files beside the catalog: each exercise's name, summary, every step
    and every caution, in both languages."""
    starter = json.loads(STARTER_CATALOG.read_text(encoding="utf-8"))["exercises"]
    missing = []
    for language in ("es", "fr"):
        path = TRANSLATIONS_DIR / f"{language}.json"
        assert path.is_file(), f"{path} is missing"
        translated = json.loads(path.read_text(encoding="utf-8"))["exercises"]
        for entry in starter:
            content = translated.get(entry["slug"], {})
            for key in ("name", "summary"):
                if entry.get(key) and not content.get(key):
                    missing.append(f"{language} {entry['slug']}: {key}")
            for key in ("steps", "cautions"):
                texts = content.get(key, [])
                if len(texts) != len(entry.get(key, [])) or not all(texts):
                    missing.append(f"{language} {entry['slug']}: {key}")
    assert not missing, "\n".join(missing)


def test_the_library_orders_by_the_shown_name_and_finds_a_name_in_any_language(clinic_admin):
    clinic = clinic_admin.clinic
    ExerciseFactory(clinic=clinic, name_en="Zebra walk", name_es="Abeja", name_fr="")
    ExerciseFactory(clinic=clinic, name_en="Bird dog", name_es="", name_fr="Chien d'arrêt")

    def names(query=""):
        return [e.name for e in exercise_catalog(clinic=clinic, query=query)]

    with translation.override("es"):
        # "Bird dog" has no Spanish name and sorts by the English one it shows.
        assert names() == ["Abeja", "Bird dog"]
        assert names("zebra") == ["Abeja"]
    with translation.override("fr"):
        assert names() == ["Chien d'arrêt", "Zebra walk"]
        assert names("abeja") == ["Zebra walk"]
    with translation.override("en"):
        assert names() == ["Bird dog", "Zebra walk"]
        assert names("ARRÊT") == ["Bird dog"]


def test_untranslated_text_falls_back_to_the_clinics_language_then_english(clinic_admin):
    exercise = Exercise.objects.prefetch_related("steps").get(pk=bridge(clinic_admin).pk)
    with translation.override("fr"):
        assert exercise.name == "Glute bridge"  # no clinic: English
        with clinic_language("es"):
            assert exercise.name == "Puente de glúteos"
            assert [step.text for step in exercise.steps.all()] == SPANISH.steps
            # Each text on its own: the Spanish has no equipment, so the English one shows.
            assert exercise.cautions == "Sin dolor."
        with clinic_language("en"):
            assert exercise.name == "Glute bridge"
    with translation.override("es"), clinic_language("fr"):
        assert exercise.name == "Puente de glúteos"  # the reader's own comes first


def test_a_french_reader_at_a_spanish_clinic_sees_the_spanish_marked_as_such(client, clinic_admin):
    bridge(clinic_admin)
    clam = bridge(clinic_admin, name="Clamshell", translations={})
    Clinic.objects.filter(pk=clinic_admin.clinic_id).update(default_language="es")
    user_language_set(user=clinic_admin, language="fr")
    client.force_login(clinic_admin)
    library = client.get(reverse("exercises:library")).text
    # Shown in Spanish, the clinic's language, and marked so: "Espagnol : pas encore traduit".
    assert "Puente de glúteos" in library and "Glute bridge" not in library
    assert re.search(r"Espagnol\s*:\s*pas encore traduit", library)
    # Written in neither: English, marked as English.
    detail = client.get(reverse("exercises:exercise-detail", args=[clam.pk])).text
    assert "Clamshell" in detail and re.search(r"Anglais\s*:\s*pas encore traduit", detail)
