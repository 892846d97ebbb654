"""Pain trends: baseline, latest, change, the clinically important change, and the SQL selector."""

import datetime
import random

import pytest
from django.utils import timezone

from insights.selectors.trends import pain_trends_for_patients
from patients.trends import Direction, PainTrend, direction_of, is_important_change, pain_trend
from tests.clinics.factories import ClinicFactory, TherapistFactory
from tests.patients.factories import PainReportFactory, PatientFactory, SessionLogFactory
from tests.prescriptions.factories import PlanFactory

FIRST = datetime.date(2026, 3, 2)


def day(offset: int) -> datetime.date:
    return FIRST + datetime.timedelta(days=offset)


def at(offset: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day(offset), datetime.time(hour))


# The clinically important change: 2 points or 30% of the baseline, whichever is reached


@pytest.mark.parametrize(
    ("baseline", "value", "important"),
    [
        (5, 3, True),  # exactly 2 points down
        (5, 7, True),  # exactly 2 points up
        (10, 8, True),  # 2 points, only 20%
        (10, 8.5, False),  # 1.5 points, 15%
        (5, 3.5, True),  # exactly 30% down, under 2 points
        (5, 6.5, True),  # exactly 30% up
        (5, 3.6, False),  # 28%, 1.4 points
        (10 / 3, 10 / 3 - 1, True),  # exactly 30% of an average that is not a whole number
        (3, 3, False),
        (1, 0, True),  # 100% of a low baseline
        (0, 1, False),  # baseline 0: 30% of it is no threshold, only 2 points are
        (0, 2, True),
        (0, 0, False),
    ],
)
def test_important_change_at_the_edges(baseline, value, important):
    assert is_important_change(baseline, value) is important


def test_direction_follows_the_important_change():
    assert direction_of(6, 4) == Direction.IMPROVING
    assert direction_of(4, 6) == Direction.WORSENING
    assert direction_of(6, 5) == Direction.STEADY
    assert direction_of(None, 5) is None
    assert direction_of(5, None) is None


# The trend from plain points


def test_no_data_gives_an_empty_trend_not_zeros():
    trend = pain_trend([], today=day(30))
    assert trend == PainTrend()
    assert trend.baseline is None and trend.latest is None and trend.direction is None
    assert not trend.has_data
    assert trend.direction_label == ""


def test_the_baseline_is_the_average_of_the_first_seven_days_from_the_first_value():
    points = [(day(3), 6), (day(5), 8), (day(9), 7), (day(10), 2), (day(20), 4)]
    trend = pain_trend(points, today=day(20))
    # Days 3 to 9 are the first week; day 10 is not.
    assert trend.baseline == 7.0
    assert trend.baseline_from == day(3)
    assert trend.latest == 4 and trend.latest_at == day(20) and trend.latest_on == day(20)
    assert trend.change == -3.0
    assert trend.direction == Direction.IMPROVING
    assert trend.direction_label == "Improving"


def test_improving_worsening_and_steady_against_the_baseline():
    first_week = [(day(0), 4), (day(1), 4)]
    assert pain_trend([*first_week, (day(10), 2)], today=day(10)).direction == "improving"
    assert pain_trend([*first_week, (day(10), 6)], today=day(10)).direction == "worsening"
    assert pain_trend([*first_week, (day(10), 5)], today=day(10)).direction == "steady"
    # A baseline of 3: one point is 33%, important although under 2 points.
    low = [(day(0), 3), (day(2), 3)]
    assert pain_trend([*low, (day(10), 2)], today=day(10)).direction == "improving"
    assert pain_trend([*low, (day(10), 4)], today=day(10)).direction == "worsening"
    # A baseline of 0: only a rise of 2 counts.
    none = [(day(0), 0)]
    assert pain_trend([*none, (day(10), 1)], today=day(10)).direction == "steady"
    assert pain_trend([*none, (day(10), 2)], today=day(10)).direction == "worsening"


def test_a_single_value_is_its_own_baseline():
    trend = pain_trend([(day(0), 5)], today=day(0))
    assert (trend.baseline, trend.latest, trend.change, trend.direction) == (5.0, 5, 0.0, "steady")


def test_the_seven_day_average_covers_today_and_the_six_days_before():
    points = [(day(0), 9), (day(23), 9), (day(24), 2), (day(27), 3), (day(30), 4)]
    assert pain_trend(points, today=day(30)).seven_day_average == 3.0
    assert pain_trend(points[:2], today=day(30)).seven_day_average is None


