"""The patients' summaries: kept by each service in its own transaction, rebuilt by
`summaries_rebuild` (clearing first, idempotent, one clinic or all), and read as of an earlier
day from the logs."""

import datetime
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from insights.selectors.alerts import alerts_for_patients
from insights.selectors.trends import pain_trends_for_patients
from patients import services
from patients.models import PainDay, PatientSummary, SessionDayCount
from patients.selectors.adherence import adherence_for_patients
from patients.services import (
    EntryInput,
    pain_report_record,
    session_log_correct,
    session_log_record,
)
from patients.summary import summaries_rebuild
from prescriptions.services import ItemInput, plan_create
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientWithAccountFactory

ONE_DAY = datetime.timedelta(days=1)


def prescribe(patient, therapist, *, start_days_ago=20):
    return plan_create(
        patient=patient,
        prescribed_by=therapist,
        title="Knee strength",
        start_date=patient.clinic.today() - datetime.timedelta(days=start_days_ago),
        items=[ItemInput.from_exercise(ExerciseFactory(clinic=patient.clinic))],
    )


def log_session(patient, plan, *, days_ago=0, pain_before=3, pain_after=4):
    return session_log_record(
        patient=patient,
        plan=plan,
        performed_at=timezone.now() - datetime.timedelta(days=days_ago, minutes=1),
        entries=[EntryInput.as_prescribed(item) for item in plan.items.all()],
        client_token=uuid.uuid4(),
        recorded_by=patient.user,
        pain_before=pain_before,
        pain_after=pain_after,
    )


def kept(patient) -> tuple:
    return (
        list(PatientSummary.objects.filter(patient=patient).values()),
        list(PainDay.objects.filter(patient=patient).order_by("day").values()),
        list(SessionDayCount.objects.filter(patient=patient).order_by("day").values()),
    )


def without_ids(rows: tuple) -> tuple:
    summaries, pain_days, session_days = rows
    return (
        # The revision is new at every write of a summary, a rebuild's included.
        [{k: v for k, v in row.items() if k != "revision"} for row in summaries],
        [{k: v for k, v in row.items() if k != "id"} for row in pain_days],
        [{k: v for k, v in row.items() if k != "id"} for row in session_days],
    )


@pytest.fixture
def plan(patient, therapist):
    return prescribe(patient, therapist)


def test_logging_a_session_keeps_the_summary_and_the_days(patient, plan):
    session = log_session(patient, plan, pain_before=3, pain_after=6)
    summary = PatientSummary.objects.get(patient=patient)
    assert summary.last_session_at == session.performed_at
    assert summary.pain_latest == 6
    assert (summary.pain_latest_source, summary.pain_latest_id) == ("session", session.pk)
    assert PainDay.objects.get(patient=patient, day=session.performed_on).total == 6
    assert SessionDayCount.objects.get(plan=plan, day=session.performed_on).sessions == 1
    log_session(patient, plan, pain_before=2, pain_after=None)
    assert SessionDayCount.objects.get(plan=plan, day=session.performed_on).sessions == 2
    pain_day = PainDay.objects.get(patient=patient, day=session.performed_on)
    assert (pain_day.total, pain_day.count) == (8, 2)


def test_a_correction_and_a_pain_report_keep_it_too(patient, plan):
    session = log_session(patient, plan, pain_before=3, pain_after=4)
    session_log_correct(session=session, corrected_by=patient.user, pain_after=8)
    summary = PatientSummary.objects.get(patient=patient)
    assert summary.pain_latest == 8
    assert summary.high_session_id == session.pk  # the clinic's threshold is 7
    report = pain_report_record(patient=patient, score=2, recorded_by=patient.user)
    summary.refresh_from_db()
    assert (summary.pain_latest, summary.pain_latest_id) == (2, report.pk)
    assert summary.last_event_on == report.recorded_on


