"""A refused write through a service leaves nothing behind, and says what is allowed."""

import dataclasses
import datetime
import uuid

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from patients.models import EntryStatus, PainReport, SessionLog, SessionLogEntry
from patients.services import EntryInput, pain_report_record, session_log_record
from prescriptions.models import Plan, PlanItem, PlanRevision
from prescriptions.services import ItemInput, plan_create
from tests.exercises.factories import ExerciseFactory


@pytest.fixture
def knee_to_chest(clinic):
    return ExerciseFactory(clinic=clinic, name="Knee-to-chest stretch")


@pytest.fixture
def press_up(clinic):
    return ExerciseFactory(clinic=clinic, name="Prone press-up")


def prescribe(patient, therapist, items, **overrides):
    values = {
        "patient": patient,
        "prescribed_by": therapist,
        "title": "Back spasm relief",
        "start_date": patient.clinic.today() - datetime.timedelta(days=7),
        "items": items,
    }
    values.update(overrides)
    return plan_create(**values)


def assert_no_plan_saved():
    assert not Plan.objects.exists()
    assert not PlanItem.objects.exists()
    assert not PlanRevision.objects.exists()


def test_a_valid_plan_is_saved_whole(patient, therapist, knee_to_chest, press_up):
    # The passing case the refusals below are measured against.
    prescribe(
        patient,
        therapist,
        [ItemInput.from_exercise(knee_to_chest), ItemInput.from_exercise(press_up, sets=10)],
    )
    assert Plan.objects.count() == 1
    assert PlanItem.objects.count() == 2
    assert PlanRevision.objects.count() == 1


@pytest.mark.parametrize(
    ("dose", "field", "message"),
    [
        ({"sets": 11}, "sets", "Sets must be a whole number from 1 to 10."),
        ({"repetitions": 51}, "repetitions", "Repetitions must be a whole number from 1 to 50."),
        (
            {"hold_seconds": 301},
            "hold_seconds",
            "Hold (seconds) must be a whole number from 0 to 300.",
        ),
        (
            {"rest_seconds": -1},
            "rest_seconds",
            "Rest (seconds) must be a whole number from 0 to 300.",
        ),
    ],
    ids=["sets", "repetitions", "hold", "rest"],
)
def test_one_out_of_range_exercise_refuses_the_whole_plan(
    patient, therapist, knee_to_chest, press_up, dose, field, message
):
    items = [ItemInput.from_exercise(knee_to_chest), ItemInput.from_exercise(press_up, **dose)]
    with pytest.raises(ValidationError) as refused:
        prescribe(patient, therapist, items)
    assert refused.value.message_dict == {field: [message]}
    assert_no_plan_saved()


def test_a_plan_without_exercises_is_refused(patient, therapist):
    with pytest.raises(ValidationError) as refused:
        prescribe(patient, therapist, [])
    assert refused.value.messages == ["Add at least one exercise to the plan."]
    assert_no_plan_saved()


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        pytest.param(
            {"weekdays": 0},
            {NON_FIELD_ERRORS: ["Choose at least one day of the week."]},
            id="no-weekday",
        ),
        pytest.param(
            {"times_per_day": 7},
            {"times_per_day": ["Times per day must be a whole number from 1 to 6."]},
            id="times-per-day",
        ),
        pytest.param(
            {"title": "   "}, {"title": ["This field cannot be blank."]}, id="blank-title"
        ),
        pytest.param(
            {"end_date": datetime.date(2000, 1, 1)},
            {NON_FIELD_ERRORS: ["The end date cannot be before the start date."]},
            id="end-before-start",
        ),
    ],
)
def test_a_plan_with_a_bad_schedule_is_refused(
    patient, therapist, knee_to_chest, overrides, errors
):
    with pytest.raises(ValidationError) as refused:
        prescribe(patient, therapist, [ItemInput.from_exercise(knee_to_chest)], **overrides)
    assert refused.value.message_dict == errors
    assert_no_plan_saved()


# --- Session logs --------------------------------------------------------------------------


@pytest.fixture
def plan(patient, therapist, knee_to_chest, press_up):
    return prescribe(
        patient,
        therapist,
        [ItemInput.from_exercise(knee_to_chest), ItemInput.from_exercise(press_up)],
    )


