"""The arithmetic of monitoring: 30-day periods in the clinic's local days, the days with
data that fall in them whatever the daylight-saving rules, the bands, and the month's minutes
against the thresholds."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from monitoring.minutes import minutes_progress
from monitoring.periods import Band, band_for, period_number, period_of, periods_between
from monitoring.selectors import data_days, month_end, month_from
from outcomes.services import psfs_activities_add, psfs_record, total_record
from patients.models import Patient
from tests.clinics.factories import ClinicFactory, TherapistFactory
from tests.patients.factories import (
    PainReportFactory,
    PatientFactory,
    PatientWithAccountFactory,
    SessionLogFactory,
)
from tests.prescriptions.factories import PlanFactory

D = datetime.date


def test_periods_are_30_days_counted_from_the_day_monitoring_was_set_up():
    start = D(2026, 1, 31)
    assert period_of(started_on=start, number=1).last_day == D(2026, 3, 1)
    second = period_of(started_on=start, number=2)
    assert (second.first_day, second.last_day) == (D(2026, 3, 2), D(2026, 3, 31))
    assert period_number(started_on=start, day=D(2026, 3, 1)) == 1
    assert period_number(started_on=start, day=D(2026, 3, 2)) == 2
    assert period_number(started_on=start, day=D(2026, 1, 30)) is None
    # Across a leap day and a year end.
    assert period_of(started_on=D(2027, 12, 15), number=3).first_day == D(2028, 2, 13)
    assert period_of(started_on=D(2028, 2, 1), number=1).last_day == D(2028, 3, 1)


def test_days_so_far_and_remaining():
    period = period_of(started_on=D(2026, 3, 1), number=1)
    assert period.days_elapsed(D(2026, 3, 1)) == 1
    assert period.days_remaining(D(2026, 3, 1)) == 29
    assert period.days_elapsed(D(2026, 3, 30)) == 30
    assert period.days_remaining(D(2026, 3, 30)) == 0


def test_periods_overlapping_a_month_stop_where_monitoring_ended():
    found = periods_between(
        started_on=D(2026, 1, 20),
        ended_on=None,
        first_day=D(2026, 3, 1),
        last_day=D(2026, 3, 31),
    )
    assert [(p.number, p.first_day) for p in found] == [(2, D(2026, 2, 19)), (3, D(2026, 3, 21))]
    ended = periods_between(
        started_on=D(2026, 1, 20),
        ended_on=D(2026, 3, 10),
        first_day=D(2026, 3, 1),
        last_day=D(2026, 3, 31),
    )
    assert [p.number for p in ended] == [2]
    assert (
        periods_between(
            started_on=D(2026, 4, 5),
            ended_on=None,
            first_day=D(2026, 3, 1),
            last_day=D(2026, 3, 31),
        )
        == []
    )


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (0, Band.UNDER_2),
        (1, Band.UNDER_2),
        (2, Band.FROM_2_TO_15),
        (15, Band.FROM_2_TO_15),
        (16, Band.FROM_16),
        (30, Band.FROM_16),
    ],
)
def test_band_boundaries(days, band):
    assert band_for(days) is band


@pytest.mark.parametrize(
    ("total", "first", "second", "further", "next_at", "to_go"),
    [
        (0, False, False, 0, 10, 10),
        (9, False, False, 0, 10, 1),
        (10, True, False, 0, 20, 10),
        (19, True, False, 0, 20, 1),
        (20, True, True, 0, 40, 20),
        (39, True, True, 0, 40, 1),
        (40, True, True, 1, 60, 20),
        (47, True, True, 1, 60, 13),
        (59, True, True, 1, 60, 1),
        (60, True, True, 2, 80, 20),
    ],
)
def test_month_minutes_against_the_thresholds(total, first, second, further, next_at, to_go):
    progress = minutes_progress(total)
    assert (progress.reached_first, progress.reached_second) == (first, second)
    assert (progress.further_blocks, progress.next_at, progress.to_go) == (further, next_at, to_go)
    assert progress.further_reached_at == [40 + 20 * n for n in range(further)]


def test_months_are_picked_safely():
    today = D(2026, 3, 14)
    assert month_from("2026-02", today=today) == D(2026, 2, 1)
    assert month_from("2026-13", today=today) == D(2026, 3, 1)
    assert month_from("nonsense", today=today) == D(2026, 3, 1)
    assert month_from("2027-01", today=today) == D(2026, 3, 1)  # not begun yet
    assert month_end(D(2026, 2, 1)) == D(2026, 2, 28)
    assert month_end(D(2028, 2, 1)) == D(2028, 2, 29)
    assert month_end(D(2026, 12, 1)) == D(2026, 12, 31)


def local(zone: str, *parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=zoneinfo.ZoneInfo(zone))


def at_clinic(zone: str):
    clinic = ClinicFactory(name=f"Clinic in {zone}", time_zone=zone)
    therapist = TherapistFactory(clinic=clinic)
    patient = PatientFactory(primary_therapist=therapist)
    return clinic, patient, PlanFactory(patient=patient, prescribed_by=therapist)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "started_on", "last_of_period_1", "late_evening", "just_after_midnight"),
    [
        # Clocks go forward on 8 March 2026 inside period 1.
        (
            "America/New_York",
            D(2026, 2, 20),
            D(2026, 3, 21),
            (2026, 3, 21, 23, 30),
            (2026, 3, 22, 0, 30),
        ),
        # Clocks go back on 1 November 2026 inside period 1.
        (
            "America/New_York",
            D(2026, 10, 10),
            D(2026, 11, 8),
            (2026, 11, 8, 23, 30),
            (2026, 11, 9, 0, 30),
        ),
        # Clocks go forward on 29 March 2026, the day before period 1 ends.
        (
            "Europe/London",
            D(2026, 3, 1),
            D(2026, 3, 30),
            (2026, 3, 30, 23, 30),
            (2026, 3, 31, 0, 30),
        ),
        # Clocks go back on 5 April 2026; UTC is still the day before at these hours.
        (
            "Pacific/Auckland",
            D(2026, 3, 10),
            D(2026, 4, 8),
            (2026, 4, 8, 23, 30),
            (2026, 4, 9, 0, 30),
        ),
    ],
)
def test_a_late_session_counts_on_its_local_day_across_daylight_saving_changes(
    zone, started_on, last_of_period_1, late_evening, just_after_midnight
):
    clinic, patient, plan = at_clinic(zone)
    assert period_of(started_on=started_on, number=1).last_day == last_of_period_1
    SessionLogFactory(plan=plan, performed_at=local(zone, *late_evening))
    SessionLogFactory(
        plan=plan, performed_at=local(zone, *late_evening) - datetime.timedelta(minutes=20)
    )
    PainReportFactory(patient=patient, recorded_at=local(zone, *just_after_midnight))
    # A day before monitoring began does not count.
    SessionLogFactory(
        plan=plan,
        performed_at=local(zone, *started_on.timetuple()[:3], 12) - datetime.timedelta(days=1),
    )
    days = data_days(
        clinic=clinic,
        patient_ids=[patient.pk],
        first_day=started_on,
        last_day=period_of(started_on=started_on, number=2).last_day,
    )[patient.pk]
    assert days == {last_of_period_1, last_of_period_1 + datetime.timedelta(days=1)}
    assert period_number(started_on=started_on, day=min(days)) == 1
    assert period_number(started_on=started_on, day=max(days)) == 2


@pytest.mark.django_db
def test_days_with_data_are_distinct_days_of_either_kind_and_per_patient():
    clinic, patient, plan = at_clinic("America/New_York")
    other = PatientFactory(primary_therapist=patient.primary_therapist)
    for hour in (8, 12, 20):
        SessionLogFactory(plan=plan, performed_at=local(clinic.time_zone, 2026, 3, 2, hour))
    PainReportFactory(patient=patient, recorded_at=local(clinic.time_zone, 2026, 3, 2, 9))
    PainReportFactory(patient=patient, recorded_at=local(clinic.time_zone, 2026, 3, 3, 9))
    days = data_days(
        clinic=clinic,
        patient_ids=[patient.pk, other.pk],
        first_day=D(2026, 3, 1),
        last_day=D(2026, 3, 30),
    )
    assert days[patient.pk] == {D(2026, 3, 2), D(2026, 3, 3)}
    assert other.pk not in days


@pytest.mark.django_db
def test_a_psfs_the_patient_answered_is_a_day_with_data_a_total_copied_in_the_clinic_is_not():
    therapist = TherapistFactory()
    patient = PatientWithAccountFactory(primary_therapist=therapist)
    today = patient.clinic.today()
    Patient.objects.filter(pk=patient.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30)
    )
    patient.refresh_from_db()
    activities = psfs_activities_add(
        patient=patient, names=["Walking", "Stairs", "Sitting"], by=therapist
    )
    psfs_record(
        patient=patient,
        ratings={activity.pk: 4 for activity in activities},
        assessed_on=today - datetime.timedelta(days=3),
        by=patient.user,
    )
    total_record(
        patient=patient,
        measure="odi",
        total=30,
        assessed_on=today - datetime.timedelta(days=2),
        by=therapist,
    )
    days = data_days(
        clinic=patient.clinic,
        patient_ids=[patient.pk],
        first_day=today - datetime.timedelta(days=10),
        last_day=today,
    )
    assert days[patient.pk] == {today - datetime.timedelta(days=3)}
