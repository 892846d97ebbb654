"""Adherence of a caseload: its plans and per-day session counts (kept as sessions are logged)
read in three queries whatever its size, then counted by the rules of `patients.adherence`."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from prescriptions.models import Plan, PlanPause

from ..adherence import WINDOWS, Adherence, DayAdherence, PlanSchedule, daily_counts, window_start
from ..models import SessionDayCount
from ..summary import IdIn


def schedules_for_patients(
    *, patient_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[int, list[PlanSchedule]]:
    """The patients' plans that overlap `start`..`end`, with the pauses that overlap it, in two
    queries. Plans of every status are read: their dates say which days they prescribe."""
    patient_ids = list(patient_ids)
    if not patient_ids:
        return {}
    plans = list(
        Plan.objects.filter(IdIn("patient_id", patient_ids), start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .order_by("patient_id", "start_date", "id")
        .values_list(
            "id", "patient_id", "start_date", "end_date", "times_per_day", "weekdays", "status"
        )
    )
    pauses = defaultdict(list)
    if plans:
        rows = (
            PlanPause.objects.filter(IdIn("plan_id", [row[0] for row in plans]), paused_on__lte=end)
            .filter(Q(resumed_on__isnull=True) | Q(resumed_on__gt=start))
            .order_by("plan_id", "paused_on")
            .values_list("plan_id", "paused_on", "resumed_on")
        )
        for plan_id, paused_on, resumed_on in rows:
            pauses[plan_id].append((paused_on, resumed_on))
    result: dict[int, list[PlanSchedule]] = defaultdict(list)
    for plan_id, patient_id, start_date, end_date, times, weekdays, status in plans:
        result[patient_id].append(
            PlanSchedule(
                plan_id=plan_id,
                start_date=start_date,
                end_date=end_date,
                times_per_day=times,
                weekdays=weekdays,
                pauses=tuple(pauses[plan_id]),
                status=status,
                patient_id=patient_id,
            )
        )
    return dict(result)


def done_counts_for_plans(
    *, plan_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> dict[tuple[int, datetime.date], int]:
    """Sessions logged per (plan, clinic-local day) from `start` to `end`: one row per plan and
    day, never one per session."""
    plan_ids = list(plan_ids)
    if not plan_ids:
        return {}
    # The counts are kept as sessions are logged (`patients.summary`): a few rows per plan and
    # window, read off the (plan, day) key.
    rows = SessionDayCount.objects.filter(IdIn("plan_id", plan_ids), day__range=(start, end))
    rows = rows.values_list("plan_id", "day", "sessions")
    return {(plan_id, day): sessions for plan_id, day, sessions in rows}


def adherence_for_patients(
    *,
    patient_ids: Iterable[int],
    today: datetime.date,
    windows: Iterable[int] = WINDOWS,
    with_days: bool = True,
) -> dict[int, dict[int, Adherence]]:
    """Adherence of each patient over each window of days ending `today` (the clinic's date,
    `Clinic.today()`): `{patient_id: {7: Adherence, 30: Adherence}}`, with an entry for every
    patient asked about, ratio None when nothing was prescribed.

    Three queries whatever the number of patients (none for no patients): the plans overlapping
    the widest window, their pauses, and the sessions per plan and day (kept as they are
    logged, `SessionDayCount`). The
    per-day cap then runs over those (plan, day) rows, at most plans × days of them.
    Each `Adherence.days` holds the window's days for a heat map, unless `with_days` is False
    (a caseload's totals need only the counts)."""
    patient_ids = list(dict.fromkeys(patient_ids))
    windows = sorted(set(windows))
    if not patient_ids or not windows:
        return {patient_id: {} for patient_id in patient_ids}
    earliest = window_start(today, windows[-1])
    schedules = schedules_for_patients(patient_ids=patient_ids, start=earliest, end=today)
    done_counts = done_counts_for_plans(
        plan_ids=[plan.plan_id for plans in schedules.values() for plan in plans],
        start=earliest,
        end=today,
    )
    result = {}
    for patient_id in patient_ids:
        done, prescribed = daily_counts(schedules.get(patient_id, ()), done_counts, earliest, today)
        days = ()
        if with_days:
            days = tuple(
                DayAdherence(
                    day=earliest + datetime.timedelta(days=index),
                    done=done[index],
                    prescribed=count,
                )
                for index, count in enumerate(prescribed)
            )
        result[patient_id] = {}
        for window in windows:
            first = len(prescribed) - window
            result[patient_id][window] = Adherence(
                done=sum(done[first:]),
                prescribed=sum(prescribed[first:]),
                start=window_start(today, window),
                end=today,
                days=days[first:],
                end_prescribed=prescribed[-1],
            )
    return result
