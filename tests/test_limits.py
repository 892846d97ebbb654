"""Every hard limit in DOMAIN.md's dose table (and the pain scale and clinic alert thresholds) is
refused by model validation one past each end, with a message that says what is allowed."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import CheckConstraint
from django.forms import modelform_factory

from patients.models import EntryStatus, SkipReason
from tests.clinics.factories import ClinicFactory
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PainReportFactory, SessionLogEntryFactory, SessionLogFactory
from tests.prescriptions.factories import (
    PlanFactory,
    PlanItemFactory,
    PlanTemplateFactory,
    PlanTemplateItemFactory,
)

PROJECT_APPS = {"clinics", "exercises", "prescriptions", "patients"}

SETS = "Sets must be a whole number from 1 to 10."
REPETITIONS = "Repetitions must be a whole number from 1 to 50."
HOLD = "Hold (seconds) must be a whole number from 0 to 300."
REST = "Rest (seconds) must be a whole number from 0 to 300."
TIMES_PER_DAY = "Times per day must be a whole number from 1 to 6."
PAIN = "Pain must be a whole number from 0 to 10."


def limit(factory, field, minimum, maximum, message):
    model = factory._meta.model.__name__
    return pytest.param(factory, field, minimum, maximum, message, id=f"{model}.{field}")


LIMITS = [
    limit(ExerciseFactory, "default_sets", 1, 10, SETS),
    limit(ExerciseFactory, "default_repetitions", 1, 50, REPETITIONS),
    limit(ExerciseFactory, "default_hold_seconds", 0, 300, HOLD),
    limit(ExerciseFactory, "default_rest_seconds", 0, 300, REST),
    limit(PlanItemFactory, "sets", 1, 10, SETS),
    limit(PlanItemFactory, "repetitions", 1, 50, REPETITIONS),
    limit(PlanItemFactory, "hold_seconds", 0, 300, HOLD),
    limit(PlanItemFactory, "rest_seconds", 0, 300, REST),
    limit(PlanTemplateItemFactory, "sets", 1, 10, SETS),
    limit(PlanTemplateItemFactory, "repetitions", 1, 50, REPETITIONS),
    limit(PlanTemplateItemFactory, "hold_seconds", 0, 300, HOLD),
    limit(PlanTemplateItemFactory, "rest_seconds", 0, 300, REST),
    limit(PlanFactory, "times_per_day", 1, 6, TIMES_PER_DAY),
    limit(PlanTemplateFactory, "times_per_day", 1, 6, TIMES_PER_DAY),
    limit(SessionLogFactory, "pain_before", 0, 10, PAIN),
    limit(SessionLogFactory, "pain_after", 0, 10, PAIN),
    limit(SessionLogEntryFactory, "prescribed_sets", 1, 10, SETS),
    limit(SessionLogEntryFactory, "prescribed_repetitions", 1, 50, REPETITIONS),
    limit(SessionLogEntryFactory, "prescribed_hold_seconds", 0, 300, HOLD),
    limit(SessionLogEntryFactory, "prescribed_rest_seconds", 0, 300, REST),
    limit(
        SessionLogEntryFactory, "sets_done", 0, 10, "Sets done must be a whole number from 0 to 10."
    ),
    limit(
        SessionLogEntryFactory,
        "repetitions_done",
        0,
        50,
        "Repetitions done must be a whole number from 0 to 50.",
    ),
    limit(
        SessionLogEntryFactory,
        "hold_seconds_done",
        0,
        300,
        "Hold done (seconds) must be a whole number from 0 to 300.",
    ),
    limit(PainReportFactory, "score", 0, 10, PAIN),
    limit(
        ClinicFactory,
        "alert_pain_at_or_above",
        1,
        10,
        "The pain alert threshold must be a whole number from 1 to 10.",
    ),
    limit(
        ClinicFactory,
        "alert_pain_rise",
        1,
        10,
        "The pain rise threshold must be a whole number from 1 to 10.",
    ),
    limit(
        ClinicFactory,
        "alert_inactive_days",
        1,
        60,
        "Days without a session must be a whole number from 1 to 60.",
    ),
    limit(
        ClinicFactory,
        "alert_adherence_below_percent",
        0,
        100,
        "The adherence threshold (percent) must be a whole number from 0 to 100.",
    ),
    limit(
        ClinicFactory,
        "escalate_emergency_after_hours",
        1,
        24,
        "Hours before an emergency is passed on must be a whole number from 1 to 24.",
    ),
    limit(
        ClinicFactory,
        "escalate_other_after_hours",
        1,
        168,
        "Hours before another safety alert is passed on must be a whole number from 1 to 168.",
    ),
]
LIMIT_ARGS = ("factory", "field", "minimum", "maximum", "message")


@pytest.mark.parametrize(LIMIT_ARGS, LIMITS)
def test_both_ends_of_a_limit_are_allowed(db, factory, field, minimum, maximum, message):
    row = factory()
    for value in (minimum, maximum):
        setattr(row, field, value)
        row.full_clean()


@pytest.mark.parametrize(LIMIT_ARGS, LIMITS)
def test_one_below_the_minimum_is_refused_with_the_range(
    db, factory, field, minimum, maximum, message
):
    # A minimum of 0 is tested with -1: the column is a PositiveSmallIntegerField, which
    # would hold it were it not for validation (and, below it, the CHECK constraints).
    row = factory()
    setattr(row, field, minimum - 1)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert refused.value.message_dict == {field: [message]}


@pytest.mark.parametrize(LIMIT_ARGS, LIMITS)
def test_one_above_the_maximum_is_refused_with_the_range(
    db, factory, field, minimum, maximum, message
):
    row = factory()
    setattr(row, field, maximum + 1)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert refused.value.message_dict == {field: [message]}


@pytest.mark.parametrize(LIMIT_ARGS, LIMITS)
def test_a_form_for_the_field_refuses_one_past_each_end_with_the_range(
    db, factory, field, minimum, maximum, message
):
    # A form field of its own must not answer first with Django's stock "Ensure this value
    # is greater than or equal to 0.", which hides the range.
    row = factory()
    form_class = modelform_factory(type(row), fields=[field])
    for value in (minimum - 1, maximum + 1):
        form = form_class({field: str(value)}, instance=row)
        assert form.errors == {field: [message]}
    assert form_class({field: str(maximum)}, instance=row).is_valid()


def test_pain_may_be_left_out_of_a_session_log(db):
    session = SessionLogFactory(pain_before=None, pain_after=None)
    session.full_clean()


def test_every_limited_field_has_a_limit_test():
    """A new field with a Min/MaxValueValidator fails here until it is added to LIMITS."""
    limited = {
        f"{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in model._meta.concrete_fields
        # _validators: the ones the model declares, without the column's storage range
        # that Django adds to every integer field.
        if any(isinstance(v, MinValueValidator | MaxValueValidator) for v in field._validators)
    }
    assert limited == {case.id for case in LIMITS}


# The weekday mask has no field validator, so the CHECK constraint's validation speaks for it.
WEEKDAY_MODELS = [
    pytest.param(PlanFactory, id="Plan"),
    pytest.param(PlanTemplateFactory, id="PlanTemplate"),
]


@pytest.mark.parametrize("factory", WEEKDAY_MODELS)
@pytest.mark.parametrize("weekdays", [0b0000001, 0b1000000, 0b1111111])
def test_any_non_empty_set_of_weekdays_is_allowed(db, factory, weekdays):
    row = factory()
    row.weekdays = weekdays
    row.full_clean()


@pytest.mark.parametrize("factory", WEEKDAY_MODELS)
@pytest.mark.parametrize("weekdays", [0, 128], ids=["no-day", "past-sunday"])
def test_no_weekday_or_an_unknown_bit_is_refused(db, factory, weekdays):
    row = factory()
    row.weekdays = weekdays
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert refused.value.message_dict == {
        NON_FIELD_ERRORS: ["Choose at least one day of the week."]
    }


def test_a_plan_cannot_end_before_it_starts(db):
    plan = PlanFactory()
    plan.end_date = plan.start_date
    plan.full_clean()
    plan.end_date = plan.start_date - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        plan.full_clean()
    assert refused.value.message_dict == {
        NON_FIELD_ERRORS: ["The end date cannot be before the start date."]
    }


@pytest.mark.parametrize(
    ("factory", "field"),
    [
        pytest.param(ExerciseFactory, "name", id="Exercise.name"),
        pytest.param(PlanFactory, "title", id="Plan.title"),
        pytest.param(PlanTemplateFactory, "name", id="PlanTemplate.name"),
    ],
)
def test_a_blank_name_is_refused(db, factory, field):
    row = factory()
    setattr(row, field, "")
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert refused.value.message_dict == {field: ["This field cannot be blank."]}


def test_a_skipped_exercise_needs_a_reason(db):
    entry = SessionLogEntryFactory()
    entry.status = EntryStatus.SKIPPED
    entry.sets_done = entry.repetitions_done = entry.hold_seconds_done = 0
    entry.skip_reason = SkipReason.NO_TIME
    entry.full_clean()
    entry.skip_reason = SkipReason.NONE
    with pytest.raises(ValidationError) as refused:
        entry.full_clean()
    assert refused.value.message_dict == {NON_FIELD_ERRORS: ["Say why the exercise was skipped."]}


@pytest.mark.parametrize(
    ("factory", "field", "value"),
    [
        pytest.param(ExerciseFactory, "kind", "cardio", id="Exercise.kind"),
        pytest.param(ExerciseFactory, "body_region", "elbow", id="Exercise.body_region"),
        pytest.param(PlanFactory, "status", "archived", id="Plan.status"),
        pytest.param(PlanItemFactory, "side", "up", id="PlanItem.side"),
        pytest.param(SessionLogFactory, "difficulty", "meh", id="SessionLog.difficulty"),
        pytest.param(SessionLogEntryFactory, "status", "done", id="SessionLogEntry.status"),
        pytest.param(SessionLogEntryFactory, "side", "up", id="SessionLogEntry.side"),
    ],
)
def test_a_value_outside_the_choices_is_refused(db, factory, field, value):
    row = factory()
    setattr(row, field, value)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert refused.value.message_dict == {field: [f"Value {value!r} is not a valid choice."]}


CONSTRAINTS = [
    pytest.param(constraint, id=constraint.name)
    for model in apps.get_models()
    if model._meta.app_label in PROJECT_APPS
    for constraint in model._meta.constraints
]


@pytest.mark.parametrize("constraint", CONSTRAINTS)
def test_every_constraint_has_a_message_that_can_be_shown(constraint):
    # Django formats the message with %(name)s, so a bare % breaks it, and the stock
    # "Constraint … is violated." names the constraint instead of saying what is allowed.
    message = str(constraint.get_violation_error_message())
    if isinstance(constraint, CheckConstraint):
        assert constraint.name not in message
        assert message.endswith(".")
