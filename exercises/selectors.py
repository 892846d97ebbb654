from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .languages import name_contains, shown_name
from .models import Exercise

# prescriptions.models.PlanStatus.ACTIVE
PLAN_ACTIVE = "active"


def _related_model(model, *path: str):
    """Plans, templates and session logs refer to exercises, so their apps import this one.
    Reaching their models through the relations they declare keeps the imports one way."""
    for name in path:
        model = model._meta.get_field(name).related_model
    return model


def exercise_catalog(
    *, clinic, query: str = "", body_region: str = "", kind: str = "", archived: bool = False
) -> QuerySet[Exercise]:
    """The exercises a clinic can use: the shared catalog and its own, filtered for a list page."""
    exercises = (
        Exercise.objects.available_to(clinic)
        .filter(is_archived=archived)
        .select_related("clinic")
        .order_by(shown_name(), "id")
    )
    if query:
        exercises = exercises.filter(name_contains(query.strip()))
    if body_region:
        exercises = exercises.filter(body_region=body_region)
    if kind:
        exercises = exercises.filter(kind=kind)
    return exercises


def exercise_library(
    *, clinic, query: str = "", body_region: str = "", kind: str = "", archived: bool = False
) -> QuerySet[Exercise]:
    """The library page: the catalog, each exercise with the number of the clinic's active
    plans that use it (only this clinic's plans, also for a shared exercise)."""
    active_plans = (
        _related_model(Exercise, "plan_items")
        .objects.filter(exercise=OuterRef("pk"), plan__clinic=clinic, plan__status=PLAN_ACTIVE)
        .order_by()
        .values("exercise")
        .annotate(count=Count("plan", distinct=True))
        .values("count")
    )
    return exercise_catalog(
        clinic=clinic, query=query, body_region=body_region, kind=kind, archived=archived
    ).annotate(
        active_plan_count=Coalesce(Subquery(active_plans, output_field=IntegerField()), Value(0))
    )


@dataclass(frozen=True)
class ExerciseUsage:
    """What refers to one of a clinic's exercises, which decides whether it may be deleted."""

    plans: int = 0
    templates: int = 0
    session_logs: int = 0
    # Plans it was taken out of: their items are gone, but their revisions still name it.
    earlier_plans: int = 0

    @property
    def ever_used(self) -> bool:
        return any((self.plans, self.templates, self.session_logs, self.earlier_plans))

    @property
    def only_archive_message(self) -> str:
        uses = []
        if self.plans:
            uses.append(ngettext("%(n)d plan", "%(n)d plans", self.plans) % {"n": self.plans})
        if self.earlier_plans:
            uses.append(
                ngettext(
                    "the history of %(n)d plan", "the history of %(n)d plans", self.earlier_plans
                )
                % {"n": self.earlier_plans}
            )
        if self.templates:
            uses.append(
                ngettext("%(n)d template", "%(n)d templates", self.templates)
                % {"n": self.templates}
            )
        if self.session_logs:
            uses.append(
                ngettext("%(n)d session log", "%(n)d session logs", self.session_logs)
                % {"n": self.session_logs}
            )
        return _(
            "Used in %(uses)s, so it can only be archived: archiving takes it out of the "
            "catalog and leaves those records as they are."
        ) % {"uses": get_text_list(uses, _("and"))}


def exercise_usage(*, exercise: Exercise) -> ExerciseUsage:
    usage = ExerciseUsage(
        plans=exercise.plan_items.aggregate(n=Count("plan", distinct=True))["n"],
        templates=exercise.template_items.aggregate(n=Count("template", distinct=True))["n"],
        session_logs=exercise.log_entries.aggregate(n=Count("session", distinct=True))["n"],
    )
    if usage.ever_used or exercise.clinic_id is None:
        return usage
    return ExerciseUsage(earlier_plans=_plans_that_once_had(exercise))


def _plans_that_once_had(exercise: Exercise) -> int:
    # Revisions keep the plan as JSON, which SQLite cannot search inside, so they are read
    # here; only the clinic's revisions made since the exercise existed can name it.
    revisions = _related_model(Exercise, "plan_items", "plan", "revisions")
    snapshots = revisions.objects.filter(
        plan__clinic_id=exercise.clinic_id, changed_at__gte=exercise.created_at
    ).values_list("plan_id", "snapshot")
    return len(
        {
            plan_id
            for plan_id, snapshot in snapshots.iterator()
            if any(item.get("exercise_id") == exercise.pk for item in snapshot.get("items", []))
        }
    )


def exercise_copy_in(*, exercise: Exercise, clinic) -> Exercise | None:
    """The clinic's own active copy of a (shared) exercise, if it made one."""
    return exercise.copies.filter(clinic=clinic, is_archived=False).first()
