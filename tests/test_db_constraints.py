"""The database refuses what model validation refuses, for writes that skip validation
(queryset.update(), bulk writes, raw SQL, a future code path that forgets full_clean()).

Each refusal runs in its own transaction.atomic(): on PostgreSQL a failed statement aborts the
transaction, so the next statement would fail for the wrong reason."""

import datetime
import uuid

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from exercises.models import PictureLicence
from prescriptions.models import PlanPause, PlanRevision
from tests.clinics.factories import ClinicFactory, TherapistFactory, UserFactory
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import (
    PainReportFactory,
    PatientFactory,
    SessionLogEntryFactory,
    SessionLogFactory,
)
from tests.prescriptions.factories import (
    PlanFactory,
    PlanItemFactory,
    PlanTemplateFactory,
    PlanTemplateItemFactory,
)

PROJECT_APPS = {"clinics", "exercises", "prescriptions", "patients"}
COVERED: set[str] = set()


def covers(*names):
    """Record which constraints a test exercises, for the completeness check at the end."""

    def record(test):
        COVERED.update(names)
        return test

    return record


def update(row, **values):
    """Write values straight to the row, past model validation."""
    with transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(**values)


def assert_refused(row, constraint: str | None, **values):
    with pytest.raises(IntegrityError) as refused:
        update(row, **values)
    if constraint is not None:
        assert constraint in str(refused.value)


def assert_duplicate_refused(row, constraint: str, columns: str, **values):
    # PostgreSQL names the unique constraint; SQLite names the columns instead.
    with pytest.raises(IntegrityError) as refused:
        update(row, **values)
    expected = columns if connection.vendor == "sqlite" else constraint
    assert expected in str(refused.value)


# --- Ranges: the dose table, the pain scale, the clinic's alert thresholds -------------------


def range_case(constraint, factory, field, minimum, maximum):
    COVERED.add(constraint)
    return pytest.param(factory, field, minimum, maximum, constraint, id=constraint)


RANGES = [
    range_case("exercise_default_sets_range", ExerciseFactory, "default_sets", 1, 10),
    range_case("exercise_default_reps_range", ExerciseFactory, "default_repetitions", 1, 50),
    range_case("exercise_default_hold_range", ExerciseFactory, "default_hold_seconds", 0, 300),
    range_case("exercise_default_rest_range", ExerciseFactory, "default_rest_seconds", 0, 300),
    range_case("prescriptions_planitem_sets_range", PlanItemFactory, "sets", 1, 10),
    range_case("prescriptions_planitem_repetitions_range", PlanItemFactory, "repetitions", 1, 50),
    range_case("prescriptions_planitem_hold_range", PlanItemFactory, "hold_seconds", 0, 300),
    range_case("prescriptions_planitem_rest_range", PlanItemFactory, "rest_seconds", 0, 300),
    range_case("prescriptions_plantemplateitem_sets_range", PlanTemplateItemFactory, "sets", 1, 10),
    range_case(
        "prescriptions_plantemplateitem_repetitions_range",
        PlanTemplateItemFactory,
        "repetitions",
        1,
        50,
    ),
    range_case(
        "prescriptions_plantemplateitem_hold_range", PlanTemplateItemFactory, "hold_seconds", 0, 300
    ),
    range_case(
        "prescriptions_plantemplateitem_rest_range", PlanTemplateItemFactory, "rest_seconds", 0, 300
    ),
    range_case("plan_times_per_day_range", PlanFactory, "times_per_day", 1, 6),
    range_case("template_times_per_day_range", PlanTemplateFactory, "times_per_day", 1, 6),
    range_case("session_log_pain_before_range", SessionLogFactory, "pain_before", 0, 10),
    range_case("session_log_pain_after_range", SessionLogFactory, "pain_after", 0, 10),
    range_case("entry_prescribed_sets_range", SessionLogEntryFactory, "prescribed_sets", 1, 10),
    range_case(
        "entry_prescribed_reps_range", SessionLogEntryFactory, "prescribed_repetitions", 1, 50
    ),
    range_case(
        "entry_prescribed_hold_range", SessionLogEntryFactory, "prescribed_hold_seconds", 0, 300
    ),
    range_case(
        "entry_prescribed_rest_range", SessionLogEntryFactory, "prescribed_rest_seconds", 0, 300
    ),
    range_case("entry_sets_done_range", SessionLogEntryFactory, "sets_done", 0, 10),
    range_case("entry_reps_done_range", SessionLogEntryFactory, "repetitions_done", 0, 50),
    range_case("entry_hold_done_range", SessionLogEntryFactory, "hold_seconds_done", 0, 300),
    range_case("pain_report_score_range", PainReportFactory, "score", 0, 10),
    range_case("clinic_alert_pain_range", ClinicFactory, "alert_pain_at_or_above", 1, 10),
    range_case("clinic_alert_pain_rise_range", ClinicFactory, "alert_pain_rise", 1, 10),
    range_case("clinic_alert_inactive_days_range", ClinicFactory, "alert_inactive_days", 1, 60),
    range_case(
        "clinic_alert_adherence_range", ClinicFactory, "alert_adherence_below_percent", 0, 100
    ),
    range_case(
        "clinic_escalate_emergency_range", ClinicFactory, "escalate_emergency_after_hours", 1, 24
    ),
    range_case("clinic_escalate_other_range", ClinicFactory, "escalate_other_after_hours", 1, 168),
]
RANGE_ARGS = ("factory", "field", "minimum", "maximum", "constraint")


