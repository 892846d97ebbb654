import pytest

from tests.exercises.factories import ExerciseFactory


@pytest.fixture
def knee(db):
    return ExerciseFactory(
        clinic=None,
        slug="knee-to-chest-stretch",
        name="Knee-to-chest stretch",
        contraindications="If you have osteoporosis, ask your therapist before this stretch.",
    )


@pytest.fixture
def press(db):
    return ExerciseFactory(clinic=None, slug="prone-press-up", name="Prone press-up")
