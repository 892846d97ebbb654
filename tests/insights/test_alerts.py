"""The caseload alerts: each rule fires at the clinic's threshold and not one step short of it,
an acknowledgement hides the alert, and a new event opens it again."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from insights.alerts import Level
from insights.selectors.alerts import alerts_for_patients
from insights.services import alert_acknowledge
from patients.models import AlertAcknowledgement, AlertKind, EntryStatus, SkipReason
from patients.services import EntryInput, pain_report_record, session_log_record
from prescriptions.models import PlanStatus
from prescriptions.services import ItemInput, plan_create, plan_revise, plan_status_change
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientFactory, PatientWithAccountFactory

ONE_DAY = datetime.timedelta(days=1)


# Setting up state through the real services


def today_of(patient) -> datetime.date:
    return patient.clinic.today()


def day(patient, days_ago: int) -> datetime.date:
    return today_of(patient) - datetime.timedelta(days=days_ago)


def moment(patient, on: datetime.date, hour: int = 12) -> datetime.datetime:
    """A time on `on` in the clinic's zone; for today, a moment ago (never in the future)."""
    if on >= today_of(patient):
        return timezone.now() - datetime.timedelta(seconds=1)
    return datetime.datetime.combine(on, datetime.time(hour), tzinfo=patient.clinic.zone)


def prescribe(patient, therapist, *, start_days_ago=20, end_date=None, times_per_day=1, **extra):
    exercise = ExerciseFactory(clinic=patient.clinic)
    return plan_create(
        patient=patient,
        prescribed_by=therapist,
        title=extra.pop("title", "Back spasm relief"),
        start_date=day(patient, start_days_ago),
        end_date=end_date,
        times_per_day=times_per_day,
        items=[ItemInput.from_exercise(exercise)],
        **extra,
    )


def log_session(patient, plan, *, days_ago=0, pain_before=3, pain_after=3, hour=12, **extra):
    items = list(plan.items.all())
    entries = [EntryInput.as_prescribed(item) for item in items]
    if extra.pop("skipped_for_pain", False):
        entries[0] = EntryInput(
            plan_item=items[0],
            status=EntryStatus.SKIPPED,
            sets_done=0,
            repetitions_done=0,
            hold_seconds_done=0,
            skip_reason=SkipReason.PAIN,
        )
    return session_log_record(
        patient=patient,
        plan=plan,
        performed_at=moment(patient, day(patient, days_ago), hour),
        entries=entries,
        client_token=uuid.uuid4(),
        recorded_by=patient.user or plan.prescribed_by,
        pain_before=pain_before,
        pain_after=pain_after,
        **extra,
    )


def report_pain(patient, score, *, days_ago=0, hour=12, red_flags=()):
    return pain_report_record(
        patient=patient,
        score=score,
        recorded_by=patient.user or patient.primary_therapist,
        recorded_at=moment(patient, day(patient, days_ago), hour),
        red_flag_codes=list(red_flags),
    )


def alerts_of(patient, **kwargs):
    return alerts_for_patients(clinic=patient.clinic, patient_ids=[patient.pk], **kwargs)[
        patient.pk
    ]


def open_alert(patient, kind, **kwargs):
    """The patient's open alert of `kind`, or None."""
    found = [alert for alert in alerts_of(patient, **kwargs).open if alert.kind == kind]
    assert len(found) <= 1 or kind == AlertKind.PLAN_ENDING
    return found[0] if found else None


@pytest.fixture
def strict_clinic(clinic):
    """The clinic with thresholds other than the defaults."""
    clinic.alert_pain_at_or_above = 5
    clinic.alert_pain_rise = 3
    clinic.alert_inactive_days = 5
    clinic.alert_adherence_below_percent = 43
    clinic.full_clean()
    clinic.save()
    return clinic


@pytest.fixture
def new_patient(therapist):
    def make(**kwargs):
        return PatientWithAccountFactory(primary_therapist=therapist, **kwargs)

    return make


# High pain


