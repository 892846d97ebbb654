import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinics import audit
from clinics.models import AuditAction, Clinic, User
from exercises.dose import Side, describe
from exercises.models import Exercise
from lib.slugs import unique_slug
from webhooks import events as webhook_events
from webhooks.services import event_emit

from . import schedule
from .models import (
    Plan,
    PlanItem,
    PlanPause,
    PlanRevision,
    PlanStatus,
    PlanTemplate,
    PlanTemplateItem,
)

# What a plan's item and a template's item hold besides their exercise and place: the dose and
# the note for the patient. Copying an item from a plan to a template, or back, copies these.
DOSE_FIELDS = ("sets", "repetitions", "hold_seconds", "rest_seconds", "side")
ITEM_FIELDS = (*DOSE_FIELDS, "note")


def item_fields(item) -> dict:
    """The dose and note of a plan's or a template's item, or of an ItemInput."""
    return {name: getattr(item, name) for name in ITEM_FIELDS}


@dataclass(frozen=True)
class ItemInput:
    exercise: Exercise
    sets: int
    repetitions: int
    hold_seconds: int
    rest_seconds: int
    side: str = Side.NONE
    note: str = ""
    # The plan item this input edits, when revising a plan; None for a new item.
    item_id: int | None = None

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

    @classmethod
    def copy_of(cls, item) -> "ItemInput":
        """The same exercise and dose as a template's or another plan's item."""
        return cls(exercise=item.exercise, **item_fields(item))

    @property
    def dose_text(self) -> str:
        return describe(**{name: getattr(self, name) for name in DOSE_FIELDS})


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
            {"exercise_id": item.exercise_id, "exercise": item.exercise.name, **item_fields(item)}
            for item in items
        ],
    }


def _plan_changed_emit(*, plan: Plan, change: str) -> None:
    event_emit(
        clinic_id=plan.clinic_id,
        kind=webhook_events.PLAN_CHANGED,
        data={
            "patient": plan.patient_id,
            "plan": plan.pk,
            "change": change,
            "version": plan.version,
        },
        details={
            "status": plan.status,
            "title": plan.title,
            "start_date": plan.start_date.isoformat(),
            "end_date": plan.end_date.isoformat() if plan.end_date else None,
        },
    )


def _check_staff(*, user: User, clinic: Clinic) -> None:
    if user.clinic_id != clinic.pk or not user.is_clinic_staff:
        raise ValidationError(_("Only staff of the patient's clinic can change their plans."))


# A plan starts within a year either side of the day it is written, and runs at most two years.
START_WINDOW = datetime.timedelta(days=365)
LONGEST_PLAN = datetime.timedelta(days=730)


def _check_dates(
    *,
    start_date: datetime.date,
    end_date: datetime.date | None,
    today: datetime.date,
    check_start: bool = True,
) -> None:
    """Refuse dates nobody means: a start more than a year back or ahead (a typo such as 0202
    for 2026), an end before the start or more than two years after it. A plan revised later
    keeps the start it was given unless the start itself is changed."""
    errors = {}
    earliest, latest = today - START_WINDOW, today + START_WINDOW
    if check_start and not earliest <= start_date <= latest:
        errors["start_date"] = _(
            "Choose a start date between %(earliest)s and %(latest)s, a year either side of today."
        ) % {"earliest": date_format(earliest), "latest": date_format(latest)}
    if end_date is not None and start_date <= end_date - LONGEST_PLAN:
        errors["end_date"] = _(
            "Choose an end date no more than 2 years after the start date, by %(last)s at the "
            "latest, or leave it empty for a plan without an end."
        ) % {"last": date_format(start_date + LONGEST_PLAN - datetime.timedelta(days=1))}
    if errors:
        raise ValidationError(errors)


def _plan_audit(action: str, *, plan: Plan, user: User, summary: str) -> None:
    audit.record(
        action=action,
        patient_id=plan.patient_id,
        clinic_id=plan.clinic_id,
        actor=user,
        summary=summary,
    )


def _stale(plan: Plan) -> ValidationError:
    latest = plan.revisions.select_related("changed_by").order_by("-number").first()
    who = latest.changed_by.full_name if latest else _("Someone else")
    return ValidationError(
        _(
            "%(who)s changed this plan while you had it open, so your changes were not saved. "
            "What you entered is still here: check it against the current plan and save again."
        )
        % {"who": who},
        code="stale",
    )


