"""The plan builder behind the new-plan and edit-plan pages, and the template editor.

It works as a plain HTML form: adding, moving and removing exercises are submit buttons that
post the whole form back, so nothing typed is lost and it works without JavaScript. With
JavaScript, htmx posts the same form with the same button and swaps in only the piece that
changed (`Builder.partial`): the exercise list, the preview (dose read-back, schedule and
warnings, posted as you type) or the catalog. Saving validates everything and calls the service
the page hands in; a refused save re-renders with every value the therapist entered.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from exercises import dose
from exercises.dose import Side
from exercises.models import BodyRegion, Exercise, Kind
from exercises.selectors import exercise_catalog
from lib.web import posted

from . import schedule
from .forms import PlanForm, PlanItemFormSet
from .services import ITEM_FIELDS, ItemInput, item_fields
from .warnings import plan_warnings

PREFIX = "items"
ROW_FIELDS = ["item_id", "exercise", *ITEM_FIELDS]
MAX_ITEMS = 40
# A name typed narrows as it is typed; a body region or kind chosen is a shelf to look along.
CATALOG_LIMIT = 12
SHELF_LIMIT = 30
PAGE = "prescriptions/plan_builder.html"
# Which piece of the page an htmx request for each action swaps in; a save, and any request
# without htmx, answers with the whole page.
PARTIALS = {
    "add": "builder-change",
    "remove": "builder-change",
    "up": "builder-change",
    "down": "builder-change",
    "preview": "builder-live",
    "refresh": "builder-live",
    "browse": "builder-catalog",
}


def rows_from_items(items, *, keep_ids: bool) -> list[dict]:
    """Initial builder rows from a plan's items (keep_ids, so a save edits them in place) or
    from a template's items (new rows)."""
    return [
        {
            "item_id": item.pk if keep_ids else None,
            "exercise": item.exercise_id,
            **item_fields(item),
        }
        for item in items
    ]


def row_for_exercise(exercise: Exercise) -> dict:
    return {
        "item_id": None,
        "exercise": exercise.pk,
        **item_fields(ItemInput.from_exercise(exercise)),
    }


@dataclass(frozen=True)
class Start:
    """What the builder opens with: the plan's (or template's) fields, its exercise rows, and the
    exercises it may keep although they were archived since it got them."""

    initial: dict
    rows: list[dict] = field(default_factory=list)
    kept_exercise_ids: frozenset[int] = frozenset()

    @classmethod
    def editing(cls, initial: dict, items, *, keep_item_ids: bool) -> "Start":
        """Changing a plan (keep_item_ids, so a save edits its items in place) or a template."""
        items = list(items)
        return cls(
            initial=initial,
            rows=rows_from_items(items, keep_ids=keep_item_ids),
            kept_exercise_ids=frozenset(item.exercise_id for item in items),
        )


def _rows_from_post(data) -> list[dict]:
    try:
        count = int(data.get(f"{PREFIX}-TOTAL_FORMS", 0))
    except ValueError:
        count = 0
    return [
        {name: data.get(f"{PREFIX}-{index}-{name}", "") for name in ROW_FIELDS}
        for index in range(min(max(count, 0), MAX_ITEMS))
    ]


def _plan_initial_from_post(data, form_class) -> dict:
    initial = {name: data.get(name, "") for name in form_class.base_fields}
    initial["weekdays"] = data.getlist("weekdays")
    return initial


# Past the largest id or count a database column holds: a posted number beyond it (a tampered
# row, say 2**63) is treated as no number, rather than sent to the database, which fails on it.
LARGEST_NUMBER = 2**63 - 1


def _as_int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if abs(number) <= LARGEST_NUMBER else None


def _choosable(clinic, kept_ids):
    """What may be in the plan: the clinic's active catalog, plus archived exercises the plan
    already had (they stay, unchanged, in plans that use them)."""
    return Exercise.objects.available_to(clinic).filter(Q(is_archived=False) | Q(pk__in=kept_ids))


@dataclass(frozen=True)
class Catalog:
    """The catalog panel: what was asked (name, body region, kind) and the exercises found,
    up to a limit (`more` says there are others to narrow down to)."""

    query: str = ""
    region: str = ""
    kind: str = ""
    results: tuple[Exercise, ...] = ()
    more: bool = False

    regions = BodyRegion.choices
    kinds = Kind.choices

    @property
    def asked(self) -> bool:
        return bool(self.query or self.region or self.kind)