@pytest.mark.parametrize(
    ("threshold", "score", "fires"),
    [(7, 7, True), (7, 6, False), (5, 5, True), (5, 4, False)],
)
def test_a_pain_report_at_the_threshold_raises_high_pain(
    clinic, new_patient, threshold, score, fires
):
    clinic.alert_pain_at_or_above = threshold
    clinic.save()
    patient = new_patient()
    report = report_pain(patient, score)

    alert = open_alert(patient, AlertKind.PAIN_HIGH)

    if not fires:
        assert alert is None
        return
    assert alert.event_key == f"report:{report.pk}"
    assert f"Pain {score}/10 reported" in alert.reason
    assert f"alert level of {threshold}" in alert.reason
    detail = reverse("insights:patient-detail", args=[patient.pk])
    assert alert.evidence_url == f"{detail}#pain-{report.pk}"


def test_a_session_with_pain_at_the_threshold_raises_high_pain_with_its_session(
    strict_clinic, new_patient, therapist
):
    patient = new_patient()
    plan = prescribe(patient, therapist)
    log_session(patient, plan, days_ago=1, pain_before=4, pain_after=4)
    assert open_alert(patient, AlertKind.PAIN_HIGH) is None

    # Pain before the session counts as much as pain after it.
    session = log_session(patient, plan, pain_before=5, pain_after=3)

    alert = open_alert(patient, AlertKind.PAIN_HIGH)
    assert alert.event_key == f"session:{session.pk}"
    assert alert.evidence_url.endswith(f"#session-{session.pk}")
    assert "Pain 5/10 in a session" in alert.reason


def test_high_pain_looks_back_seven_days_and_keeps_the_latest_high_score(clinic, new_patient):
    patient = new_patient()
    report_pain(patient, 9, days_ago=7)
    assert open_alert(patient, AlertKind.PAIN_HIGH) is None

    high = report_pain(patient, 8, days_ago=6)
    report_pain(patient, 3, days_ago=0)  # a lower score since does not hide it

    assert open_alert(patient, AlertKind.PAIN_HIGH).event_key == f"report:{high.pk}"


# Pain rising against the week before


def rising(patient, *, week, latest, latest_days_ago=0):
    for days_ago in (3, 4, 5):
        report_pain(patient, week, days_ago=days_ago + latest_days_ago)
    return report_pain(patient, latest, days_ago=latest_days_ago)


@pytest.mark.parametrize(
    ("strict", "latest", "fires"),
    [(False, 5, True), (False, 4, False), (True, 6, True), (True, 5, False)],
)
def test_pain_up_by_the_threshold_against_the_week_before_raises_pain_rising(
    clinic, strict_clinic_or_not, new_patient, strict, latest, fires
):
    strict_clinic_or_not(strict)
    patient = new_patient()
    report = rising(patient, week=3, latest=latest)

    alert = open_alert(patient, AlertKind.PAIN_RISE)

    if not fires:
        assert alert is None
        return
    assert alert.event_key == f"report:{report.pk}"
    assert f"{latest - 3} points above the average of the week before (3)" in alert.reason


@pytest.fixture
def strict_clinic_or_not(request, clinic):
    def choose(strict: bool):
        if strict:
            request.getfixturevalue("strict_clinic")
        return clinic

    return choose


def test_a_rise_older_than_a_week_is_not_an_alert(clinic, new_patient):
    patient = new_patient()
    rising(patient, week=2, latest=6, latest_days_ago=7)
    assert open_alert(patient, AlertKind.PAIN_RISE) is None


def test_a_rise_in_a_session_points_at_the_session(clinic, new_patient, therapist):
    patient = new_patient()
    plan = prescribe(patient, therapist)
    for days_ago in (2, 3, 4):
        log_session(patient, plan, days_ago=days_ago, pain_before=2, pain_after=2)
    session = log_session(patient, plan, pain_before=2, pain_after=4)

    alert = open_alert(patient, AlertKind.PAIN_RISE)

    assert alert.event_key == f"session:{session.pk}"


# Red flags and flagged sessions


