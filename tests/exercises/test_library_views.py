from django.urls import reverse

from tests.exercises.factories import ExerciseFactory


def test_library_lists_shared_and_own_exercises_but_not_another_clinics(
    client, clinic_admin, other_clinic
):
    ExerciseFactory(clinic=None, name="Shared cat stretch", slug="shared-cat")
    ExerciseFactory(clinic=clinic_admin.clinic, name="Our hamstring stretch")
    ExerciseFactory(clinic=other_clinic, name="Their secret stretch")
    ExerciseFactory(clinic=clinic_admin.clinic, name="Old archived stretch", is_archived=True)
    client.force_login(clinic_admin)
    page = client.get(reverse("exercises:library")).text
    assert "Shared cat stretch" in page
    assert "Our hamstring stretch" in page
    assert "Their secret stretch" not in page
    assert "Old archived stretch" not in page


def test_library_search_and_filters(client, therapist):
    ExerciseFactory(clinic=None, name="Neck rotation", slug="neck-rot", body_region="neck")
    ExerciseFactory(clinic=None, name="Calf raise", slug="calf", body_region="ankle_foot")
    client.force_login(therapist)
    page = client.get(reverse("exercises:library"), {"q": "neck"}).text
    assert "Neck rotation" in page and "Calf raise" not in page
    page = client.get(reverse("exercises:library"), {"region": "ankle_foot"}).text
    assert "Calf raise" in page and "Neck rotation" not in page


def test_library_query_count_does_not_grow_with_the_catalog(
    client, therapist, django_assert_max_num_queries
):
    ExerciseFactory.create_batch(3, clinic=therapist.clinic)
    client.force_login(therapist)
    with django_assert_max_num_queries(6) as small:
        client.get(reverse("exercises:library"))
    ExerciseFactory.create_batch(20, clinic=therapist.clinic)
    ExerciseFactory.create_batch(5, clinic=None)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("exercises:library"))


def test_exercise_detail_shows_steps_cautions_and_dose(client, therapist):
    exercise = ExerciseFactory(
        clinic=None,
        slug="ktc",
        name="Knee-to-chest stretch",
        cautions="Osteoporosis: ask your therapist first.",
        steps=["Lie on your back.", "Bring your knees up."],
    )
    client.force_login(therapist)
    page = client.get(reverse("exercises:exercise-detail", args=[exercise.pk])).text
    assert "Lie on your back." in page and "Bring your knees up." in page
    assert page.index("Lie on your back.") < page.index("Bring your knees up.")
    assert "Osteoporosis: ask your therapist first." in page
    assert "Hold 30 seconds, 3 times" in page


def test_another_clinics_exercise_answers_404(client, therapist, other_clinic):
    theirs = ExerciseFactory(clinic=other_clinic)
    client.force_login(therapist)
    response = client.get(reverse("exercises:exercise-detail", args=[theirs.pk]))
    assert response.status_code == 404
    missing = client.get(reverse("exercises:exercise-detail", args=[999999]))
    assert missing.status_code == 404


def test_patients_cannot_open_the_library(client, patient):
    client.force_login(patient.user)
    assert client.get(reverse("exercises:library")).status_code == 403


def test_search_as_you_type_returns_only_the_results_fragment(client, therapist):
    ExerciseFactory(clinic=None, name="Neck rotation", slug="neck-rot", body_region="neck")
    ExerciseFactory(clinic=None, name="Calf raise", slug="calf", body_region="ankle_foot")
    client.force_login(therapist)
    response = client.get(
        reverse("exercises:library"), {"q": "calf"}, headers={"HX-Request": "true"}
    )
    assert response.text.lstrip().startswith('<div id="catalog-results">')
    assert "Calf raise" in response.text and "Neck rotation" not in response.text
    assert "<html" not in response.text and "Exercise library" not in response.text