@pytest.mark.parametrize(RANGE_ARGS, RANGES)
def test_the_database_stores_both_ends_of_a_range(db, factory, field, minimum, maximum, constraint):
    row = factory()
    for value in (minimum, maximum):
        update(row, **{field: value})
        row.refresh_from_db(fields=[field])
        assert getattr(row, field) == value


@pytest.mark.parametrize(RANGE_ARGS, RANGES)
def test_the_database_refuses_one_above_the_maximum(
    db, factory, field, minimum, maximum, constraint
):
    assert_refused(factory(), constraint, **{field: maximum + 1})


@pytest.mark.parametrize(RANGE_ARGS, RANGES)
def test_the_database_refuses_one_below_the_minimum(
    db, factory, field, minimum, maximum, constraint
):
    # Below 0, the positive-integer check Django puts on the column may be the one that
    # answers first, so only a minimum above 0 can tell which constraint refused.
    assert_refused(factory(), constraint if minimum > 0 else None, **{field: minimum - 1})


def test_pain_may_be_left_out_in_the_database(db):
    session = SessionLogFactory()
    update(session, pain_before=None, pain_after=None)


# --- Single-row rules: names, choices, dates, the weekday mask ---------------------------------


def row_case(constraint, factory, id_suffix="", **bad_values):
    COVERED.add(constraint)
    case_id = f"{constraint}-{id_suffix}" if id_suffix else constraint
    return pytest.param(factory, bad_values, constraint, id=case_id)