@pytest.mark.parametrize(("days_ago", "fires"), [(29, True), (30, False)])
def test_a_red_flag_in_the_last_30_days_raises_an_alert(clinic, new_patient, days_ago, fires):
    patient = new_patient()
    report = report_pain(patient, 4, days_ago=days_ago, red_flags=["night_pain"])
    report_pain(patient, 3, days_ago=0)  # no red flag: does not replace the one above

    alert = open_alert(patient, AlertKind.RED_FLAG)

    if not fires:
        assert alert is None
        return
    assert alert.event_key == f"report:{report.pk}"
    assert "Pain that is worse at night" in alert.reason
    assert "Urgent: contact a doctor today" in alert.reason
    assert alert.evidence_url.endswith(f"#pain-{report.pk}")


@pytest.mark.parametrize(("days_ago", "fires"), [(29, True), (30, False)])
def test_a_flagged_session_in_the_last_30_days_raises_an_alert(
    clinic, new_patient, therapist, days_ago, fires
):
    patient = new_patient()
    plan = prescribe(patient, therapist, start_days_ago=40)
    session = log_session(patient, plan, days_ago=days_ago, skipped_for_pain=True)
    log_session(patient, plan, days_ago=0)
    assert session.is_flagged

    alert = open_alert(patient, AlertKind.SESSION_FLAGGED)

    if not fires:
        assert alert is None
        return
    assert alert.event_key == f"session:{session.pk}"
    assert "an exercise was skipped because of pain" in alert.reason
    # Pain stayed low, so only the flag speaks for this session.
    assert open_alert(patient, AlertKind.PAIN_HIGH) is None


# No recent session


@pytest.mark.parametrize(
    ("strict", "quiet_days", "fires"),
    [(False, 3, True), (False, 2, False), (True, 5, True), (True, 4, False)],
)
def test_days_without_a_session_since_the_last_one(
    strict_clinic_or_not, new_patient, therapist, strict, quiet_days, fires
):
    strict_clinic_or_not(strict)
    patient = new_patient()
    plan = prescribe(patient, therapist, start_days_ago=20)
    log_session(patient, plan, days_ago=quiet_days)

    alert = open_alert(patient, AlertKind.INACTIVE)

    if not fires:
        assert alert is None
        return
    assert alert.event_key == f"since:{day(patient, quiet_days).isoformat()}"
    assert f"No session for {quiet_days} days" in alert.reason


@pytest.mark.parametrize(("started_days_ago", "fires"), [(3, True), (2, False)])
def test_days_without_a_session_count_from_the_plan_start(
    clinic, new_patient, therapist, started_days_ago, fires
):
    patient = new_patient()
    plan = prescribe(patient, therapist, start_days_ago=started_days_ago)

    alert = open_alert(patient, AlertKind.INACTIVE)

    assert (alert is not None) is fires
    if fires:
        assert alert.event_key == f"since:{plan.start_date.isoformat()}"
        assert "since the plan started" in alert.reason


def test_no_inactivity_alert_without_a_running_plan(clinic, new_patient, therapist):
    patient = new_patient()
    paused = prescribe(patient, therapist, start_days_ago=20)
    plan_status_change(plan=paused, status=PlanStatus.PAUSED, changed_by=therapist)
    prescribe(patient, therapist, start_days_ago=-3, title="Starts later")
    prescribe(patient, therapist, start_days_ago=30, end_date=day(patient, 10), title="Ended")

    assert open_alert(patient, AlertKind.INACTIVE) is None


# Low adherence over 7 days


def sessions_done(patient, plan, count):
    """`count` sessions over the 6 days before today, as many a day as the plan prescribes."""
    done = 0
    for days_ago in range(1, 7):
        for _ in range(plan.times_per_day):
            if done == count:
                return
            log_session(patient, plan, days_ago=days_ago, hour=9 + done % 8)
            done += 1