@pytest.mark.parametrize("write", ["session", "correction", "report"])
def test_a_write_that_fails_leaves_the_summary_as_it_was(write, patient, plan, monkeypatch):
    session = log_session(patient, plan, pain_before=3, pain_after=4)
    before = kept(patient)

    def fail(**kwargs):
        # The audit row is written after the summary: failing there undoes the upkeep too.
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(services.audit, "record", fail)
    with pytest.raises(RuntimeError):
        if write == "session":
            log_session(patient, plan, pain_before=9, pain_after=9)
        elif write == "correction":
            session_log_correct(session=session, corrected_by=patient.user, pain_after=9)
        else:
            pain_report_record(patient=patient, score=9, recorded_by=patient.user)
    assert kept(patient) == before


def test_rebuilding_clears_and_rebuilds_and_changes_nothing_kept(patient, plan):
    log_session(patient, plan, days_ago=2, pain_before=5, pain_after=7)
    log_session(patient, plan, days_ago=1, pain_before=4, pain_after=4)
    pain_report_record(patient=patient, score=6, recorded_by=patient.user, red_flag_codes=[])
    before = without_ids(kept(patient))
    # Spoil it: the rebuild must throw away what is there, not add to it.
    PatientSummary.objects.filter(patient=patient).update(pain_latest=0, last_session_at=None)
    PainDay.objects.filter(patient=patient).update(total=99)
    SessionDayCount.objects.filter(patient=patient).delete()
    assert summaries_rebuild() == (1, 5)
    assert without_ids(kept(patient)) == before
    summaries_rebuild()
    assert without_ids(kept(patient)) == before


def test_the_command_rebuilds_one_clinic_and_leaves_the_others(patient, plan, stranger):
    theirs = PatientWithAccountFactory(primary_therapist=stranger)
    their_plan = prescribe(theirs, stranger)
    log_session(patient, plan)
    log_session(theirs, their_plan)
    PatientSummary.objects.update(pain_latest=0)
    out = StringIO()
    call_command("summaries_rebuild", clinic=patient.clinic_id, stdout=out)
    assert "Rebuilt 1 patient summaries" in out.getvalue()
    assert PatientSummary.objects.get(patient=patient).pain_latest == 4
    assert PatientSummary.objects.get(patient=theirs).pain_latest == 0
    call_command("summaries_rebuild", stdout=StringIO())
    assert PatientSummary.objects.get(patient=theirs).pain_latest == 4
    with pytest.raises(CommandError):
        call_command("summaries_rebuild", clinic=999_999, stdout=StringIO())


def test_a_patient_with_nothing_logged_has_no_summary(patient, plan):
    summaries_rebuild()
    assert not PatientSummary.objects.filter(patient=patient).exists()
    today = patient.clinic.today()
    assert (
        pain_trends_for_patients(patient_ids=[patient.pk], today=today)[patient.pk].latest is None
    )
    assert adherence_for_patients(patient_ids=[patient.pk], today=today)[patient.pk][7].done == 0


def test_reading_an_earlier_day_works_it_out_from_the_logs(patient, plan):
    log_session(patient, plan, days_ago=3, pain_before=2, pain_after=2)
    log_session(patient, plan, days_ago=0, pain_before=8, pain_after=8)
    today = patient.clinic.today()
    earlier = today - 2 * ONE_DAY
    trend = pain_trends_for_patients(patient_ids=[patient.pk], today=earlier)[patient.pk]
    assert trend.latest == 2
    assert pain_trends_for_patients(patient_ids=[patient.pk], today=today)[patient.pk].latest == 8
    alerts = alerts_for_patients(clinic=patient.clinic, patient_ids=[patient.pk], today=earlier)
    assert all(alert.kind != "pain_high" for alert in alerts[patient.pk].alerts)


def test_a_new_pain_threshold_applies_to_summaries_written_before_it(patient, plan):
    session = log_session(patient, plan, pain_before=5, pain_after=5)
    today = patient.clinic.today()

    def high_pain_keys():
        alerts = alerts_for_patients(clinic=patient.clinic, patient_ids=[patient.pk], today=today)
        return [a.event_key for a in alerts[patient.pk].alerts if a.kind == "pain_high"]

    assert high_pain_keys() == []
    patient.clinic.alert_pain_at_or_above = 5
    patient.clinic.save(update_fields=["alert_pain_at_or_above"])
    assert high_pain_keys() == [f"session:{session.pk}"]
