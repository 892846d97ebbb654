"""Adherence: sessions completed ÷ sessions prescribed, with every edge of the definition."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from patients.adherence import (
    Adherence,
    DayAdherence,
    PlanSchedule,
    adherence,
    by_week,
    daily,
    prescribed_per_day,
    streak,
    window_start,
)
from patients.selectors.adherence import adherence_for_patients
from prescriptions.models import PlanStatus
from prescriptions.schedule import EVERY_DAY, mask_from_days
from prescriptions.services import plan_status_change
from tests.clinics.factories import ClinicFactory, TherapistFactory
from tests.patients.factories import PatientFactory, SessionLogFactory
from tests.prescriptions.factories import PlanFactory

MONDAY = datetime.date(2026, 3, 2)
SUNDAY = MONDAY + datetime.timedelta(days=6)
MON_WED_FRI = mask_from_days([0, 2, 4])


def day(offset: int) -> datetime.date:
    """The day `offset` days after MONDAY (negative: before it)."""
    return MONDAY + datetime.timedelta(days=offset)


def plan(plan_id=1, **values) -> PlanSchedule:
    values.setdefault("start_date", day(-60))
    values.setdefault("end_date", None)
    values.setdefault("times_per_day", 1)
    values.setdefault("weekdays", EVERY_DAY)
    return PlanSchedule(plan_id=plan_id, **values)


def week(schedules, done=None) -> Adherence:
    """Adherence over the week MONDAY..SUNDAY."""
    return adherence(schedules, done or {}, start=MONDAY, end=SUNDAY)


# The rule for one plan and one day


def test_a_plan_prescribes_times_per_day_on_scheduled_days_inside_its_dates():
    schedule = plan(start_date=day(1), end_date=day(5), times_per_day=2, weekdays=MON_WED_FRI)
    assert [prescribed_per_day(schedule, day(n)) for n in range(7)] == [0, 0, 2, 0, 2, 0, 0]


def test_start_and_end_dates_are_both_days_of_the_plan():
    schedule = plan(start_date=day(2), end_date=day(4))
    assert prescribed_per_day(schedule, day(1)) == 0
    assert prescribed_per_day(schedule, day(2)) == 1
    assert prescribed_per_day(schedule, day(4)) == 1
    assert prescribed_per_day(schedule, day(5)) == 0


def test_a_pause_covers_the_day_it_starts_and_not_the_day_the_plan_resumes():
    schedule = plan(pauses=((day(2), day(4)),))
    assert [prescribed_per_day(schedule, day(n)) for n in range(6)] == [1, 1, 0, 0, 1, 1]


def test_an_open_pause_covers_every_day_from_the_pause_on():
    schedule = plan(pauses=((day(3), None),), status=PlanStatus.PAUSED)
    assert [prescribed_per_day(schedule, day(n)) for n in range(0, 60, 3)] == [1] + [0] * 19


def test_a_pause_resumed_the_day_it_started_covers_nothing():
    schedule = plan(pauses=((day(2), day(2)),))
    assert prescribed_per_day(schedule, day(2)) == 1


# Whole windows


def test_every_session_done_is_100_percent():
    result = week([plan()], {(1, day(n)): 1 for n in range(7)})
    assert (result.done, result.prescribed, result.ratio, result.percent) == (7, 7, 1.0, 100)
    assert result.is_adherent


def test_no_plan_or_nothing_prescribed_is_no_data_not_zero_percent():
    for result in (
        week([]),
        week([], {(1, day(0)): 2}),
        week([plan(start_date=day(10))]),
        week([plan(end_date=day(-1))]),
        week([plan(pauses=((day(-3), None),))]),
    ):
        assert (result.done, result.prescribed) == (0, 0)
        assert result.ratio is None
        assert result.percent is None
        assert result.is_adherent is None


def test_nothing_done_is_zero_percent():
    result = week([plan()])
    assert (result.ratio, result.percent, result.missed) == (0.0, 0, 7)


def test_a_plan_starting_inside_the_window_counts_from_its_start_date():
    # Starts on Thursday: Thursday to Sunday are prescribed. A session before it does not count.
    done = {(1, day(1)): 1, (1, day(3)): 1, (1, day(4)): 1}
    result = week([plan(start_date=day(3))], done)
    assert (result.done, result.prescribed) == (2, 4)
    assert result.percent == 50


def test_a_plan_ending_inside_the_window_counts_up_to_its_end_date():
    done = {(1, day(0)): 1, (1, day(1)): 1, (1, day(5)): 1}
    result = week([plan(end_date=day(1))], done)
    assert (result.done, result.prescribed) == (2, 2)


def test_a_completed_or_discontinued_plan_counts_for_the_days_it_was_active():
    for status in (PlanStatus.COMPLETED, PlanStatus.DISCONTINUED):
        result = week([plan(end_date=day(2), status=status)], {(1, day(0)): 1})
        assert (result.done, result.prescribed) == (1, 3)


def test_paused_days_are_not_prescribed_and_sessions_on_them_do_not_count():
    # Paused Tuesday, resumed Friday: Tuesday to Thursday are out.
    done = {(1, day(n)): 1 for n in (0, 1, 2, 5)}
    result = week([plan(pauses=((day(1), day(4)),))], done)
    assert (result.done, result.prescribed) == (2, 4)


def test_a_plan_still_paused_counts_only_the_days_before_its_pause():
    schedule = plan(pauses=((day(3), None),), status=PlanStatus.PAUSED)
    result = week([schedule], {(1, day(n)): 1 for n in range(7)})
    assert (result.done, result.prescribed) == (3, 3)


def test_twice_a_day_prescribes_two_sessions_a_day():
    done = {(1, day(0)): 2, (1, day(1)): 1, (1, day(2)): 2}
    result = week([plan(times_per_day=2)], done)
    assert (result.done, result.prescribed) == (5, 14)
    assert result.percent == 36


def test_extra_sessions_on_one_day_do_not_make_up_for_other_days():
    once = week([plan()], {(1, day(0)): 5})
    assert (once.done, once.prescribed) == (1, 7)
    twice = week([plan(times_per_day=2)], {(1, day(0)): 5, (1, day(1)): 3})
    assert (twice.done, twice.prescribed) == (4, 14)


def test_a_mon_wed_fri_schedule_prescribes_three_days_a_week():
    schedule = plan(weekdays=MON_WED_FRI)
    result = week([schedule], {(1, day(0)): 1, (1, day(2)): 1, (1, day(4)): 1})
    assert (result.done, result.prescribed, result.percent) == (3, 3, 100)
    month = adherence([schedule], {}, start=day(0), end=day(27))
    assert month.prescribed == 12


def test_sessions_on_unscheduled_days_do_not_count():
    schedule = plan(weekdays=MON_WED_FRI)
    result = week([schedule], {(1, day(n)): 1 for n in (1, 3, 5, 6)})
    assert (result.done, result.prescribed) == (0, 3)


def test_two_plans_at_once_add_up_and_each_is_capped_on_its_own():
    daily_plan = plan(1)
    mwf_twice = plan(2, weekdays=MON_WED_FRI, times_per_day=2)
    # Plan 2's extra sessions on Monday do not fill plan 1's missed Tuesday.
    done = {(1, day(0)): 1, (2, day(0)): 4, (2, day(2)): 2, (1, day(2)): 1}
    result = week([daily_plan, mwf_twice], done)
    assert result.prescribed == 7 + 6
    assert result.done == 2 + 4
    assert result.percent == 46


def test_sessions_of_a_plan_not_given_are_ignored():
    result = week([plan(1)], {(1, day(0)): 1, (99, day(1)): 1})
    assert (result.done, result.prescribed) == (1, 7)


@pytest.mark.parametrize(
    ("done", "prescribed", "percent", "adherent"),
    [(5, 8, 63, False), (2, 3, 67, False), (1, 3, 33, False), (4, 5, 80, True), (1, 200, 1, False)],
)
def test_percent_rounds_half_up(done, prescribed, percent, adherent):
    result = Adherence(done=done, prescribed=prescribed)
    assert result.percent == percent
    assert result.is_adherent is adherent


def test_daily_gives_each_day_for_a_heat_map():
    schedule = plan(weekdays=MON_WED_FRI, times_per_day=2, pauses=((day(4), day(5)),))
    days = daily([schedule], {(schedule.plan_id, day(0)): 3, (1, day(1)): 1}, day(0), day(4))
    assert days == [
        DayAdherence(day(0), 2, 2),
        DayAdherence(day(1), 0, 0),
        DayAdherence(day(2), 0, 2),
        DayAdherence(day(3), 0, 0),
        DayAdherence(day(4), 0, 0),
    ]
    assert days[0].is_complete and days[0].ratio == 1.0
    assert not days[1].is_scheduled and days[1].ratio is None
    assert days[2].ratio == 0.0


def test_the_window_ends_today_and_includes_it():
    assert window_start(SUNDAY, 7) == MONDAY
    assert window_start(SUNDAY, 1) == SUNDAY
    with pytest.raises(ValueError):
        window_start(SUNDAY, 0)


# The selector over the database


def log(plan, on: datetime.date, times: int = 1):
    for hour in range(times):
        at = datetime.datetime.combine(on, datetime.time(8 + hour), plan.clinic.zone)
        SessionLogFactory(plan=plan, performed_at=at)


def test_the_selector_counts_like_the_pure_functions(therapist):
    today = SUNDAY + datetime.timedelta(days=21)
    patient = PatientFactory(primary_therapist=therapist)
    main = PlanFactory(patient=patient, prescribed_by=therapist, start_date=day(-40))
    extra = PlanFactory(
        patient=patient,
        prescribed_by=therapist,
        start_date=day(3),
        times_per_day=2,
        weekdays=MON_WED_FRI,
    )
    finished = PlanFactory(patient=patient, prescribed_by=therapist, start_date=day(-90))
    plan_status_change(plan=main, status=PlanStatus.PAUSED, changed_by=therapist, on=day(10))
    plan_status_change(plan=main, status=PlanStatus.ACTIVE, changed_by=therapist, on=day(13))
    plan_status_change(plan=extra, status=PlanStatus.PAUSED, changed_by=therapist, on=day(25))
    plan_status_change(plan=finished, status=PlanStatus.COMPLETED, changed_by=therapist, on=day(5))
    for n in range(-5, 28):
        log(main, day(n), times=1 + n % 3)  # 1 to 3 a day: extras must be capped
        if n % 4 == 1:
            log(extra, day(n), times=2)
        if n % 4 == 0:
            log(finished, day(n))

    result = adherence_for_patients(patient_ids=[patient.pk], today=today)[patient.pk]

    for plan_ in (main, extra, finished):
        plan_.refresh_from_db()
    schedules = [PlanSchedule.from_plan(each) for each in (main, extra, finished)]
    done = {}
    for session in patient.sessions.all():
        key = (session.plan_id, session.performed_on)
        done[key] = done.get(key, 0) + 1
    for window in (7, 30):
        expected = adherence(schedules, done, start=window_start(today, window), end=today)
        assert result[window] == expected
        assert result[window].days == expected.days
        assert result[window].prescribed > 0
    # The 7 days to today (day 21 to day 27) by hand: main once a day, done every day (up to 3
    # times); extra twice on Monday 21 and Wednesday 23, paused from Friday 25, done only on
    # day 21 (and day 25, paused); finished ended on day 5.
    assert result[7].prescribed == 7 + 2 * 2
    assert result[7].done == 7 + 2


def test_the_selector_answers_for_every_patient_asked_about(therapist):
    today = SUNDAY
    with_plan = PlanFactory(prescribed_by=therapist, start_date=day(0))
    log(with_plan, day(6))
    without = PatientFactory(primary_therapist=therapist)
    result = adherence_for_patients(
        patient_ids=[with_plan.patient_id, without.pk], today=today, windows=(7,)
    )
    assert result[with_plan.patient_id][7] == Adherence(1, 7, MONDAY, SUNDAY)
    assert result[without.pk][7].prescribed == 0
    assert result[without.pk][7].percent is None
    assert adherence_for_patients(patient_ids=[], today=today) == {}


def test_the_selector_ignores_sessions_after_today_and_plans_not_yet_started(therapist):
    started = PlanFactory(prescribed_by=therapist, start_date=day(0))
    later = PlanFactory(patient=started.patient, prescribed_by=therapist, start_date=day(10))
    log(started, day(6))
    log(started, day(7))
    log(later, day(10))
    result = adherence_for_patients(patient_ids=[started.patient_id], today=SUNDAY)
    assert (result[started.patient_id][7].done, result[started.patient_id][7].prescribed) == (1, 7)


@pytest.mark.parametrize("caseload", [3, 30])
def test_the_selector_runs_the_same_queries_for_any_caseload(
    caseload, therapist, django_assert_max_num_queries
):
    ids = []
    for n in range(caseload):
        plan_ = PlanFactory(prescribed_by=therapist, start_date=day(-30), times_per_day=2)
        PlanFactory(patient=plan_.patient, prescribed_by=therapist, start_date=day(-3))
        plan_status_change(plan=plan_, status=PlanStatus.PAUSED, changed_by=therapist, on=day(n))
        log(plan_, SUNDAY, times=2)
        ids.append(plan_.patient_id)

    with django_assert_max_num_queries(3):  # plans, their pauses, sessions per plan and day
        result = adherence_for_patients(patient_ids=ids, today=SUNDAY)

    assert len(result) == caseload
    assert all(result[pk][7].prescribed > 0 and result[pk][30].prescribed > 0 for pk in ids)


# The clinic's time zone decides what "today" is


def test_the_clinics_time_zone_decides_today_and_so_the_window(db):
    # 20:00 UTC on Sunday 8 March 2026 is already Monday 9 March in Auckland (UTC+13) but
    # still Sunday 8 March in Los Angeles (UTC-7, daylight time from that morning).
    instant = datetime.datetime(2026, 3, 8, 20, 0, tzinfo=datetime.UTC)
    auckland = ClinicFactory(name="Auckland Physio", time_zone="Pacific/Auckland")
    los_angeles = ClinicFactory(name="LA Physio", time_zone="America/Los_Angeles")
    with mock.patch("django.utils.timezone.now", return_value=instant):
        assert timezone.now() == instant
        auckland_today, la_today = auckland.today(), los_angeles.today()
    assert auckland_today == datetime.date(2026, 3, 9)
    assert la_today == datetime.date(2026, 3, 8)

    results = {}
    for clinic, today in ((auckland, auckland_today), (los_angeles, la_today)):
        therapist = TherapistFactory(clinic=clinic)
        # The same prescription in both clinics: once a day, Mondays only, from 9 March.
        plan_ = PlanFactory(
            prescribed_by=therapist, start_date=datetime.date(2026, 3, 9), weekdays=0b1
        )
        log(plan_, datetime.date(2026, 3, 9))
        results[clinic.time_zone] = adherence_for_patients(
            patient_ids=[plan_.patient_id], today=today, windows=(7,)
        )[plan_.patient_id][7]

    # In Auckland today is the plan's first Monday: one session prescribed, and done.
    assert results["Pacific/Auckland"] == Adherence(1, 1, datetime.date(2026, 3, 3), auckland_today)
    # In Los Angeles that Monday has not come yet: nothing prescribed, no data.
    assert results["America/Los_Angeles"].prescribed == 0
    assert results["America/Los_Angeles"].percent is None
    assert results["America/Los_Angeles"].end == la_today


# daily() walks each plan over its own days for speed; the plain rule is prescribed_per_day.
# Random plans, pauses and logs must give the same days by both.
_days_strategy = st.integers(min_value=-40, max_value=40)


@st.composite
def _schedules(draw):
    schedules = []
    for plan_id in range(1, draw(st.integers(min_value=0, max_value=3)) + 1):
        start = draw(_days_strategy)
        end = draw(st.one_of(st.none(), st.integers(min_value=start, max_value=60)))
        pauses = []
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            paused = draw(_days_strategy)
            resumed = draw(st.one_of(st.none(), st.integers(min_value=paused + 1, max_value=60)))
            pauses.append((day(paused), None if resumed is None else day(resumed)))
        schedules.append(
            plan(
                plan_id,
                start_date=day(start),
                end_date=None if end is None else day(end),
                times_per_day=draw(st.integers(min_value=1, max_value=3)),
                weekdays=draw(st.integers(min_value=0, max_value=EVERY_DAY)),
                pauses=tuple(pauses),
            )
        )
    return schedules


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(
    schedules=_schedules(),
    logged=st.dictionaries(
        st.tuples(st.integers(min_value=1, max_value=4), _days_strategy),
        st.integers(min_value=1, max_value=5),
        max_size=30,
    ),
    start=st.integers(min_value=-20, max_value=20),
    length=st.integers(min_value=0, max_value=45),
)
def test_daily_matches_the_rule_day_by_day(schedules, logged, start, length):
    done_counts = {(plan_id, day(offset)): count for (plan_id, offset), count in logged.items()}
    first, last = day(start), day(start + length - 1)
    expected = []
    current = first
    while current <= last:
        wanted = {each.plan_id: prescribed_per_day(each, current) for each in schedules}
        expected.append(
            DayAdherence(
                current,
                sum(
                    min(done_counts.get((plan_id, current), 0), n) for plan_id, n in wanted.items()
                ),
                sum(wanted.values()),
            )
        )
        current += datetime.timedelta(days=1)
    assert daily(schedules, done_counts, first, last) == expected


# The patient's streak and weeks


def days_of(*marks, last=SUNDAY):
    """Consecutive days ending `last`, from marks: "x" complete, "-" missed, "." rest day,
    "/" one of two done."""
    first = last - datetime.timedelta(days=len(marks) - 1)
    table = {"x": (1, 1), "-": (0, 1), ".": (0, 0), "/": (1, 2)}
    return [
        DayAdherence(
            day=first + datetime.timedelta(days=index), done=table[m][0], prescribed=table[m][1]
        )
        for index, m in enumerate(marks)
    ]


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        ("xxx", 3),
        ("-xx", 2),
        ("x.x.x", 3),  # rest days neither count nor break it
        ("xx-", 2),  # today is still going on: not done yet does not break it
        ("xx/", 2),  # nor does one of two sessions so far
        ("x-x/", 1),
        ("", 0),
        ("---", 0),
        ("..", 0),
    ],
)
def test_the_streak_counts_complete_scheduled_days_back_from_today(marks, expected):
    assert streak(days_of(*marks), today=SUNDAY) == expected


def test_days_are_grouped_into_calendar_weeks():
    days = days_of(*"x-x" + "x.x-x.." + "/x", last=MONDAY + datetime.timedelta(days=8))
    weeks = by_week(days)
    assert [week.monday for week in weeks] == [
        MONDAY - datetime.timedelta(days=7),
        MONDAY,
        MONDAY + datetime.timedelta(days=7),
    ]
    assert [(week.adherence.done, week.adherence.prescribed) for week in weeks] == [
        (2, 3),
        (3, 4),
        (2, 3),
    ]
