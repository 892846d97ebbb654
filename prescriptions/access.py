from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Plan, PlanTemplate
from .selectors import templates_visible_to, templates_with_items


def plan_for_staff(*, user, pk: int) -> Plan:
    """A plan of the staff member's clinic; another clinic's plan answers 404 alike."""
    return get_object_or_404(
        Plan.objects.for_clinic(user.clinic).select_related(
            "patient", "prescribed_by", "clinic", "template"
        ),
        pk=pk,
    )


def template_for_staff(*, user, pk: int) -> PlanTemplate:
    """A template the clinic may start a plan from: shared or its own, not archived; with its
    exercises in order."""
    return get_object_or_404(templates_with_items(clinic=user.clinic).active(), pk=pk)


def template_to_view(*, user, pk: int) -> PlanTemplate:
    """A shared template or one of the clinic's own (archived ones for its admins only), with
    its exercises; another clinic's answers 404 alike."""
    return get_object_or_404(templates_visible_to(user=user), pk=pk)


def template_for_admin(*, user, pk: int) -> PlanTemplate:
    """One of the clinic's own templates, for its admins to change."""
    template = template_to_view(user=user, pk=pk)
    if template.clinic_id is None:
        # Every clinic can see a shared template, so this is not a 404: it is read-only.
        raise PermissionDenied
    return template