def test_the_rise_compares_the_latest_with_the_seven_days_before_its_day():
    points = [
        (day(0), 9),
        (day(21), 9),  # 9 days before the latest day: outside
        (day(23), 2),  # 7 days before: inside
        (day(29), 4),
        (at(30, 8), 5),  # earlier on the latest day: not part of "the days before"
        (at(30, 18), 7),
    ]
    trend = pain_trend(points, today=day(31))
    assert trend.latest == 7 and trend.latest_on == day(30)
    assert trend.rise_vs_week == 4.0
    alone = pain_trend([(day(0), 3), (day(20), 6)], today=day(20))
    assert alone.rise_vs_week is None


def test_the_latest_value_is_the_most_recent_whatever_the_order_given():
    points = [(at(5, 18), 2), (at(5, 7), 8), (day(0), 5)]
    trend = pain_trend(points, today=day(5))
    assert trend.latest == 2 and trend.latest_at == at(5, 18)


def test_values_after_today_are_ignored():
    points = [(day(0), 5), (day(3), 5), (day(4), 9)]
    trend = pain_trend(points, today=day(3))
    assert trend.latest == 5 and trend.baseline == 5.0
    assert pain_trend([(day(4), 9)], today=day(3)) == PainTrend()


def test_the_series_holds_the_last_days_oldest_first():
    points = [(day(0), 5), (at(20, 18), 3), (at(20, 8), 4), (day(29), 6)]
    trend = pain_trend(points, today=day(29), days=10)
    assert trend.series == ((day(20), 4), (day(20), 3), (day(29), 6))
    assert pain_trend(points, today=day(29)).series[0] == (day(0), 5)


# The selector over the database


def session(plan, when: datetime.datetime, before, after):
    aware = timezone.make_aware(when, plan.clinic.zone)
    return SessionLogFactory(plan=plan, performed_at=aware, pain_before=before, pain_after=after)


def report(patient, when: datetime.datetime, score):
    aware = timezone.make_aware(when, patient.clinic.zone)
    return PainReportFactory(patient=patient, recorded_at=aware, score=score)


def test_a_session_counts_its_pain_after_else_its_pain_before_and_reports_count_too(therapist):
    plan = PlanFactory(prescribed_by=therapist, start_date=day(0))
    session(plan, at(0, 8), 6, 4)  # 4
    session(plan, at(1, 8), 5, None)  # 5
    session(plan, at(2, 8), None, None)  # no pain data
    report(plan.patient, at(2, 12), 3)
    session(plan, at(3, 8), None, 2)  # 2
    trend = pain_trends_for_patients(patient_ids=[plan.patient_id], today=day(3))[plan.patient_id]
    assert trend.baseline == (4 + 5 + 3 + 2) / 4
    assert trend.latest == 2
    assert trend.series == ((day(0), 4), (day(1), 5), (day(2), 3), (day(3), 2))


def test_the_baseline_week_starts_at_the_first_value_of_either_kind(therapist):
    plan = PlanFactory(prescribed_by=therapist, start_date=day(0))
    report(plan.patient, at(0, 12), 8)  # pain reported before the first session
    session(plan, at(4, 8), 6, 6)
    session(plan, at(6, 20), 7, 7)
    session(plan, at(7, 8), 1, 1)  # day 7: after the first week
    report(plan.patient, at(15, 12), 3)
    trend = pain_trends_for_patients(patient_ids=[plan.patient_id], today=day(15))[plan.patient_id]
    assert trend.baseline == 7.0
    assert trend.baseline_from == day(0)
    assert trend.latest == 3 and trend.change == -4.0 and trend.direction == "improving"
    assert trend.latest_at == timezone.make_aware(at(15, 12), plan.clinic.zone)


def _points(patient):
    """The patient's pain values as `pain_trend` takes them, in the clinic's time zone."""
    zone = patient.clinic.zone
    points = [
        (
            timezone.localtime(log.performed_at, zone),
            log.pain_before if log.pain_after is None else log.pain_after,
        )
        for log in patient.sessions.all()
        if log.pain_after is not None or log.pain_before is not None
    ]
    points += [
        (timezone.localtime(each.recorded_at, zone), each.score)
        for each in patient.pain_reports.all()
    ]
    return points