def record_session(plan, entries, **overrides):
    values = {
        "patient": plan.patient,
        "plan": plan,
        "performed_at": timezone.now() - datetime.timedelta(hours=1),
        "entries": entries,
        "client_token": uuid.uuid4(),
        "recorded_by": plan.patient.user,
        "pain_before": 4,
        "pain_after": 3,
    }
    values.update(overrides)
    return session_log_record(**values)


def assert_no_session_saved():
    assert not SessionLog.objects.exists()
    assert not SessionLogEntry.objects.exists()


def test_a_valid_session_is_saved_whole(plan):
    record_session(plan, [EntryInput.as_prescribed(item) for item in plan.items.all()])
    assert SessionLog.objects.count() == 1
    assert SessionLogEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("done", "field", "message"),
    [
        pytest.param(
            {"repetitions_done": 1000},
            "repetitions_done",
            "Repetitions done must be a whole number from 0 to 50.",
            id="repetitions",
        ),
        pytest.param(
            {"sets_done": 11},
            "sets_done",
            "Sets done must be a whole number from 0 to 10.",
            id="sets",
        ),
        pytest.param(
            {"hold_seconds_done": 301},
            "hold_seconds_done",
            "Hold done (seconds) must be a whole number from 0 to 300.",
            id="hold",
        ),
    ],
)
def test_one_impossible_entry_refuses_the_whole_session(plan, done, field, message):
    first, second = plan.items.order_by("position")
    entries = [
        EntryInput.as_prescribed(first),
        dataclasses.replace(EntryInput.as_prescribed(second), **done),
    ]
    with pytest.raises(ValidationError) as refused:
        record_session(plan, entries)
    assert refused.value.message_dict == {field: [message]}
    assert_no_session_saved()


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
@pytest.mark.parametrize("score", [-1, 11])
def test_a_session_with_pain_off_the_scale_is_refused(plan, field, score):
    entries = [EntryInput.as_prescribed(item) for item in plan.items.all()]
    with pytest.raises(ValidationError) as refused:
        record_session(plan, entries, **{field: score})
    assert refused.value.message_dict == {field: ["Pain must be a whole number from 0 to 10."]}
    assert_no_session_saved()


def test_a_session_in_the_future_is_refused(plan):
    entries = [EntryInput.as_prescribed(item) for item in plan.items.all()]
    with pytest.raises(ValidationError) as refused:
        record_session(plan, entries, performed_at=timezone.now() + datetime.timedelta(hours=1))
    assert refused.value.message_dict == {
        "performed_at": ["A session cannot be logged in the future."]
    }
    assert_no_session_saved()


def test_a_skipped_exercise_without_a_reason_refuses_the_session(plan):
    first, second = plan.items.order_by("position")
    entries = [
        EntryInput.as_prescribed(first),
        EntryInput(
            plan_item=second,
            status=EntryStatus.SKIPPED,
            sets_done=0,
            repetitions_done=0,
            hold_seconds_done=0,
        ),
    ]
    with pytest.raises(ValidationError) as refused:
        record_session(plan, entries)
    assert refused.value.message_dict == {"skip_reason": ["Say why Prone press-up was skipped."]}
    assert_no_session_saved()


# --- Pain reports --------------------------------------------------------------------------


def test_a_pain_report_on_the_scale_is_saved(patient):
    pain_report_record(patient=patient, score=10, recorded_by=patient.user)
    pain_report_record(patient=patient, score=0, recorded_by=patient.user)
    assert PainReport.objects.count() == 2


@pytest.mark.parametrize("score", [-1, 11])
def test_a_pain_report_off_the_scale_is_refused(patient, score):
    with pytest.raises(ValidationError) as refused:
        pain_report_record(patient=patient, score=score, recorded_by=patient.user)
    assert refused.value.message_dict == {"score": ["Pain must be a whole number from 0 to 10."]}
    assert not PainReport.objects.exists()


def test_a_pain_report_for_the_future_is_refused(patient):
    with pytest.raises(ValidationError) as refused:
        pain_report_record(
            patient=patient,
            score=3,
            recorded_by=patient.user,
            recorded_at=timezone.now() + datetime.timedelta(hours=1),
        )
    assert refused.value.message_dict == {
        "recorded_at": ["Pain cannot be reported for the future."]
    }
    assert not PainReport.objects.exists()
