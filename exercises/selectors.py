from django.db.models import QuerySet

from .models import Exercise


def exercise_catalog(
    *, clinic, query: str = "", body_region: str = "", kind: str = "", archived: bool = False
) -> QuerySet[Exercise]:
    """The exercises a clinic can use: the shared catalog and its own, filtered for a list page."""
    exercises = (
        Exercise.objects.available_to(clinic)
        .filter(is_archived=archived)
        .select_related("clinic")
        .order_by("name", "id")
    )
    if query:
        exercises = exercises.filter(name__icontains=query.strip())
    if body_region:
        exercises = exercises.filter(body_region=body_region)
    if kind:
        exercises = exercises.filter(kind=kind)
    return exercises
