import factory

from exercises.models import BodyRegion, Exercise, ExerciseStep, Kind
from tests.clinics.factories import ClinicFactory


class ExerciseFactory(factory.django.DjangoModelFactory):
    """A clinic's own exercise; pass clinic=None for a shared one."""

    class Meta:
        model = Exercise
        skip_postgeneration_save = True

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Stretch {n}")
    slug = factory.Sequence(lambda n: f"stretch-{n}")
    body_region = BodyRegion.LOWER_BACK
    kind = Kind.STRETCH
    summary = "A gentle stretch."
    cautions = "Stop if it hurts and contact your therapist."
    default_sets = 1
    default_repetitions = 3
    default_hold_seconds = 30
    default_rest_seconds = 10

    @factory.post_generation
    def steps(obj, create, extracted, **kwargs):
        if not create:
            return
        texts = extracted if extracted is not None else ["Get into position.", "Hold gently."]
        ExerciseStep.objects.bulk_create(
            ExerciseStep(exercise=obj, position=i, text=t) for i, t in enumerate(texts, 1)
        )