@pytest.mark.parametrize(
    ("threshold", "done", "fires"),
    # Twice a day over the 7 days up to today prescribes 14: 7 done is exactly 50%, 6 done is
    # 42.86%, under 43 but not under 42.
    [(50, 7, False), (50, 6, True), (43, 6, True), (42, 6, False)],
)
def test_adherence_under_the_threshold_over_7_days(
    clinic, new_patient, therapist, threshold, done, fires
):
    clinic.alert_adherence_below_percent = threshold
    clinic.save()
    patient = new_patient()
    plan = prescribe(patient, therapist, start_days_ago=20, times_per_day=2)
    sessions_done(patient, plan, done)

    alert = open_alert(patient, AlertKind.LOW_ADHERENCE)

    if not fires:
        assert alert is None
        return
    year, week, _ = today_of(patient).isocalendar()
    assert alert.event_key == f"week:{year}-W{week:02d}"
    assert f"({done} of 14 sessions), under the alert level of {threshold}%" in alert.reason


def test_a_plan_that_starts_today_is_not_behind_yet(clinic, new_patient, therapist):
    patient = new_patient()
    prescribe(patient, therapist, start_days_ago=0)

    assert alerts_of(patient).open == []


# Plans ending


@pytest.mark.parametrize(("days_left", "fires"), [(0, True), (7, True), (8, False)])
def test_a_plan_ending_within_7_days(clinic, new_patient, therapist, days_left, fires):
    patient = new_patient()
    plan = prescribe(patient, therapist, end_date=day(patient, -days_left))

    alert = open_alert(patient, AlertKind.PLAN_ENDING)

    if not fires:
        assert alert is None
        return
    assert alert.event_key == f"plan:{plan.pk}:{plan.end_date.isoformat()}"
    assert alert.evidence_url == reverse("prescriptions:plan-detail", args=[plan.pk])
    expected = "ends today." if days_left == 0 else f"in {days_left} days."
    assert expected in alert.reason


# Acknowledging, and reopening on a new event


def test_acknowledging_hides_the_alert_and_keeps_who_when_and_the_note(
    clinic, new_patient, colleague
):
    patient = new_patient()
    report_pain(patient, 8)
    alert = open_alert(patient, AlertKind.PAIN_HIGH)

    acknowledgement = alert_acknowledge(
        clinic=clinic,
        patient=patient,
        kind=alert.kind,
        event_key=alert.event_key,
        acknowledged_by=colleague,
        note="  Phoned: flare-up after gardening, resting today.  ",
    )

    assert open_alert(patient, AlertKind.PAIN_HIGH) is None
    [seen] = alerts_of(patient).acknowledged
    assert seen.acknowledgement == acknowledgement
    assert acknowledgement.acknowledged_by == colleague
    assert acknowledgement.note == "Phoned: flare-up after gardening, resting today."
    assert timezone.now() - acknowledgement.acknowledged_at < datetime.timedelta(minutes=1)


def test_a_new_high_score_reopens_the_alert(clinic, new_patient, therapist):
    patient = new_patient()
    report_pain(patient, 8, days_ago=1)
    alert = open_alert(patient, AlertKind.PAIN_HIGH)
    alert_acknowledge(
        clinic=clinic,
        patient=patient,
        kind=alert.kind,
        event_key=alert.event_key,
        acknowledged_by=therapist,
        note="",
    )
    report_pain(patient, 5)
    assert open_alert(patient, AlertKind.PAIN_HIGH) is None

    newer = report_pain(patient, 9)

    reopened = open_alert(patient, AlertKind.PAIN_HIGH)
    assert reopened.event_key == f"report:{newer.pk}"
    assert AlertAcknowledgement.objects.filter(patient=patient).count() == 1


def test_a_new_quiet_spell_reopens_the_inactivity_alert(clinic, new_patient, therapist):
    patient = new_patient()
    plan = prescribe(patient, therapist, start_days_ago=20)
    log_session(patient, plan, days_ago=6)
    alert = open_alert(patient, AlertKind.INACTIVE)
    alert_acknowledge(
        clinic=clinic,
        patient=patient,
        kind=alert.kind,
        event_key=alert.event_key,
        acknowledged_by=therapist,
    )
    assert open_alert(patient, AlertKind.INACTIVE) is None

    log_session(patient, plan, days_ago=4)

    assert open_alert(patient, AlertKind.INACTIVE).event_key == f"since:{day(patient, 4)}"


