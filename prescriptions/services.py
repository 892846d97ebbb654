import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from exercises.dose import Side
from exercises.models import Exercise

from . import schedule
from .models import Plan, PlanItem, PlanRevision, PlanStatus, PlanTemplate, PlanTemplateItem


@dataclass(frozen=True)
class ItemInput:
    exercise: Exercise
    sets: int
    repetitions: int
    hold_seconds: int
    rest_seconds: int
    side: str = Side.NONE
    note: str = ""

    @classmethod
    def from_exercise(cls, exercise: Exercise, **overrides) -> "ItemInput":
        """The exercise's default dose, with any field overridden."""
        values = {
            "sets": exercise.default_sets,
            "repetitions": exercise.default_repetitions,
            "hold_seconds": exercise.default_hold_seconds,
            "rest_seconds": exercise.default_rest_seconds,
            "side": Side.BOTH if exercise.is_sided else Side.NONE,
        }
        values.update(overrides)
        return cls(exercise=exercise, **values)


def plan_snapshot(plan: Plan, items: list[PlanItem]) -> dict:
    """The plan as the patient sees it, kept with each revision so history can be read back."""
    return {
        "title": plan.title,
        "notes": plan.notes,
        "start_date": plan.start_date.isoformat(),
        "end_date": plan.end_date.isoformat() if plan.end_date else None,
        "status": plan.status,
        "times_per_day": plan.times_per_day,
        "weekdays": schedule.days_from_mask(plan.weekdays),
        "items": [
            {
                "exercise_id": item.exercise_id,
                "exercise": item.exercise.name,
                "sets": item.sets,
                "repetitions": item.repetitions,
                "hold_seconds": item.hold_seconds,
                "rest_seconds": item.rest_seconds,
                "side": item.side,
                "note": item.note,
            }
            for item in items
        ],
    }


def _check_items(*, clinic, items: list[ItemInput]) -> None:
    if not items:
        raise ValidationError(_("Add at least one exercise to the plan."), code="no_items")
    foreign = [
        item.exercise.name
        for item in items
        if item.exercise.clinic_id is not None and item.exercise.clinic_id != clinic.pk
    ]
    if foreign:
        raise ValidationError(
            _("Not in your clinic's catalog: %(names)s.") % {"names": ", ".join(foreign)}
        )


@transaction.atomic
def plan_create(
    *,
    patient,
    prescribed_by,
    title: str,
    start_date: datetime.date,
    items: list[ItemInput],
    times_per_day: int = 1,
    weekdays: int = schedule.EVERY_DAY,
    end_date: datetime.date | None = None,
    notes: str = "",
    template: PlanTemplate | None = None,
) -> Plan:
    """Prescribe a plan: the plan, its exercises with their dose, and revision 1."""
    clinic = patient.clinic
    if prescribed_by.clinic_id != clinic.pk or not prescribed_by.is_clinic_staff:
        raise ValidationError(_("Only staff of the patient's clinic can prescribe a plan."))
    _check_items(clinic=clinic, items=items)
    plan = Plan(
        clinic=clinic,
        patient=patient,
        prescribed_by=prescribed_by,
        template=template,
        title=title.strip(),
        notes=notes,
        start_date=start_date,
        end_date=end_date,
        times_per_day=times_per_day,
        weekdays=weekdays,
        status=PlanStatus.ACTIVE,
    )
    plan.full_clean()
    plan.save()
    plan_items = []
    for position, item in enumerate(items, start=1):
        plan_item = PlanItem(
            plan=plan,
            exercise=item.exercise,
            position=position,
            sets=item.sets,
            repetitions=item.repetitions,
            hold_seconds=item.hold_seconds,
            rest_seconds=item.rest_seconds,
            side=item.side,
            note=item.note,
        )
        plan_item.full_clean(exclude=["plan"])
        plan_items.append(plan_item)
    PlanItem.objects.bulk_create(plan_items)
    PlanRevision.objects.create(
        plan=plan,
        number=plan.version,
        changed_by=prescribed_by,
        summary=_("Plan created with %(count)d exercises.") % {"count": len(plan_items)},
        snapshot=plan_snapshot(plan, plan_items),
    )
    return plan


@transaction.atomic
def shared_templates_load(*, entries: list[dict]) -> tuple[int, int]:
    """Create the shared templates from the catalog data file, matched by slug; a template that
    already exists is left as it is, so running the load again changes nothing."""
    created = unchanged = 0
    existing = set(PlanTemplate.objects.filter(clinic__isnull=True).values_list("slug", flat=True))
    slugs = {item["exercise"] for entry in entries for item in entry["items"]}
    exercises = {e.slug: e for e in Exercise.objects.shared().filter(slug__in=slugs)}
    for entry in entries:
        if entry["slug"] in existing:
            unchanged += 1
            continue
        template = PlanTemplate(
            clinic=None,
            slug=entry["slug"],
            name=entry["name"],
            description=entry.get("description", ""),
            times_per_day=entry["times_per_day"],
            weekdays=schedule.mask_from_days(entry["weekdays"]),
        )
        template.full_clean()
        template.save()
        template_items = []
        for position, item in enumerate(entry["items"], start=1):
            if item["exercise"] not in exercises:
                raise ValidationError(
                    f"Template {entry['slug']} names an unknown exercise {item['exercise']}."
                )
            template_item = PlanTemplateItem(
                template=template,
                exercise=exercises[item["exercise"]],
                position=position,
                sets=item["sets"],
                repetitions=item["repetitions"],
                hold_seconds=item["hold_seconds"],
                rest_seconds=item["rest_seconds"],
                side=item.get("side", Side.NONE),
                note=item.get("note", ""),
            )
            template_item.full_clean(exclude=["template"])
            template_items.append(template_item)
        PlanTemplateItem.objects.bulk_create(template_items)
        created += 1
    return created, unchanged
