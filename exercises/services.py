from dataclasses import dataclass

from django.db import transaction

from .models import Exercise, ExerciseStep


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _exercise_fields(entry: dict) -> dict:
    return {
        "name": entry["name"],
        "body_region": entry["body_region"],
        "kind": entry["kind"],
        "summary": entry.get("summary", ""),
        "cautions": "\n".join(entry.get("cautions", [])),
        "contraindications": "\n".join(entry.get("contraindications", [])),
        "equipment": entry.get("equipment", ""),
        "is_sided": bool(entry.get("sided", False)),
        "default_sets": entry["sets"],
        "default_repetitions": entry["repetitions"],
        "default_hold_seconds": entry["hold_seconds"],
        "default_rest_seconds": entry["rest_seconds"],
    }


@transaction.atomic
def shared_exercises_load(*, entries: list[dict]) -> LoadResult:
    """Create or update the shared catalog from its data file, matched by slug. Running it again
    with the same data changes nothing; any invalid entry rolls the whole load back."""
    result = LoadResult()
    existing = {
        exercise.slug: exercise
        for exercise in Exercise.objects.shared()
        .filter(slug__in=[entry["slug"] for entry in entries])
        .prefetch_related("steps")
    }
    for entry in entries:
        fields = _exercise_fields(entry)
        steps = list(entry["steps"])
        exercise = existing.get(entry["slug"])
        if exercise is None:
            exercise = Exercise(clinic=None, slug=entry["slug"], **fields)
            exercise.full_clean()
            exercise.save()
            result.created += 1
        else:
            changed = [name for name, value in fields.items() if getattr(exercise, name) != value]
            same_steps = [step.text for step in exercise.steps.all()] == steps
            if not changed and same_steps:
                result.unchanged += 1
                continue
            for name in changed:
                setattr(exercise, name, fields[name])
            exercise.full_clean()
            exercise.save()
            result.updated += 1
            if same_steps:
                continue
            exercise.steps.all().delete()
        new_steps = [
            ExerciseStep(exercise=exercise, position=position, text=text)
            for position, text in enumerate(steps, start=1)
        ]
        for step in new_steps:
            step.full_clean(exclude=["exercise"], validate_unique=False)
        ExerciseStep.objects.bulk_create(new_steps)
    return result