def _check_items(*, clinic: Clinic, items: list[ItemInput], kept_exercise_ids=frozenset()) -> None:
    if not items:
        raise ValidationError(_("Add at least one exercise to the plan."), code="no_items")
    archived = [
        item.exercise.name
        for item in items
        if item.exercise.is_archived and item.exercise.pk not in kept_exercise_ids
    ]
    if archived:
        raise ValidationError(
            _("Archived exercises cannot be added: %(names)s.") % {"names": ", ".join(archived)}
        )
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
    prescribed_by: User,
    title: str,
    start_date: datetime.date,
    items: list[ItemInput],
    times_per_day: int = 1,
    weekdays: int = schedule.EVERY_DAY,
    end_date: datetime.date | None = None,
    notes: str = "",
    template: PlanTemplate | None = None,
    today: datetime.date | None = None,
) -> Plan:
    """Prescribe a plan: the plan, its exercises with their dose, and revision 1. `today` is the
    day it is prescribed (the clinic's today unless a history is being written), which the
    start date must lie within a year of."""
    clinic = patient.clinic
    _check_staff(user=prescribed_by, clinic=clinic)
    _check_dates(start_date=start_date, end_date=end_date, today=today or clinic.today())
    if patient.status != "active":
        raise ValidationError(
            _("%(name)s is discharged. Reactivate them before prescribing a new plan.")
            % {"name": patient.full_name}
        )
    if template is not None and template.clinic_id not in (None, clinic.pk):
        raise ValidationError(_("This template is not one of your clinic's templates."))
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
            plan=plan, exercise=item.exercise, position=position, **item_fields(item)
        )
        # Field validators cover every item constraint; skipping the per-constraint queries
        # keeps a long plan cheap to save, and the database still enforces them.
        plan_item.full_clean(exclude=["plan"], validate_constraints=False)
        plan_items.append(plan_item)
    PlanItem.objects.bulk_create(plan_items)
    PlanRevision.objects.create(
        plan=plan,
        number=plan.version,
        changed_by=prescribed_by,
        summary=_("Plan created with %(count)d exercises.") % {"count": len(plan_items)},
        snapshot=plan_snapshot(plan, plan_items),
    )
    _plan_audit(
        AuditAction.PLAN_CREATED,
        plan=plan,
        user=prescribed_by,
        summary=_("Plan #%(plan)d with %(count)d exercises.")
        % {"plan": plan.pk, "count": len(plan_items)},
    )
    _plan_changed_emit(plan=plan, change=webhook_events.PLAN_CREATED)
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
            template_item.full_clean(exclude=["template"], validate_constraints=False)
            template_items.append(template_item)
        PlanTemplateItem.objects.bulk_create(template_items)
        created += 1
    return created, unchanged


# Which status a plan may move to from each status. Completed and discontinued are final: a new
# course of treatment is a new plan, so the old one keeps its history as it was.
PLAN_TRANSITIONS = {
    PlanStatus.ACTIVE: {PlanStatus.PAUSED, PlanStatus.COMPLETED, PlanStatus.DISCONTINUED},
    PlanStatus.PAUSED: {PlanStatus.ACTIVE, PlanStatus.COMPLETED, PlanStatus.DISCONTINUED},
    PlanStatus.COMPLETED: set(),
    PlanStatus.DISCONTINUED: set(),
}


