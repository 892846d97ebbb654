from django.http import Http404
from django.shortcuts import get_object_or_404

from clinics.models import User

from .models import Exercise


def can_manage_library(*, user: User, clinic_id: int | None) -> bool:
    """Whether someone may change a clinic's own exercises: only its admins may. The shared
    catalog (no clinic) is no clinic's to change."""
    return clinic_id is not None and user.is_clinic_admin and user.clinic_id == clinic_id


def exercise_for_staff(*, user: User, pk: int) -> Exercise:
    """An exercise the staff member's clinic can see: shared or its own. Anything else is 404."""
    return get_object_or_404(
        Exercise.objects.available_to(user.clinic).select_related("clinic").with_steps(), pk=pk
    )


def own_exercise_for_admin(*, user: User, pk: int) -> Exercise:
    """One of the admin's clinic's own exercises, the only kind a clinic can change. A shared
    exercise or another clinic's answers 404."""
    if user.clinic_id is None:
        # filter(clinic=None) would mean "the shared catalog", which no clinic owns.
        raise Http404
    return get_object_or_404(
        Exercise.objects.filter(clinic_id=user.clinic_id).select_related("clinic").with_steps(),
        pk=pk,
    )
