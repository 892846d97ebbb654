"""Adherence: sessions completed ÷ sessions prescribed over a window of days (DOMAIN.md).

The rules, in one place:

- A plan prescribes `times_per_day` sessions on each of its scheduled weekdays from `start_date`
  to `end_date` (both inclusive; no end date means open-ended), except on paused days. A pause
  covers `paused_on <= day < resumed_on`; a pause with no `resumed_on` is still going on, so it
  covers every day from `paused_on` on.
- The dates decide, not the plan's current status: `plan_status_change` records every status
  change as dates. Completing or discontinuing a plan sets its `end_date`, so a completed or
  discontinued plan still counts for the days it was active and none after. Pausing opens a
  PlanPause, so a plan that is paused now counts up to the day before it was paused and not
  from then on; when it resumes, the days in between stay out.
- Completed sessions count per plan and day, at most `times_per_day` of them: extra sessions on
  one day do not make up for missed days, and sessions on a day the plan does not prescribe
  (an unscheduled weekday, a paused day, outside the plan's dates) count for nothing.
- Plans followed at the same time add up: two plans once a day prescribe two sessions a day.
- A window of N days ends on "today" (the clinic's calendar date, `Clinic.today()`) and includes
  it, so it covers today and the N - 1 days before; today's sessions count as prescribed from
  the start of the day. Days after today are never prescribed, whatever window is asked for.
- Nothing prescribed (no plan yet, a plan not started, every day paused) gives a ratio of None,
  "no data", rather than 0%.

These functions take plain values, so every edge is tested without a database;
`patients.selectors.adherence.adherence_for_patients` reads a caseload's plans and per-day
session counts in three queries whatever its size and hands them to the same functions.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from prescriptions import schedule
from prescriptions.models import Plan, PlanPause

# Adherence of 80% or more is the usual threshold for "adherent" in trials (DOMAIN.md).
ADHERENT_AT_OR_ABOVE_PERCENT = 80
WINDOWS = (7, 30)

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class PlanSchedule:
    """What adherence needs to know about one plan."""

    plan_id: int
    start_date: datetime.date
    end_date: datetime.date | None
    times_per_day: int
    weekdays: int
    pauses: tuple[tuple[datetime.date, datetime.date | None], ...] = ()
    status: str = ""
    patient_id: int | None = None

    @classmethod
    def from_plan(cls, plan: Plan, pauses: Iterable[PlanPause] | None = None) -> "PlanSchedule":
        """From a Plan; give `pauses` when they are already loaded, else they are read."""
        pauses = plan.pauses.all() if pauses is None else pauses
        return cls(
            plan_id=plan.pk,
            start_date=plan.start_date,
            end_date=plan.end_date,
            times_per_day=plan.times_per_day,
            weekdays=plan.weekdays,
            pauses=tuple((pause.paused_on, pause.resumed_on) for pause in pauses),
            status=plan.status,
            patient_id=plan.patient_id,
        )

    def is_paused_on(self, day: datetime.date) -> bool:
        for paused_on, resumed_on in self.pauses:
            if paused_on <= day and (resumed_on is None or day < resumed_on):
                return True
        return False


@dataclass(frozen=True)
class DayAdherence:
    """One calendar day, for a heat map: sessions that counted and sessions prescribed."""

    day: datetime.date
    done: int
    prescribed: int

    @property
    def ratio(self) -> float | None:
        return self.done / self.prescribed if self.prescribed else None

    @property
    def is_scheduled(self) -> bool:
        return self.prescribed > 0

    @property
    def is_complete(self) -> bool:
        return self.prescribed > 0 and self.done >= self.prescribed


def _percent(done: int, prescribed: int) -> int:
    # Rounded half up in whole numbers, so 62.5% shows as 63% on every platform.
    return (200 * done + prescribed) // (2 * prescribed)


@dataclass(frozen=True)
class Adherence:
    """Sessions that counted over sessions prescribed, from `start` to `end` inclusive."""

    done: int
    prescribed: int
    start: datetime.date | None = None
    end: datetime.date | None = None
    days: tuple[DayAdherence, ...] = field(default=(), repr=False, compare=False)
    # Sessions prescribed on `end` alone: with a window ending today, what is prescribed before
    # today is `prescribed - end_prescribed`, so a plan that starts today is not "behind".
    end_prescribed: int = field(default=0, compare=False)

    @property
    def ratio(self) -> float | None:
        """None when nothing was prescribed: no data, which is not the same as 0%."""
        return self.done / self.prescribed if self.prescribed else None

    @property
    def percent(self) -> int | None:
        return _percent(self.done, self.prescribed) if self.prescribed else None

    @property
    def missed(self) -> int:
        return self.prescribed - self.done

    @property
    def is_adherent(self) -> bool | None:
        if not self.prescribed:
            return None
        return self.done * 100 >= ADHERENT_AT_OR_ABOVE_PERCENT * self.prescribed


def prescribed_per_day(schedule_: PlanSchedule, day: datetime.date) -> int:
    """How many sessions the plan prescribes on `day`: times per day on a scheduled weekday in
    the plan's dates and not paused, else 0."""
    if day < schedule_.start_date:
        return 0
    if schedule_.end_date is not None and day > schedule_.end_date:
        return 0
    if not schedule.is_scheduled(schedule_.weekdays, day):
        return 0
    if schedule_.is_paused_on(day):
        return 0
    return schedule_.times_per_day