def catalog(*, clinic, query: str = "", region: str = "", kind: str = "") -> Catalog:
    """The clinic's active exercises by name, body region and kind; nothing until one is asked.
    Pictures are drawn from the rows themselves, so this is one query at any catalog size."""
    query = query.strip()
    region = region if region in BodyRegion.values else ""
    kind = kind if kind in Kind.values else ""
    asked = Catalog(query=query, region=region, kind=kind)
    # No name holds a NUL character (PostgreSQL cannot store one, and fails on a query that
    # has one), so nothing matches.
    if not asked.asked or "\x00" in query:
        return asked
    limit = SHELF_LIMIT if region or kind else CATALOG_LIMIT
    found = list(
        exercise_catalog(clinic=clinic, query=query, body_region=region, kind=kind)[: limit + 1]
    )
    return Catalog(
        query=query,
        region=region,
        kind=kind,
        results=tuple(found[:limit]),
        more=len(found) > limit,
    )


def catalog_from(data, *, clinic) -> Catalog:
    return catalog(
        clinic=clinic,
        query=data.get("q", ""),
        region=data.get("region", ""),
        kind=data.get("kind", ""),
    )


@dataclass
class BuilderRow:
    form: object
    exercise: Exercise | None
    dose_text: str = ""
    # A number outside its hard limit, said as it will be when saving, while still typing.
    dose_problem: str = ""
    # The row's button ("up", "down", "remove") that takes the focus after a change.
    focus: str = ""


@dataclass
class Builder:
    plan_form: PlanForm
    formset: object
    rows: list[BuilderRow]
    warnings: list
    schedule_text: str
    catalog: Catalog
    errors: list[str] = field(default_factory=list)
    # The piece of the page an htmx request asked for, and what to announce about its change.
    partial: str | None = None
    status: str = ""
    # The exercise just added or removed, when the catalog on the page shows it: its entry is
    # sent again so its "In the plan" mark follows the change.
    touched: Exercise | None = None

    @property
    def results(self) -> list[Exercise]:
        return list(self.catalog.results)

    @property
    def in_plan(self) -> frozenset[int]:
        return frozenset(row.exercise.pk for row in self.rows if row.exercise is not None)


def partial_name(request, result: Builder) -> str | None:
    """The partial of PAGE to answer with: only for htmx, only for an action that changes one
    piece. Such answers are not recorded as a look at the patient's record: they repeat, as
    the therapist types, what the page that was recorded already shows."""
    return result.partial if request.htmx else None


def build(
    request,
    *,
    clinic,
    start: Start,
    save: Callable[[forms.Form, list[ItemInput]], object],
    form_class: type[forms.Form] = PlanForm,
    empty_message: str = "",
):
    """Handle one request to the builder: returns what `save` saved, or a Builder to render.
    `save` is given the valid form and the items. A plan template uses the same builder with
    its own form (name and schedule, no dates)."""
    choosable = _choosable(clinic, start.kept_exercise_ids)
    form_kwargs = {"exercises": choosable}
    focus = None
    status = ""
    exercise = None
    data = posted(request)
    if data is None:
        return _render_state(
            plan_form=form_class(initial=start.initial),
            formset=PlanItemFormSet(prefix=PREFIX, initial=start.rows, form_kwargs=form_kwargs),
            rows=start.rows,
            choosable=choosable,
            catalog=catalog_from(request.GET, clinic=clinic),
        )

    action = data.get("action", "save")
    found = catalog_from(data, clinic=clinic)
    rows = _rows_from_post(data)

    if action == "save":
        plan_form = form_class(data)
        formset = PlanItemFormSet(data, prefix=PREFIX, form_kwargs=form_kwargs)
        errors = []
        if plan_form.is_valid() and formset.is_valid():
            items = [_item_input(form.cleaned_data) for form in formset.forms]
            if not items:
                errors.append(empty_message or _("Add at least one exercise to the plan."))
            else:
                try:
                    return save(plan_form, items)
                except ValidationError as error:
                    errors.extend(_messages_onto(plan_form, error))
        return _render_state(
            plan_form=plan_form,
            formset=formset,
            rows=rows,
            choosable=choosable,
            catalog=found,
            errors=errors,
        )

    verb, _sep, argument = action.partition(":")
    index = _as_int(argument)
    if verb == "add":
        exercise = choosable.filter(is_archived=False, pk=_as_int(argument)).first()
        if exercise is None:
            status = _("That exercise is no longer in the catalog.")
        elif len(rows) >= MAX_ITEMS:
            status = _("A plan holds at most %(n)d exercises.") % {"n": MAX_ITEMS}
        else:
            rows.append(row_for_exercise(exercise))
            # Without htmx the page reloads: the new row's first field takes the focus. With
            # htmx the therapist stays on the catalog's button, to add the next one.
            focus = None if request.htmx else (len(rows) - 1, "sets")
            status = _("Added %(name)s as exercise %(n)d.") % {
                "name": exercise.name,
                "n": len(rows),
            }
    elif verb == "remove" and index is not None and 0 <= index < len(rows):
        removed = rows.pop(index)
        exercise = choosable.filter(pk=_as_int(removed.get("exercise"))).first()
        status = _("Removed %(name)s.") % {"name": exercise.name if exercise else index + 1}
        # The focus goes to the Remove button now in its place (or the last one's).
        focus = (min(index, len(rows) - 1), "remove") if rows else None
    elif verb in ("up", "down") and index is not None and 0 <= index < len(rows):
        other = index - 1 if verb == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
            # The same button on the moved row keeps the focus, so pressing it again moves it
            # on; at the top or bottom, the button for the way back.
            at_end = other == 0 if verb == "up" else other == len(rows) - 1
            focus = (other, ("down" if verb == "up" else "up") if at_end else verb)
            status = _("Moved to number %(n)d.") % {"n": other + 1}
    return _render_state(
        plan_form=form_class(initial=_plan_initial_from_post(data, form_class)),
        formset=PlanItemFormSet(prefix=PREFIX, initial=rows, form_kwargs=form_kwargs),
        rows=rows,
        choosable=choosable,
        catalog=found,
        focus=focus,
        partial=PARTIALS.get(verb),
        status=status,
        touched=exercise if exercise in found.results else None,
    )