@transaction.atomic
def plan_status_change(
    *,
    plan: Plan,
    status: str,
    changed_by: User,
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Plan:
    """Pause, resume, complete or discontinue a plan, with a revision saying who and when.
    Paused days are kept as PlanPause rows so adherence does not count them."""
    plan = Plan.objects.select_for_update().select_related("clinic").get(pk=plan.pk)
    _check_staff(user=changed_by, clinic=plan.clinic)
    if expected_version is not None and plan.version != expected_version:
        raise _stale(plan)
    if status not in PLAN_TRANSITIONS[plan.status]:
        raise ValidationError(
            _("A %(current)s plan cannot become %(new)s.")
            % {
                "current": plan.get_status_display().lower(),
                "new": PlanStatus(status).label.lower(),
            },
            code="invalid_transition",
        )
    on = on or plan.clinic.today()
    open_pause = plan.pauses.filter(resumed_on__isnull=True).first()
    if open_pause is not None:
        open_pause.resumed_on = max(on, open_pause.paused_on)
        open_pause.save(update_fields=["resumed_on"])
    if status == PlanStatus.PAUSED:
        PlanPause.objects.create(plan=plan, paused_on=on)
    if status in (PlanStatus.COMPLETED, PlanStatus.DISCONTINUED) and (
        plan.end_date is None or plan.end_date > on
    ):
        plan.end_date = max(on, plan.start_date)
    previous = plan.get_status_display()
    plan.status = status
    plan.version += 1
    plan.full_clean()
    plan.save()
    PlanRevision.objects.create(
        plan=plan,
        number=plan.version,
        changed_by=changed_by,
        summary=_("Status changed from %(old)s to %(new)s on %(day)s.")
        % {"old": previous, "new": plan.get_status_display(), "day": on.isoformat()},
        snapshot=plan_snapshot(plan, list(plan.items.select_related("exercise"))),
    )
    _plan_audit(
        AuditAction.PLAN_STATUS_CHANGED,
        plan=plan,
        user=changed_by,
        summary=_("Plan #%(plan)d: %(old)s to %(new)s.")
        % {"plan": plan.pk, "old": previous, "new": plan.get_status_display()},
    )
    _plan_changed_emit(plan=plan, change=webhook_events.PLAN_STATUS_CHANGED)
    return plan


@transaction.atomic
def plan_revise(
    *,
    plan: Plan,
    changed_by: User,
    expected_version: int,
    title: str,
    start_date: datetime.date,
    items: list[ItemInput],
    times_per_day: int,
    weekdays: int,
    end_date: datetime.date | None = None,
    notes: str = "",
) -> Plan:
    """Change a plan's schedule or exercises. Each real change bumps the version and leaves a
    revision saying what changed; logs already made keep the dose they were done at. A save
    that started from an older version is refused, so nobody's edit is silently overwritten."""
    plan = Plan.objects.select_for_update().select_related("clinic").get(pk=plan.pk)
    _check_staff(user=changed_by, clinic=plan.clinic)
    if plan.version != expected_version:
        raise _stale(plan)
    if plan.status not in (PlanStatus.ACTIVE, PlanStatus.PAUSED):
        raise ValidationError(
            _("A %(status)s plan cannot be changed; start a new plan instead.")
            % {"status": plan.get_status_display().lower()}
        )
    existing = {item.pk: item for item in plan.items.select_related("exercise")}
    _check_items(
        clinic=plan.clinic,
        items=items,
        kept_exercise_ids={item.exercise_id for item in existing.values()},
    )
    _check_dates(
        start_date=start_date,
        end_date=end_date,
        today=plan.clinic.today(),
        check_start=start_date != plan.start_date,
    )
    before = plan_snapshot(plan, list(existing.values()))
    plan.title = title.strip()
    plan.start_date = start_date
    plan.end_date = end_date
    plan.times_per_day = times_per_day
    plan.weekdays = weekdays
    plan.notes = notes
    plan.full_clean()

    kept, updated, created = set(), [], []
    for position, item in enumerate(items, start=1):
        row = existing.get(item.item_id) if item.item_id else None
        if row is None or row.exercise_id != item.exercise.pk or row.pk in kept:
            row = PlanItem(plan=plan, exercise=item.exercise)
            created.append(row)
        else:
            kept.add(row.pk)
            updated.append(row)
        row.position = position
        for name, value in item_fields(item).items():
            setattr(row, name, value)
        row.full_clean(exclude=["plan"], validate_constraints=False)
    ordered = sorted([*updated, *created], key=lambda row: row.position)
    after = plan_snapshot(plan, ordered)
    changes = describe_changes(before, after)
    if not changes:
        return plan
    PlanItem.objects.filter(plan=plan).exclude(pk__in=kept).delete()
    PlanItem.objects.bulk_update(updated, ["position", *ITEM_FIELDS])
    PlanItem.objects.bulk_create(created)
    plan.version += 1
    plan.save()
    PlanRevision.objects.create(
        plan=plan,
        number=plan.version,
        changed_by=changed_by,
        summary="\n".join(changes),
        snapshot=after,
    )
    _plan_audit(
        AuditAction.PLAN_REVISED,
        plan=plan,
        user=changed_by,
        summary=_("Plan #%(plan)d, version %(version)d.")
        % {"plan": plan.pk, "version": plan.version},
    )
    _plan_changed_emit(plan=plan, change=webhook_events.PLAN_REVISED)
    return plan


def _dose_words(item: dict) -> str:
    return describe(**{name: item[name] for name in DOSE_FIELDS})


def describe_changes(before: dict, after: dict) -> list[str]:
    """What changed between two plan snapshots, one plain sentence per change."""
    changes = []
    if before["title"] != after["title"]:
        changes.append(
            _("Title changed from “%(old)s” to “%(new)s”.")
            % {"old": before["title"], "new": after["title"]}
        )
    for key, label in (("start_date", _("Start date")), ("end_date", _("End date"))):
        if before[key] != after[key]:
            changes.append(
                _("%(what)s changed from %(old)s to %(new)s.")
                % {"what": label, "old": before[key] or _("none"), "new": after[key] or _("none")}
            )
    if (before["times_per_day"], before["weekdays"]) != (after["times_per_day"], after["weekdays"]):
        changes.append(
            _("Schedule changed from %(old)s to %(new)s.")
            % {
                "old": _schedule_words(before),
                "new": _schedule_words(after),
            }
        )
    if before["notes"] != after["notes"]:
        changes.append(_("Notes changed."))
    old_items = {item["exercise_id"]: item for item in before["items"]}
    new_items = {item["exercise_id"]: item for item in after["items"]}
    for exercise_id, item in new_items.items():
        if exercise_id not in old_items:
            changes.append(
                _("Added %(name)s: %(dose)s.")
                % {"name": item["exercise"], "dose": _dose_words(item)}
            )
    for exercise_id, item in old_items.items():
        if exercise_id not in new_items:
            changes.append(_("Removed %(name)s.") % {"name": item["exercise"]})
    for exercise_id, item in new_items.items():
        old = old_items.get(exercise_id)
        if old is None:
            continue
        if _dose_words(old) != _dose_words(item):
            changes.append(
                _("%(name)s: %(old)s → %(new)s.")
                % {"name": item["exercise"], "old": _dose_words(old), "new": _dose_words(item)}
            )
        elif old["note"] != item["note"]:
            changes.append(_("%(name)s: note changed.") % {"name": item["exercise"]})
    old_order = [i for i in (item["exercise_id"] for item in before["items"]) if i in new_items]
    new_order = [i for i in (item["exercise_id"] for item in after["items"]) if i in old_items]
    if old_order != new_order:
        changes.append(_("Exercises reordered."))
    return changes


def _schedule_words(snapshot: dict) -> str:
    return (
        f"{schedule.describe_times_per_day(snapshot['times_per_day'])}, "
        f"{schedule.describe_weekdays(schedule.mask_from_days(snapshot['weekdays']))}"
    )


@transaction.atomic
def template_create_from_plan(*, plan: Plan, name: str, created_by: User) -> PlanTemplate:
    """Keep a plan's exercises, dose and schedule as one of the clinic's templates."""
    _check_staff(user=created_by, clinic=plan.clinic)
    name = name.strip()
    template = PlanTemplate(
        clinic=plan.clinic,
        name=name,
        slug=_template_slug(clinic=plan.clinic, name=name),
        description=plan.notes,
        times_per_day=plan.times_per_day,
        weekdays=plan.weekdays,
        created_by=created_by,
    )
    template.full_clean()
    template.save()
    PlanTemplateItem.objects.bulk_create(
        PlanTemplateItem(
            template=template, exercise=item.exercise, position=item.position, **item_fields(item)
        )
        for item in plan.items.all()
    )
    _template_audit(AuditAction.TEMPLATE_CREATED, template=template, user=created_by)
    return template


# The clinic's own templates: its admins create, edit, archive and restore them; shared templates
# are read-only for every clinic. Plans started from a template copied its items, so a change
# here never reaches a patient's plan.


def _check_template_admin(*, user: User, clinic_id: int | None) -> None:
    if clinic_id is None:
        raise ValidationError(
            _(
                "Shared templates cannot be changed. Start a plan from it and save that plan "
                "as one of your clinic's templates instead."
            ),
            code="shared",
        )
    if not (user.is_clinic_admin and user.clinic_id == clinic_id):
        raise ValidationError(
            _("Only an admin of the template's clinic can change it."), code="not_admin"
        )


def _template_audit(action: str, *, template: PlanTemplate, user: User) -> None:
    audit.record(
        action=action,
        clinic_id=template.clinic_id,
        actor=user,
        summary=_("Template “%(name)s” (#%(number)d).")
        % {"name": template.name, "number": template.pk},
    )


def _template_slug(*, clinic: Clinic, name: str) -> str:
    # Two admins naming a template alike at the same moment take turns choosing the slug.
    Clinic.objects.select_for_update().only("pk").get(pk=clinic.pk)
    return unique_slug(
        name, taken_in=PlanTemplate.objects.filter(clinic=clinic), fallback="template"
    )


def _template_items_validated(
    *, clinic: Clinic, items: list[ItemInput], kept_exercise_ids=frozenset()
) -> list[PlanTemplateItem]:
    """The template's rows, checked but not saved: at least one, each exercise in the clinic's
    catalog, each dose within its limits (with the limit's own message)."""
    if not items:
        raise ValidationError(_("Add at least one exercise to the template."), code="no_items")
    _check_items(clinic=clinic, items=items, kept_exercise_ids=kept_exercise_ids)
    rows, errors = [], []
    for position, item in enumerate(items, start=1):
        row = PlanTemplateItem(exercise=item.exercise, position=position, **item_fields(item))
        try:
            row.full_clean(exclude=["template"], validate_constraints=False)
        except ValidationError as error:
            errors.extend(
                f"{item.exercise.name}: {message}"
                for messages in error.message_dict.values()
                for message in messages
            )
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    return rows


def _template_validated(template: PlanTemplate, rows_check) -> list[PlanTemplateItem]:
    """Check the template's fields and its rows together, so one refusal lists every problem."""
    errors: dict[str, list] = {}
    rows = []
    try:
        template.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        rows = rows_check()
    except ValidationError as error:
        errors.setdefault("__all__", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return rows


def _template_items_save(template: PlanTemplate, rows: list[PlanTemplateItem]) -> None:
    template.items.all().delete()
    for row in rows:
        row.template = template
    PlanTemplateItem.objects.bulk_create(rows)


@transaction.atomic
def template_create(
    *,
    clinic: Clinic,
    created_by: User,
    name: str,
    items: list[ItemInput],
    times_per_day: int = 1,
    weekdays: int = schedule.EVERY_DAY,
    description: str = "",
) -> PlanTemplate:
    """One of the clinic's own templates: its exercises with their dose, and a schedule."""
    _check_template_admin(user=created_by, clinic_id=clinic.pk)
    template = PlanTemplate(
        clinic=clinic,
        name=name.strip(),
        slug=_template_slug(clinic=clinic, name=name),
        description=description.strip(),
        times_per_day=times_per_day,
        weekdays=weekdays,
        created_by=created_by,
    )
    rows = _template_validated(
        template, lambda: _template_items_validated(clinic=clinic, items=items)
    )
    template.save()
    _template_items_save(template, rows)
    _template_audit(AuditAction.TEMPLATE_CREATED, template=template, user=created_by)
    return template


@transaction.atomic
def template_update(
    *,
    template: PlanTemplate,
    changed_by: User,
    name: str,
    items: list[ItemInput],
    times_per_day: int,
    weekdays: int,
    description: str = "",
) -> PlanTemplate:
    """Change a template's name, schedule or exercises. Its slug stays, so links and files that
    name it keep working; archived exercises it already has may stay in it."""
    template = (
        PlanTemplate.objects.select_for_update(of=("self",))
        .select_related("clinic")
        .get(pk=template.pk)
    )
    _check_template_admin(user=changed_by, clinic_id=template.clinic_id)
    kept = set(template.items.values_list("exercise_id", flat=True))
    template.name = name.strip()
    template.description = description.strip()
    template.times_per_day = times_per_day
    template.weekdays = weekdays
    rows = _template_validated(
        template,
        lambda: _template_items_validated(
            clinic=template.clinic, items=items, kept_exercise_ids=kept
        ),
    )
    template.save()
    _template_items_save(template, rows)
    _template_audit(AuditAction.TEMPLATE_UPDATED, template=template, user=changed_by)
    return template


def _template_archived_set(*, template: PlanTemplate, user: User, archived: bool) -> PlanTemplate:
    template = PlanTemplate.objects.select_for_update().get(pk=template.pk)
    _check_template_admin(user=user, clinic_id=template.clinic_id)
    if template.is_archived != archived:
        template.is_archived = archived
        template.save(update_fields=["is_archived", "updated_at"])
        action = AuditAction.TEMPLATE_ARCHIVED if archived else AuditAction.TEMPLATE_RESTORED
        _template_audit(action, template=template, user=user)
    return template


@transaction.atomic
def template_archive(*, template: PlanTemplate, archived_by: User) -> PlanTemplate:
    """Take a template out of the builder's choices. Plans started from it keep their items
    and still say which template they came from."""
    return _template_archived_set(template=template, user=archived_by, archived=True)


@transaction.atomic
def template_restore(*, template: PlanTemplate, restored_by: User) -> PlanTemplate:
    return _template_archived_set(template=template, user=restored_by, archived=False)