ROW_RULES = [
    row_case("exercise_name_not_blank", ExerciseFactory, name=""),
    row_case("exercise_body_region_valid", ExerciseFactory, body_region="elbow"),
    row_case("exercise_kind_valid", ExerciseFactory, kind="cardio"),
    row_case("exercise_image_licence_valid", ExerciseFactory, image_licence="cc-by-nc-4.0"),
    row_case("prescriptions_planitem_side_valid", PlanItemFactory, side="up"),
    row_case("prescriptions_plantemplateitem_side_valid", PlanTemplateItemFactory, side="up"),
    row_case("plan_weekdays_range", PlanFactory, "no-day", weekdays=0),
    row_case("plan_weekdays_range", PlanFactory, "past-sunday", weekdays=128),
    row_case("plan_status_valid", PlanFactory, status="archived"),
    row_case("plan_title_not_blank", PlanFactory, title=""),
    row_case("template_weekdays_range", PlanTemplateFactory, "no-day", weekdays=0),
    row_case("template_weekdays_range", PlanTemplateFactory, "past-sunday", weekdays=128),
    row_case("template_name_not_blank", PlanTemplateFactory, name=""),
    row_case("patient_name_not_blank", PatientFactory, "first", first_name=""),
    row_case("patient_name_not_blank", PatientFactory, "last", last_name=""),
    row_case("patient_status_valid", PatientFactory, status="deceased"),
    row_case("session_log_difficulty_valid", SessionLogFactory, difficulty="meh"),
    row_case("entry_side_valid", SessionLogEntryFactory, side="up"),
    row_case("entry_status_valid", SessionLogEntryFactory, status="done"),
    row_case("entry_skip_reason_valid", SessionLogEntryFactory, skip_reason="bored"),
    row_case("entry_skipped_has_reason", SessionLogEntryFactory, status="skipped", skip_reason=""),
    row_case("pain_report_severity_valid", PainReportFactory, red_flag_severity="mild"),
    row_case("user_clinic_and_role_unless_superuser", UserFactory, "no-clinic", clinic=None),
    row_case("user_clinic_and_role_unless_superuser", UserFactory, "no-role", role=""),
]


@pytest.mark.parametrize(("factory", "bad_values", "constraint"), ROW_RULES)
def test_the_database_refuses_a_row_breaking_a_rule(db, factory, bad_values, constraint):
    # The factory's row was inserted under the same constraint, so it is the passing case.
    assert_refused(factory(), constraint, **bad_values)


@covers("plan_weekdays_range", "template_weekdays_range")
@pytest.mark.parametrize("factory", [PlanFactory, PlanTemplateFactory])
def test_the_database_stores_any_non_empty_set_of_weekdays(db, factory):
    row = factory()
    for weekdays in (0b0000001, 0b1000000, 0b1111111):
        update(row, weekdays=weekdays)


@covers("exercise_image_licence_valid")
def test_the_database_stores_every_picture_licence_and_none(db):
    exercise = ExerciseFactory()
    for licence in ["", *PictureLicence.values]:
        update(exercise, image_licence=licence)


@covers("plan_end_after_start")
def test_the_database_refuses_a_plan_ending_before_it_starts(db):
    plan = PlanFactory()
    update(plan, end_date=plan.start_date)
    update(plan, end_date=None)
    assert_refused(
        plan, "plan_end_after_start", end_date=plan.start_date - datetime.timedelta(days=1)
    )


@covers("plan_pause_resumed_after_paused")
def test_the_database_refuses_a_pause_resuming_before_it_began(db):
    plan = PlanFactory()
    pause = PlanPause.objects.create(plan=plan, paused_on=plan.start_date)
    update(pause, resumed_on=pause.paused_on)
    assert_refused(
        pause,
        "plan_pause_resumed_after_paused",
        resumed_on=pause.paused_on - datetime.timedelta(days=1),
    )


@covers("exercise_step_text_not_blank")
def test_the_database_refuses_a_blank_step(db):
    step = ExerciseFactory(steps=["Lie on your back."]).steps.get()
    assert_refused(step, "exercise_step_text_not_blank", text="")


@covers("entry_skipped_has_reason")
def test_the_database_stores_a_skipped_entry_with_its_reason(db):
    entry = SessionLogEntryFactory()
    update(entry, status="skipped", skip_reason="pain", sets_done=0, repetitions_done=0)


@covers("user_clinic_and_role_unless_superuser")
def test_a_superuser_needs_no_clinic_or_role(db):
    user = UserFactory(is_superuser=True, is_staff=True)
    update(user, clinic=None, role="")
    assert_refused(user, "user_clinic_and_role_unless_superuser", is_superuser=False)


# --- Uniqueness ------------------------------------------------------------------------------


@covers("exercise_slug_unique_per_clinic")
def test_a_clinic_cannot_have_two_exercises_with_one_slug(db):
    first = ExerciseFactory()
    second = ExerciseFactory(clinic=first.clinic)
    assert_duplicate_refused(
        second,
        "exercise_slug_unique_per_clinic",
        "exercises_exercise.clinic_id, exercises_exercise.slug",
        slug=first.slug,
    )


