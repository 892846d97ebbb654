from django.shortcuts import get_object_or_404

from .models import Exercise


def exercise_for_staff(*, user, pk: int) -> Exercise:
    """An exercise the staff member's clinic can see: shared or its own. Anything else is 404."""
    return get_object_or_404(
        Exercise.objects.available_to(user.clinic).select_related("clinic").with_steps(), pk=pk
    )
