import datetime
import uuid
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patients.models import EntryStatus, SessionLog, SkipReason
from patients.red_flags import Severity
from patients.services import (
    EntryInput,
    pain_report_record,
    patient_account_create,
    patient_create,
    session_log_record,
)
from tests.prescriptions.factories import PlanFactory, PlanItemFactory


@pytest.fixture
def plan(patient, therapist):
    plan = PlanFactory(patient=patient, prescribed_by=therapist)
    PlanItemFactory(plan=plan, hold_seconds=30, repetitions=3)
    PlanItemFactory(plan=plan, hold_seconds=30, repetitions=3)
    return plan


def record(plan_, token=None, **overrides):
    plan = plan_
    values = {
        "patient": plan.patient,
        "plan": plan,
        "performed_at": timezone.now() - datetime.timedelta(hours=1),
        "entries": [EntryInput.as_prescribed(item) for item in plan.items.all()],
        "client_token": token or uuid.uuid4(),
        "recorded_by": plan.patient.user,
        "pain_before": 4,
        "pain_after": 3,
    }
    values.update(overrides)
    return session_log_record(**values)


def test_the_same_client_token_twice_records_one_session(plan):
    token = uuid.uuid4()
    first = record(plan, token)
    second = record(plan, token, pain_after=9)
    assert first.pk == second.pk
    assert SessionLog.objects.count() == 1
    assert first.entries.count() == 2
    assert not second.is_flagged


def test_a_log_keeps_the_dose_prescribed_when_it_was_done(plan):
    session = record(plan)
    item = plan.items.first()
    item.hold_seconds = 60
    item.save()
    entry = session.entries.get(plan_item=item)
    assert entry.prescribed_hold_seconds == 30
    assert session.plan_version == plan.version


@pytest.mark.parametrize(
    ("before", "after", "skip_for_pain", "reason"),
    [
        (3, 7, False, "pain reached 7/10"),
        (2, 4, False, "pain rose by 2"),
        (3, 3, True, "skipped because of pain"),
    ],
)
def test_sessions_that_hurt_are_flagged(plan, before, after, skip_for_pain, reason):
    entries = [EntryInput.as_prescribed(item) for item in plan.items.all()]
    if skip_for_pain:
        entries[0] = EntryInput(
            plan_item=entries[0].plan_item,
            status=EntryStatus.SKIPPED,
            sets_done=0,
            repetitions_done=0,
            hold_seconds_done=0,
            skip_reason=SkipReason.PAIN,
        )
    session = record(plan, pain_before=before, pain_after=after, entries=entries)
    assert session.is_flagged
    assert reason in session.flag_reason


def test_a_comfortable_session_is_not_flagged(plan):
    assert not record(plan, pain_before=4, pain_after=5).is_flagged


def test_performed_on_is_the_clinic_local_day(plan):
    clinic = plan.clinic
    clinic.time_zone = "Pacific/Auckland"
    clinic.save()
    plan.patient.clinic.refresh_from_db()
    moment = timezone.now() - datetime.timedelta(hours=2)
    session = record(plan, performed_at=moment)
    assert session.performed_on == moment.astimezone(zoneinfo.ZoneInfo("Pacific/Auckland")).date()


def test_sessions_in_the_future_or_on_another_patients_plan_are_refused(plan, therapist):
    with pytest.raises(ValidationError, match="future"):
        record(plan, performed_at=timezone.now() + datetime.timedelta(minutes=5))
    other_plan = PlanFactory(prescribed_by=therapist)
    PlanItemFactory(plan=other_plan)
    with pytest.raises(ValidationError, match="not one of the patient's plans"):
        record(
            plan,
            plan=other_plan,
            entries=[EntryInput.as_prescribed(i) for i in other_plan.items.all()],
        )
    assert SessionLog.objects.count() == 0


def test_a_paused_plan_takes_no_logs(plan):
    plan.status = "paused"
    plan.save()
    with pytest.raises(ValidationError, match="not active"):
        record(plan)


def test_pain_report_with_red_flags_records_the_worst_severity(patient):
    report = pain_report_record(
        patient=patient,
        score=6,
        recorded_by=patient.user,
        red_flag_codes=["night_pain", "bladder_bowel"],
    )
    assert report.red_flag_severity == Severity.EMERGENCY
    urgent = pain_report_record(
        patient=patient, score=3, recorded_by=patient.user, red_flag_codes=["fever"]
    )
    assert urgent.red_flag_severity == Severity.URGENT
    with pytest.raises(ValidationError):
        pain_report_record(
            patient=patient, score=3, recorded_by=patient.user, red_flag_codes=["made_up"]
        )


def test_patient_create_keeps_the_record_in_the_therapists_clinic(therapist, stranger):
    patient = patient_create(
        clinic=therapist.clinic,
        first_name=" Ada ",
        last_name="Lovelace",
        email="ADA@Example.com",
        primary_therapist=therapist,
    )
    assert (patient.first_name, patient.email) == ("Ada", "ada@example.com")
    with pytest.raises(ValidationError):
        patient_create(
            clinic=therapist.clinic,
            first_name="Bo",
            last_name="Peep",
            primary_therapist=stranger,
        )


def test_patient_account_links_one_login_to_the_same_record(therapist):
    patient = patient_create(
        clinic=therapist.clinic,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        primary_therapist=therapist,
    )
    user = patient_account_create(patient=patient, password="a long walk by the river")
    assert user.is_patient and user.clinic == therapist.clinic
    assert patient.user == user
    with pytest.raises(ValidationError):
        patient_account_create(patient=patient, password="a long walk by the river")


def test_sessions_after_the_plan_ended_or_recorded_by_a_stranger_are_refused(plan, stranger):
    plan.start_date = timezone.localdate() - datetime.timedelta(days=10)
    plan.end_date = timezone.localdate() - datetime.timedelta(days=5)
    plan.save()
    with pytest.raises(ValidationError, match="ended"):
        record(plan)
    with pytest.raises(ValidationError, match="Only the patient or their clinic"):
        record(plan, recorded_by=stranger, performed_at=timezone.now() - datetime.timedelta(days=7))
    assert SessionLog.objects.count() == 0


def test_discharge_completes_running_plans_and_reactivate_restores(plan, therapist):
    from patients.models import PatientStatus
    from patients.services import patient_discharge, patient_reactivate

    patient = patient_discharge(patient=plan.patient, discharged_by=therapist)
    plan.refresh_from_db()
    assert patient.status == PatientStatus.DISCHARGED
    assert patient.discharged_on == plan.clinic.today()
    assert plan.status == "completed" and plan.end_date is not None
    with pytest.raises(ValidationError, match="already discharged"):
        patient_discharge(patient=patient, discharged_by=therapist)
    patient = patient_reactivate(patient=patient, reactivated_by=therapist)
    assert patient.status == PatientStatus.ACTIVE and patient.discharged_on is None
