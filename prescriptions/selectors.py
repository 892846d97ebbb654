from django.db.models import Prefetch

from .models import Plan, PlanItem, PlanRevision, PlanTemplate


def plan_items_with_exercises():
    return PlanItem.objects.select_related("exercise").prefetch_related("exercise__steps")


def plan_page(*, plan: Plan) -> Plan:
    """A plan with everything its page shows, in a fixed number of queries."""
    return (
        Plan.objects.filter(pk=plan.pk)
        .select_related("patient", "prescribed_by", "clinic", "template")
        .prefetch_related(
            Prefetch("items", queryset=plan_items_with_exercises()),
            Prefetch(
                "revisions",
                queryset=PlanRevision.objects.select_related("changed_by").order_by("-number"),
            ),
            "pauses",
        )
        .get()
    )


def templates_for_clinic(*, clinic):
    """Templates a therapist can start a plan from: the shared ones and the clinic's own."""
    return (
        PlanTemplate.objects.available_to(clinic)
        .active()
        .select_related("clinic")
        .order_by("clinic_id", "name")
    )
