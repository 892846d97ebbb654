import datetime

import pytest
from django.core.exceptions import ValidationError

from exercises.models import Exercise
from prescriptions.catalog import starter_catalog_load
from prescriptions.models import Plan, PlanRevision, PlanTemplate
from prescriptions.services import ItemInput, plan_create, plan_revise
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientFactory
from tests.prescriptions.factories import prescribe


def test_plan_create_saves_items_in_order_with_their_dose_and_a_first_revision(therapist):
    patient = PatientFactory(primary_therapist=therapist)
    first = ExerciseFactory(clinic=None, slug="a", name="Knee-to-chest stretch")
    second = ExerciseFactory(clinic=therapist.clinic, name="Prone press-up")
    plan = plan_create(
        patient=patient,
        prescribed_by=therapist,
        title="Back spasm relief",
        start_date=patient.clinic.today(),
        times_per_day=2,
        items=[ItemInput.from_exercise(first, hold_seconds=45), ItemInput.from_exercise(second)],
    )
    items = list(plan.items.order_by("position"))
    assert [item.exercise for item in items] == [first, second]
    assert items[0].hold_seconds == 45 and items[0].repetitions == 3
    assert plan.clinic == patient.clinic
    revision = PlanRevision.objects.get(plan=plan)
    assert revision.number == 1 and revision.changed_by == therapist
    assert [i["exercise"] for i in revision.snapshot["items"]] == [
        "Knee-to-chest stretch",
        "Prone press-up",
    ]
    assert revision.snapshot["times_per_day"] == 2


def test_a_therapist_of_another_clinic_cannot_prescribe(therapist, stranger):
    patient = PatientFactory(primary_therapist=therapist)
    exercise = ExerciseFactory(clinic=None, slug="shared")
    with pytest.raises(ValidationError, match="Only staff of the patient's clinic"):
        prescribe(patient, stranger, exercise)


def test_another_clinics_exercise_cannot_be_prescribed(therapist, other_clinic):
    patient = PatientFactory(primary_therapist=therapist)
    theirs = ExerciseFactory(clinic=other_clinic, name="Their stretch")
    with pytest.raises(ValidationError, match="Their stretch"):
        prescribe(patient, therapist, theirs)


def test_starter_catalog_loads_the_guide_stretches_and_is_idempotent(db):
    first_exercises, first_templates = starter_catalog_load()
    assert first_templates[0] == 4
    assert first_exercises.created >= 30
    knee = Exercise.objects.shared().get(name="Knee-to-chest stretch")
    press = Exercise.objects.shared().get(name="Prone press-up")
    for exercise in (knee, press):
        assert (exercise.default_hold_seconds, exercise.default_repetitions) == (30, 3)
        assert exercise.steps.count() >= 3
        assert any("stop" in caution.lower() for caution in exercise.caution_list)
    assert any("osteoporosis" in caution.lower() for caution in knee.caution_list)
    regions = set(Exercise.objects.shared().values_list("body_region", flat=True))
    assert {"neck", "shoulder", "lower_back", "hip", "knee"} <= regions
    template = PlanTemplate.objects.get(clinic=None, name="Back spasm relief")
    assert [item.exercise for item in template.items.order_by("position")] == [knee, press]
    assert template.times_per_day == 1 and template.weekday_list == list(range(7))

    updated_at = dict(Exercise.objects.values_list("pk", "updated_at"))
    second_exercises, second_templates = starter_catalog_load()
    assert (second_exercises.created, second_exercises.updated) == (0, 0)
    assert second_templates[0] == 0
    assert dict(Exercise.objects.values_list("pk", "updated_at")) == updated_at


def test_pause_resume_and_complete_keep_pauses_and_revisions(therapist):
    from prescriptions.models import PlanStatus
    from prescriptions.services import plan_status_change
    from tests.prescriptions.factories import PlanFactory, PlanItemFactory

    plan = PlanFactory(prescribed_by=therapist, start_date=datetime.date(2026, 11, 1))
    PlanItemFactory(plan=plan)
    plan = plan_status_change(
        plan=plan, status=PlanStatus.PAUSED, changed_by=therapist, on=datetime.date(2026, 11, 5)
    )
    plan = plan_status_change(
        plan=plan, status=PlanStatus.ACTIVE, changed_by=therapist, on=datetime.date(2026, 11, 9)
    )
    pause = plan.pauses.get()
    assert (pause.paused_on, pause.resumed_on) == (
        datetime.date(2026, 11, 5),
        datetime.date(2026, 11, 9),
    )
    plan = plan_status_change(
        plan=plan,
        status=PlanStatus.COMPLETED,
        changed_by=therapist,
        on=datetime.date(2026, 11, 20),
    )
    assert plan.end_date == datetime.date(2026, 11, 20)
    assert plan.version == 4
    summaries = list(plan.revisions.order_by("number").values_list("summary", flat=True))
    assert len(summaries) == 3
    assert "to Paused" in summaries[0] and "to Active" in summaries[1]
    assert "to Completed" in summaries[2]
    with pytest.raises(ValidationError, match="cannot become active"):
        plan_status_change(plan=plan, status=PlanStatus.ACTIVE, changed_by=therapist)