def daily_counts(
    schedules: Iterable[PlanSchedule],
    done_counts: Mapping[tuple[int, datetime.date], int],
    start: datetime.date,
    end: datetime.date,
) -> tuple[list[int], list[int]]:
    """Sessions that counted and sessions prescribed on each day from `start` to `end`, as two
    lists indexed by the day's offset from `start`: the same rule as `prescribed_per_day`,
    walked plan by plan over only the days inside each plan's dates, since a dashboard runs
    this for every patient of a clinic."""
    length = max((end - start).days + 1, 0)
    done = [0] * length
    prescribed = [0] * length
    for plan in schedules:
        first = max(start, plan.start_date)
        last = end if plan.end_date is None else min(end, plan.end_date)
        wanted = plan.times_per_day
        offset = (first - start).days
        day = first
        while day <= last:
            if schedule.is_scheduled(plan.weekdays, day) and not plan.is_paused_on(day):
                prescribed[offset] += wanted
                done[offset] += min(done_counts.get((plan.plan_id, day), 0), wanted)
            day += ONE_DAY
            offset += 1
    return done, prescribed


def daily(
    schedules: Iterable[PlanSchedule],
    done_counts: Mapping[tuple[int, datetime.date], int],
    start: datetime.date,
    end: datetime.date,
) -> list[DayAdherence]:
    """Every day from `start` to `end` inclusive, with the sessions that counted (each plan's
    count capped at what it prescribes that day) and the sessions prescribed, summed over the
    plans. `done_counts` maps (plan id, day) to the sessions logged for that plan that day;
    sessions of plans not in `schedules` are ignored."""
    done, prescribed = daily_counts(schedules, done_counts, start, end)
    return [
        DayAdherence(day=start + datetime.timedelta(days=index), done=done[index], prescribed=count)
        for index, count in enumerate(prescribed)
    ]


def adherence(
    schedules: Iterable[PlanSchedule],
    done_counts: Mapping[tuple[int, datetime.date], int],
    *,
    start: datetime.date,
    end: datetime.date,
) -> Adherence:
    """Adherence from `start` to `end` inclusive under the rules in this module's docstring.
    The caller keeps `end` at or before today: this function does not know what day it is."""
    days = daily(schedules, done_counts, start, end)
    return Adherence(
        done=sum(day.done for day in days),
        prescribed=sum(day.prescribed for day in days),
        start=start,
        end=end,
        days=tuple(days),
        end_prescribed=days[-1].prescribed if days else 0,
    )


def window_start(today: datetime.date, days: int) -> datetime.date:
    """The first day of the `days`-day window that ends today (today included)."""
    if days < 1:
        raise ValueError("a window is at least one day long")
    return today - datetime.timedelta(days=days - 1)


def streak(days: Sequence[DayAdherence], today: datetime.date) -> int:
    """Scheduled days in a row, counted back from today, on which every session prescribed was
    done. Days with nothing prescribed (a rest day, a pause) neither count nor break it, and
    today counts once it is complete but never breaks it while it is still going on. `days`
    are consecutive, oldest first, ending no later than today."""
    count = 0
    for day in reversed(days):
        if not day.is_scheduled or day.day > today:
            continue
        if day.is_complete:
            count += 1
        elif day.day != today:
            break
    return count


@dataclass(frozen=True)
class WeekAdherence:
    """A calendar week, Monday to Sunday, or the part of it inside the days given."""

    monday: datetime.date
    adherence: Adherence


def by_week(days: Sequence[DayAdherence]) -> list[WeekAdherence]:
    """`days` (consecutive, oldest first) grouped into calendar weeks, oldest first."""
    weeks: dict[datetime.date, list[DayAdherence]] = {}
    for day in days:
        weeks.setdefault(day.day - datetime.timedelta(days=day.day.weekday()), []).append(day)
    return [
        WeekAdherence(
            monday=monday,
            adherence=Adherence(
                done=sum(day.done for day in week),
                prescribed=sum(day.prescribed for day in week),
                start=week[0].day,
                end=week[-1].day,
                days=tuple(week),
            ),
        )
        for monday, week in weeks.items()
    ]