def test_the_selector_agrees_with_the_pure_function(therapist):
    rng = random.Random(7)
    patients = []
    for n in range(6):
        plan = PlanFactory(prescribed_by=therapist, start_date=day(0))
        patients.append(plan.patient)
        if n == 5:
            continue  # no pain data at all
        first_session = 3 if n % 2 else 0  # some report pain before their first session
        for offset in range(first_session, 75, 1 + n % 3):
            pain_after = rng.choice([None, rng.randint(0, 10)])
            session(plan, at(offset, 7 + n), rng.randint(0, 10), pain_after)
        for offset in range(0, 80, 4 + n):
            report(plan.patient, at(offset, 13), rng.randint(0, 10))
    today = day(70)  # values logged after it are ignored

    trends = pain_trends_for_patients(patient_ids=[p.pk for p in patients], today=today)

    for patient in patients:
        expected = pain_trend(_points(patient), today=today)
        assert trends[patient.pk] == expected
    assert not trends[patients[5].pk].has_data
    assert all(trends[p.pk].rise_vs_week is not None for p in patients[:5])
    assert {trends[p.pk].direction for p in patients[:5]} - {None}


def test_every_patient_asked_about_gets_a_trend(therapist):
    patient = PatientFactory(primary_therapist=therapist)
    assert pain_trends_for_patients(patient_ids=[patient.pk], today=day(0)) == {
        patient.pk: PainTrend()
    }
    assert pain_trends_for_patients(patient_ids=[], today=day(0)) == {}


@pytest.mark.parametrize("caseload", [3, 30])
def test_the_selector_runs_the_same_queries_for_any_caseload(
    caseload, therapist, django_assert_max_num_queries
):
    ids = []
    for n in range(caseload):
        plan = PlanFactory(prescribed_by=therapist, start_date=day(0))
        session(plan, at(n % 5, 8), 6, 5)
        session(plan, at(20, 8), 6, 3)
        report(plan.patient, at(25, 12), 4)
        ids.append(plan.patient_id)

    # first and latest values, the per-patient windows, the last 7 days, the series
    with django_assert_max_num_queries(4):
        trends = pain_trends_for_patients(patient_ids=ids, today=day(25))

    assert len(trends) == caseload
    assert all(trend.baseline == 5.0 and trend.latest == 4 for trend in trends.values())


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/London"])
def test_the_selector_agrees_with_the_pure_function_around_midnight_far_from_utc(db, zone):
    """Values at every hour, midnight included, in clinics 14 hours ahead of and 11 behind UTC:
    the clinic's day decides the windows, whatever the UTC date of the time."""
    therapist = TherapistFactory(clinic=ClinicFactory(time_zone=zone))
    rng = random.Random(zone)
    patients = []
    for n in range(5):
        plan = PlanFactory(prescribed_by=therapist, start_date=day(0))
        patients.append(plan.patient)
        taken = set()
        for _ in range(25 + 5 * n):
            offset, hour, minute = (
                rng.randint(0, 40),
                rng.choice([0, 1, 11, 22, 23]),
                rng.randint(0, 59),
            )
            if (offset, hour, minute) in taken:
                continue
            taken.add((offset, hour, minute))
            when = datetime.datetime.combine(day(offset), datetime.time(hour, minute))
            if rng.random() < 0.7:
                session(plan, when, rng.randint(0, 10), rng.choice([None, rng.randint(0, 10)]))
            else:
                report(plan.patient, when, rng.randint(0, 10))
    for today in (day(6), day(20), day(38)):
        trends = pain_trends_for_patients(patient_ids=[p.pk for p in patients], today=today)
        for patient in patients:
            assert trends[patient.pk] == pain_trend(_points(patient), today=today), (today, patient)


def test_the_selector_names_the_row_of_the_latest_value_a_session_on_a_tie(therapist):
    plan = PlanFactory(prescribed_by=therapist, start_date=day(0))
    session(plan, at(0, 8), 5, 5)
    first = report(plan.patient, at(1, 8), 6)
    later = report(plan.patient, at(1, 8), 7)  # the same instant: the later row counts
    trend = pain_trends_for_patients(patient_ids=[plan.patient_id], today=day(1))[plan.patient_id]
    assert (trend.latest_source, trend.latest_id, trend.latest) == ("report", later.pk, 7)
    assert first.pk < later.pk

    tied = session(plan, at(2, 8), 4, 3)
    report(plan.patient, at(2, 8), 9)
    trend = pain_trends_for_patients(patient_ids=[plan.patient_id], today=day(2))[plan.patient_id]
    assert (trend.latest_source, trend.latest_id, trend.latest) == ("session", tied.pk, 3)