def test_a_stale_version_is_refused(therapist, colleague):
    from prescriptions.models import PlanStatus
    from prescriptions.services import plan_status_change
    from tests.prescriptions.factories import PlanFactory

    plan = PlanFactory(prescribed_by=therapist)
    opened_at = plan.version
    plan_status_change(plan=plan, status=PlanStatus.PAUSED, changed_by=colleague)
    with pytest.raises(ValidationError, match="Cal Colleague changed this plan"):
        plan_status_change(
            plan=plan,
            status=PlanStatus.DISCONTINUED,
            changed_by=therapist,
            expected_version=opened_at,
        )


def test_another_clinics_template_cannot_start_a_plan(therapist, other_clinic):
    from tests.prescriptions.factories import PlanTemplateFactory

    patient = PatientFactory(primary_therapist=therapist)
    theirs = PlanTemplateFactory(clinic=other_clinic)
    exercise = ExerciseFactory(clinic=None, slug="shared-one")
    with pytest.raises(ValidationError, match="not one of your clinic's templates"):
        prescribe(patient, therapist, exercise, template=theirs)


def test_a_discharged_patient_gets_no_new_plan(therapist):
    patient = PatientFactory(primary_therapist=therapist, status="discharged")
    exercise = ExerciseFactory(clinic=None, slug="shared-two")
    with pytest.raises(ValidationError, match="Reactivate them before prescribing"):
        prescribe(patient, therapist, exercise)


# Plan dates


def dates_refused(therapist, **dates) -> dict:
    patient = PatientFactory(primary_therapist=therapist)
    exercise = ExerciseFactory(clinic=therapist.clinic)
    with pytest.raises(ValidationError) as refused:
        plan_create(
            patient=patient,
            prescribed_by=therapist,
            title="Back spasm relief",
            items=[ItemInput.from_exercise(exercise)],
            **dates,
        )
    assert not Plan.objects.exists()
    return refused.value.message_dict


def test_a_start_more_than_a_year_back_or_ahead_is_refused_with_the_dates_allowed(therapist):
    today = therapist.clinic.today()
    for start in (today - datetime.timedelta(days=366), datetime.date(202, 12, 6)):
        errors = dates_refused(therapist, start_date=start)
        assert list(errors) == ["start_date"]
        assert errors["start_date"][0].startswith("Choose a start date between ")
        assert "a year either side of today" in errors["start_date"][0]
    dates_refused(therapist, start_date=today + datetime.timedelta(days=366))


def test_an_end_more_than_two_years_after_the_start_is_refused(therapist):
    today = therapist.clinic.today()
    errors = dates_refused(
        therapist, start_date=today, end_date=today + datetime.timedelta(days=730)
    )
    assert "no more than 2 years after the start date" in errors["end_date"][0]
    errors = dates_refused(therapist, start_date=today, end_date=datetime.date(9999, 12, 31))
    assert list(errors) == ["end_date"]


def test_the_edges_of_the_window_are_allowed(therapist):
    today = therapist.clinic.today()
    patient = PatientFactory(primary_therapist=therapist)
    exercise = ExerciseFactory(clinic=therapist.clinic)
    for start, end in (
        (today - datetime.timedelta(days=365), None),
        (today + datetime.timedelta(days=365), today + datetime.timedelta(days=365 + 729)),
    ):
        plan_create(
            patient=patient,
            prescribed_by=therapist,
            title="Edge",
            start_date=start,
            end_date=end,
            items=[ItemInput.from_exercise(exercise)],
        )
    assert Plan.objects.count() == 2


def test_a_plan_started_long_ago_can_still_be_revised_but_not_moved_out_of_the_window(
    therapist,
):
    exercise = ExerciseFactory(clinic=therapist.clinic)
    long_ago = therapist.clinic.today() - datetime.timedelta(days=500)
    plan = prescribe(
        PatientFactory(primary_therapist=therapist),
        therapist,
        exercise,
        start_date=long_ago,
        today=long_ago,
    )
    fields = dict(
        changed_by=therapist,
        title=plan.title,
        items=[ItemInput.from_exercise(exercise)],
        times_per_day=1,
        weekdays=plan.weekdays,
    )
    plan_revise(plan=plan, expected_version=1, start_date=long_ago, notes="Still going.", **fields)
    with pytest.raises(ValidationError) as refused:
        plan_revise(
            plan=plan,
            expected_version=2,
            start_date=long_ago + datetime.timedelta(days=1),
            **fields,
        )
    assert list(refused.value.message_dict) == ["start_date"]