def test_a_low_adherence_acknowledgement_holds_for_the_rest_of_the_week(
    clinic, new_patient, therapist
):
    patient = new_patient()
    prescribe(patient, therapist, start_days_ago=20)
    alert = open_alert(patient, AlertKind.LOW_ADHERENCE)
    alert_acknowledge(
        clinic=clinic,
        patient=patient,
        kind=alert.kind,
        event_key=alert.event_key,
        acknowledged_by=therapist,
    )
    today = today_of(patient)
    sunday = today + datetime.timedelta(days=6 - today.weekday())
    next_monday = sunday + ONE_DAY

    assert open_alert(patient, AlertKind.LOW_ADHERENCE, today=sunday) is None
    reopened = open_alert(patient, AlertKind.LOW_ADHERENCE, today=next_monday)
    year, week, _ = next_monday.isocalendar()
    assert reopened.event_key == f"week:{year}-W{week:02d}"


def test_moving_a_plans_end_date_reopens_its_alert(clinic, new_patient, therapist):
    patient = new_patient()
    plan = prescribe(patient, therapist, end_date=day(patient, -5))
    alert = open_alert(patient, AlertKind.PLAN_ENDING)
    alert_acknowledge(
        clinic=clinic,
        patient=patient,
        kind=alert.kind,
        event_key=alert.event_key,
        acknowledged_by=therapist,
    )
    assert open_alert(patient, AlertKind.PLAN_ENDING) is None

    plan_revise(
        plan=plan,
        changed_by=therapist,
        expected_version=plan.version,
        title=plan.title,
        start_date=plan.start_date,
        items=[ItemInput.copy_of(item) for item in plan.items.select_related("exercise")],
        times_per_day=plan.times_per_day,
        weekdays=plan.weekdays,
        end_date=day(patient, -3),
    )

    assert open_alert(patient, AlertKind.PLAN_ENDING).event_key.endswith(
        day(patient, -3).isoformat()
    )


def test_only_a_current_alert_can_be_acknowledged_and_only_once(clinic, new_patient, therapist):
    patient = new_patient()
    report = report_pain(patient, 8)
    with pytest.raises(ValidationError, match="no longer open"):
        alert_acknowledge(
            clinic=clinic,
            patient=patient,
            kind=AlertKind.PAIN_HIGH,
            event_key=f"report:{report.pk + 1}",
            acknowledged_by=therapist,
        )
    first = alert_acknowledge(
        clinic=clinic,
        patient=patient,
        kind=AlertKind.PAIN_HIGH,
        event_key=f"report:{report.pk}",
        acknowledged_by=therapist,
        note="First",
    )
    again = alert_acknowledge(
        clinic=clinic,
        patient=patient,
        kind=AlertKind.PAIN_HIGH,
        event_key=f"report:{report.pk}",
        acknowledged_by=therapist,
        note="Second",
    )
    assert again == first
    assert AlertAcknowledgement.objects.get().note == "First"


def test_the_service_refuses_another_clinics_staff_and_patients(
    clinic, new_patient, stranger, other_clinic
):
    patient = new_patient()
    report = report_pain(patient, 8)
    arguments = {"kind": AlertKind.PAIN_HIGH, "event_key": f"report:{report.pk}"}
    with pytest.raises(ValidationError):
        alert_acknowledge(clinic=clinic, patient=patient, acknowledged_by=stranger, **arguments)
    with pytest.raises(ValidationError):
        alert_acknowledge(
            clinic=other_clinic, patient=patient, acknowledged_by=stranger, **arguments
        )
    with pytest.raises(ValidationError):
        alert_acknowledge(clinic=clinic, patient=patient, acknowledged_by=patient.user, **arguments)
    assert not AlertAcknowledgement.objects.exists()


def test_alerts_ignore_another_clinics_patients(clinic, stranger):
    theirs = PatientFactory(primary_therapist=stranger)
    report_pain(theirs, 9)

    assert alerts_for_patients(clinic=clinic, patient_ids=[theirs.pk]) == {}


# The database's own refusals, for writes that skip the service