@covers("exercise_slug_unique_shared")
def test_the_shared_catalog_cannot_have_two_exercises_with_one_slug(db):
    first = ExerciseFactory(clinic=None)
    second = ExerciseFactory(clinic=None)
    assert_duplicate_refused(
        second, "exercise_slug_unique_shared", "exercises_exercise.slug", slug=first.slug
    )


@covers("exercise_slug_unique_per_clinic", "exercise_slug_unique_shared")
def test_one_exercise_slug_may_be_used_by_the_shared_catalog_and_by_each_clinic(db):
    shared = ExerciseFactory(clinic=None)
    ours = ExerciseFactory()
    theirs = ExerciseFactory()
    update(ours, slug=shared.slug)
    update(theirs, slug=shared.slug)


@covers("template_slug_unique_per_clinic")
def test_a_clinic_cannot_have_two_templates_with_one_slug(db):
    first = PlanTemplateFactory()
    second = PlanTemplateFactory(clinic=first.clinic)
    assert_duplicate_refused(
        second,
        "template_slug_unique_per_clinic",
        "prescriptions_plantemplate.clinic_id, prescriptions_plantemplate.slug",
        slug=first.slug,
    )


@covers("template_slug_unique_shared")
def test_shared_templates_cannot_share_a_slug(db):
    first = PlanTemplateFactory(clinic=None)
    second = PlanTemplateFactory(clinic=None)
    assert_duplicate_refused(
        second, "template_slug_unique_shared", "prescriptions_plantemplate.slug", slug=first.slug
    )


@covers("template_slug_unique_per_clinic", "template_slug_unique_shared")
def test_one_template_slug_may_be_used_by_the_shared_list_and_by_each_clinic(db):
    shared = PlanTemplateFactory(clinic=None)
    ours = PlanTemplateFactory()
    theirs = PlanTemplateFactory()
    update(ours, slug=shared.slug)
    update(theirs, slug=shared.slug)


@covers("api_key_name_unique_in_clinic")
def test_a_clinic_cannot_have_two_keys_in_use_with_one_name(db):
    from clinics.models import ApiScope
    from clinics.services import api_key_create, api_key_revoke
    from tests.clinics.factories import ClinicAdminFactory

    admin = ClinicAdminFactory()
    made = {}
    for name in ("EHR sync", "Billing", "Old EHR sync"):
        made[name], _text = api_key_create(
            clinic=admin.clinic, name=name, scope=ApiScope.READ, acts_as=admin, created_by=admin
        )
    assert_duplicate_refused(
        made["Billing"],
        "api_key_name_unique_in_clinic",
        "clinics_apikey.clinic_id, clinics_apikey.name",
        name="EHR sync",
    )
    # A revoked key's name is free again.
    api_key_revoke(key=made["EHR sync"], revoked_by=admin)
    update(made["Old EHR sync"], name="EHR sync")


@covers("exercise_step_position_unique")
def test_two_steps_of_an_exercise_cannot_share_a_position(db):
    exercise = ExerciseFactory(steps=["Lie on your back.", "Hug your knees."])
    other_exercise = ExerciseFactory(steps=["Lie on your front."])
    first, second = exercise.steps.order_by("position")
    update(other_exercise.steps.get(), position=first.position)
    assert_duplicate_refused(
        second,
        "exercise_step_position_unique",
        "exercises_exercisestep.exercise_id, exercises_exercisestep.position",
        position=first.position,
    )


@covers("plan_revision_number_unique")
def test_a_plan_cannot_have_two_revisions_with_one_number(db):
    plan = PlanFactory()
    first = PlanRevision.objects.create(
        plan=plan, number=1, changed_by=plan.prescribed_by, summary="Created."
    )
    second = PlanRevision.objects.create(
        plan=plan, number=2, changed_by=plan.prescribed_by, summary="Changed."
    )
    assert_duplicate_refused(
        second,
        "plan_revision_number_unique",
        "prescriptions_planrevision.plan_id, prescriptions_planrevision.number",
        number=first.number,
    )


