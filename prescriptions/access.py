from django.shortcuts import get_object_or_404

from .models import Plan, PlanTemplate


def plan_for_staff(*, user, pk: int) -> Plan:
    """A plan of the staff member's clinic; another clinic's plan answers 404 alike."""
    return get_object_or_404(
        Plan.objects.for_clinic(user.clinic).select_related(
            "patient", "prescribed_by", "clinic", "template"
        ),
        pk=pk,
    )


def template_for_staff(*, user, pk: int) -> PlanTemplate:
    """A template the clinic may use: shared or its own, not archived."""
    return get_object_or_404(PlanTemplate.objects.available_to(user.clinic).active(), pk=pk)
