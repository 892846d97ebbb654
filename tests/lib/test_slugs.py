from exercises.models import Exercise
from lib.slugs import unique_slug
from tests.clinics.factories import ClinicFactory
from tests.exercises.factories import ExerciseFactory


def test_the_plain_slug_then_the_first_free_number(db):
    clinic = ClinicFactory()
    taken_in = Exercise.objects.filter(clinic=clinic)
    assert unique_slug("Cat camel", taken_in=taken_in, fallback="exercise") == "cat-camel"
    ExerciseFactory(clinic=clinic, slug="cat-camel")
    ExerciseFactory(clinic=clinic, slug="cat-camel-2")
    ExerciseFactory(clinic=clinic, slug="cat-camel-stretch")
    assert unique_slug("Cat camel", taken_in=taken_in, fallback="exercise") == "cat-camel-3"


def test_only_the_rows_given_count_and_a_name_with_no_letters_takes_the_fallback(db):
    ExerciseFactory(clinic=ClinicFactory(), slug="bridge")
    mine = Exercise.objects.filter(clinic=ClinicFactory())
    assert unique_slug("Bridge", taken_in=mine, fallback="exercise") == "bridge"
    assert unique_slug("!!!", taken_in=mine, fallback="exercise") == "exercise"