@covers("session_log_token_unique")
def test_a_patient_cannot_have_two_sessions_with_one_client_token(db):
    first = SessionLogFactory()
    second = SessionLogFactory(plan=first.plan)
    someone_else = SessionLogFactory()
    update(someone_else, client_token=first.client_token)
    assert_duplicate_refused(
        second,
        "session_log_token_unique",
        "patients_sessionlog.patient_id, patients_sessionlog.client_token",
        client_token=first.client_token,
    )
    update(second, client_token=uuid.uuid4())


@covers("pain_report_token_unique")
def test_a_patient_cannot_have_two_pain_reports_with_one_client_token(db):
    first = PainReportFactory()
    second = PainReportFactory(patient=first.patient)
    someone_else = PainReportFactory()
    update(someone_else, client_token=first.client_token)
    assert_duplicate_refused(
        second,
        "pain_report_token_unique",
        "patients_painreport.patient_id, patients_painreport.client_token",
        client_token=first.client_token,
    )


@covers("pain_day_unique")
def test_a_patient_has_one_pain_total_a_day(db):
    from patients.models import PainDay

    first = SessionLogFactory(performed_at=datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC))
    SessionLogFactory(
        plan=first.plan, performed_at=datetime.datetime(2026, 3, 3, 9, tzinfo=datetime.UTC)
    )
    first_day, second_day = PainDay.objects.filter(patient=first.patient).order_by("day")
    assert_duplicate_refused(
        second_day,
        "pain_day_unique",
        "patients_painday.patient_id, patients_painday.day",
        day=first_day.day,
    )


@covers("session_day_count_unique")
def test_a_plan_has_one_session_count_a_day(db):
    from patients.models import SessionDayCount

    first = SessionLogFactory(performed_at=datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC))
    SessionLogFactory(
        plan=first.plan, performed_at=datetime.datetime(2026, 3, 3, 9, tzinfo=datetime.UTC)
    )
    first_day, second_day = SessionDayCount.objects.filter(plan=first.plan).order_by("day")
    assert_duplicate_refused(
        second_day,
        "session_day_count_unique",
        "patients_sessiondaycount.plan_id, patients_sessiondaycount.day",
        day=first_day.day,
    )


def test_two_clinics_cannot_share_a_slug(db):
    first = ClinicFactory()
    second = ClinicFactory()
    assert_refused(second, "slug", slug=first.slug)


def test_two_accounts_cannot_share_an_email(db):
    first = TherapistFactory()
    second = TherapistFactory(clinic=first.clinic)
    assert_refused(second, "email", email=first.email)


# --- Completeness ----------------------------------------------------------------------------


def test_every_constraint_in_the_models_has_a_test():
    """A new constraint fails here until a test above covers it (and a removed one until its
    test goes)."""
    declared = {
        constraint.name
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for constraint in model._meta.constraints
    }
    assert declared == COVERED


@covers("alert_ack_unique_event", "alert_ack_kind_valid", "alert_ack_event_key_not_blank")
def test_alert_acknowledgements_are_one_per_event_with_a_known_kind_and_a_key(db):
    from patients.models import AlertAcknowledgement, AlertKind

    patient = PatientFactory()
    values = {
        "clinic": patient.clinic,
        "patient": patient,
        "kind": AlertKind.PAIN_HIGH,
        "event_key": "report:1",
        "acknowledged_by": patient.primary_therapist,
    }
    first = AlertAcknowledgement.objects.create(**values)
    second = AlertAcknowledgement.objects.create(**{**values, "event_key": "report:2"})
    assert_duplicate_refused(
        second,
        "alert_ack_unique_event",
        "patients_alertacknowledgement.patient_id, patients_alertacknowledgement.kind",
        event_key=first.event_key,
    )
    assert_refused(second, "alert_ack_kind_valid", kind="gossip")
    assert_refused(second, "alert_ack_event_key_not_blank", event_key="")