def test_the_database_refuses_a_second_acknowledgement_of_one_event_and_bad_values(
    clinic, new_patient, therapist
):
    patient = new_patient()
    report = report_pain(patient, 8)
    first = alert_acknowledge(
        clinic=clinic,
        patient=patient,
        kind=AlertKind.PAIN_HIGH,
        event_key=f"report:{report.pk}",
        acknowledged_by=therapist,
    )
    values = {
        "clinic": clinic,
        "patient": patient,
        "kind": AlertKind.PAIN_HIGH,
        "event_key": first.event_key,
        "acknowledged_by": therapist,
    }
    for refused in (
        {},  # alert_ack_unique_event
        {"kind": "gossip", "event_key": "report:0"},  # alert_ack_kind_valid
        {"event_key": ""},  # alert_ack_event_key_not_blank
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            AlertAcknowledgement.objects.create(**{**values, **refused})
    assert AlertAcknowledgement.objects.count() == 1


# Levels and waiting times: what orders the caseload


def at_midnight(patient, on: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(on, datetime.time.min, tzinfo=patient.clinic.zone)


def test_each_kind_of_alert_has_its_level_and_the_moment_it_has_waited_since(
    clinic, new_patient, therapist
):
    clinic.alert_inactive_days = 3
    clinic.save()
    patient = new_patient()
    plan = prescribe(patient, therapist, start_days_ago=20, end_date=day(patient, -3))
    log_session(patient, plan, days_ago=9, pain_before=2, pain_after=2)
    flagged = log_session(patient, plan, days_ago=5, skipped_for_pain=True, pain_after=2)
    emergency = report_pain(patient, 9, days_ago=4, red_flags=["saddle_numbness", "fever"])

    found = {alert.kind: alert for alert in alerts_of(patient).open}

    red_flag = found[AlertKind.RED_FLAG]
    assert (red_flag.level, red_flag.at) == (Level.EMERGENCY, emergency.recorded_at)
    assert red_flag.summary.startswith("Numbness or tingling") and "and 1 more" in red_flag.summary
    assert found[AlertKind.PAIN_HIGH].level == Level.URGENT
    assert found[AlertKind.PAIN_HIGH].at == emergency.recorded_at
    assert found[AlertKind.PAIN_HIGH].summary.startswith("Pain 9/10 on ")
    assert found[AlertKind.SESSION_FLAGGED].level == Level.URGENT
    assert found[AlertKind.SESSION_FLAGGED].at == flagged.performed_at
    # The pain report 4 days ago is the latest value: 9 against 2 the week before.
    rise = found[AlertKind.PAIN_RISE]
    assert (rise.level, rise.at) == (Level.ATTENTION, emergency.recorded_at)
    inactive = found[AlertKind.INACTIVE]
    assert (inactive.level, inactive.at) == (Level.ATTENTION, at_midnight(patient, day(patient, 5)))
    assert inactive.summary == "No session for 5 days"
    low = found[AlertKind.LOW_ADHERENCE]
    monday = today_of(patient) - datetime.timedelta(days=today_of(patient).weekday())
    assert (low.level, low.at) == (Level.ATTENTION, at_midnight(patient, monday))
    ending = found[AlertKind.PLAN_ENDING]
    # In view since 7 days before the plan's end, 4 days ago.
    assert (ending.level, ending.at) == (Level.NOTICE, at_midnight(patient, day(patient, 4)))
    assert ending.summary == "Plan ends in 3 days"

    assert alerts_of(patient).most_pressing == red_flag


def test_an_urgent_red_flag_is_urgent_and_the_longest_waiting_of_a_level_goes_first(
    clinic, new_patient, therapist
):
    patient = new_patient()
    plan = prescribe(patient, therapist, start_days_ago=20)
    flagged = log_session(patient, plan, days_ago=6, skipped_for_pain=True)
    report_pain(patient, 3, days_ago=1, red_flags=["night_pain"])

    alerts = alerts_of(patient)

    red_flag = open_alert(patient, AlertKind.RED_FLAG)
    assert red_flag.level == Level.URGENT and not red_flag.is_emergency
    # Both urgent: the session stopped six days ago has waited longer than yesterday's flag.
    assert alerts.most_pressing.kind == AlertKind.SESSION_FLAGGED
    assert alerts.most_pressing.at == flagged.performed_at