def _item_input(cleaned: dict) -> ItemInput:
    return ItemInput(
        exercise=cleaned["exercise"],
        item_id=cleaned.get("item_id"),
        **{name: cleaned[name] for name in ITEM_FIELDS},
    )


def _messages_onto(plan_form, error: ValidationError) -> list[str]:
    """Put a service's refusal next to the field it concerns, or at the top of the page."""
    if hasattr(error, "error_dict"):
        leftovers = []
        for name, errors in error.message_dict.items():
            if name in plan_form.fields:
                for message in errors:
                    plan_form.add_error(name, message)
            else:
                leftovers.extend(errors)
        return leftovers
    return list(error.messages)


def _render_state(
    *,
    plan_form,
    formset,
    rows,
    choosable,
    catalog,
    focus=None,
    errors=(),
    partial=None,
    status="",
    touched=None,
):
    exercise_ids = {_as_int(row.get("exercise")) for row in rows} - {None}
    exercises = {
        exercise.pk: exercise
        for exercise in choosable.filter(pk__in=exercise_ids).prefetch_related("steps")
    }
    weekdays = _weekday_mask(plan_form)
    times = _as_int(_value(plan_form, "times_per_day"))
    builder_rows, inputs = [], []
    for form, row in zip(formset.forms, rows, strict=False):
        exercise = exercises.get(_as_int(row.get("exercise")))
        numbers = [_as_int(row.get(name)) for name in ("sets", "repetitions", "hold_seconds")]
        rest = _as_int(row.get("rest_seconds")) or 0
        dose_text = ""
        dose_problem = _dose_problem(row)
        if exercise is not None and None not in numbers and not dose_problem:
            sets, repetitions, hold = numbers
            item = ItemInput(
                exercise=exercise,
                sets=sets,
                repetitions=repetitions,
                hold_seconds=hold,
                rest_seconds=rest,
                side=row.get("side") or Side.NONE,
            )
            dose_text = item.dose_text
            inputs.append(item)
        builder_rows.append(
            BuilderRow(form=form, exercise=exercise, dose_text=dose_text, dose_problem=dose_problem)
        )
    if focus is not None and focus[0] < len(builder_rows):
        row = builder_rows[focus[0]]
        if focus[1] == "sets":
            row.form.fields["sets"].widget.attrs["autofocus"] = True
        else:
            row.focus = focus[1]
    schedule_text = ""
    if weekdays and times and 1 <= times <= 6:
        schedule_text = (
            f"{schedule.describe_times_per_day(times)}, {schedule.describe_weekdays(weekdays)}"
        )
    return Builder(
        plan_form=plan_form,
        formset=formset,
        rows=builder_rows,
        warnings=plan_warnings(items=inputs, weekdays=weekdays),
        schedule_text=schedule_text,
        catalog=catalog,
        errors=list(errors),
        partial=partial,
        status=status,
        touched=touched,
    )


def _dose_problem(row: dict) -> str:
    for name, limit in dose.DOSE_LIMITS.items():
        number = _as_int(row.get(name))
        if number is None or not limit.minimum <= number <= limit.maximum:
            return str(limit.message)
    return ""


def _value(form, name):
    if form.is_bound:
        return form.data.get(name)
    value = form.initial.get(name)
    return value if value is not None else form.fields[name].initial


def _weekday_mask(form) -> int | None:
    if form.is_bound:
        days = form.data.getlist("weekdays")
    else:
        days = form.initial.get("weekdays", [])
        if isinstance(days, int):
            return days
    try:
        return schedule.mask_from_days(days)
    except (TypeError, ValueError):
        return None
