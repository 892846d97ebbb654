from dataclasses import dataclass

from django.db.models import Prefetch, prefetch_related_objects

from .models import Plan, PlanItem, PlanRevision, PlanTemplate, PlanTemplateItem


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


def plan_for_handout(*, plan: Plan) -> Plan:
    """The plan with its exercises, in order, and their steps: a fixed number of queries
    however many exercises the plan has."""
    prefetch_related_objects([plan], Prefetch("items", queryset=plan_items_with_exercises()))
    return plan


def templates_for_clinic(*, clinic):
    """Templates a therapist can start a plan from: the shared ones and the clinic's own."""
    return (
        PlanTemplate.objects.available_to(clinic)
        .active()
        .select_related("clinic")
        .order_by("clinic_id", "name")
    )


def templates_with_items(*, clinic):
    """The shared templates and the clinic's own, archived ones too, each with its exercises in
    order: two queries however many there are."""
    return PlanTemplate.objects.available_to(clinic).prefetch_related(
        Prefetch(
            "items",
            queryset=PlanTemplateItem.objects.select_related("exercise").order_by("position", "id"),
        )
    )


def templates_visible_to(*, user):
    """The templates the person may see, with their exercises. Archived ones are for the
    clinic's admins, who may restore them."""
    templates = templates_with_items(clinic=user.clinic)
    return templates if user.is_clinic_admin else templates.active()


@dataclass
class TemplateList:
    own: list[PlanTemplate]
    archived: list[PlanTemplate]
    shared: list[PlanTemplate]


def template_list_page(*, user) -> TemplateList:
    templates = list(templates_visible_to(user=user).order_by("name", "id"))
    return TemplateList(
        own=[t for t in templates if t.clinic_id and not t.is_archived],
        archived=[t for t in templates if t.clinic_id and t.is_archived],
        shared=[t for t in templates if t.clinic_id is None and not t.is_archived],
    )
