"""How a patient is doing against their plans, for their own pages: days in a row on plan, the
week so far and week by week, read with the same adherence rules the therapist sees."""

import datetime
from dataclasses import dataclass

from ..adherence import (
    Adherence,
    DayAdherence,
    WeekAdherence,
    by_week,
    daily,
    streak,
    window_start,
)
from ..models import Patient, SessionLog
from .adherence import done_counts_for_plans, schedules_for_patients
from .today import next_scheduled_on

# How far back a streak is looked for: twelve weeks. A longer one shows as "84 or more".
STREAK_DAYS = 84


@dataclass(frozen=True)
class Progress:
    today: datetime.date
    days: list[DayAdherence]  # consecutive, oldest first, ending today
    streak: int
    done_counts: dict[tuple[int, datetime.date], int]  # sessions per (plan, day), uncapped
    # Whether a plan was prescribed before the first of `days`: a streak that reaches back to
    # it may then be longer than the days looked at.
    began_earlier: bool = False

    @property
    def streak_may_be_longer(self) -> bool:
        return (
            self.began_earlier
            and self.streak > 0
            and self.streak >= sum(day.is_scheduled for day in self.days if day.day < self.today)
        )

    @property
    def this_week(self) -> Adherence:
        """This calendar week so far, Monday to today."""
        return by_week(self.days)[-1].adherence

    def weeks(self, first: datetime.date, last: datetime.date) -> list[WeekAdherence]:
        """The calendar weeks from the one holding `first` to the one holding `last`, newest
        first, each with what was prescribed and done up to today."""
        monday = first - datetime.timedelta(days=first.weekday())
        days = [day for day in self.days if monday <= day.day <= last]
        return list(reversed(by_week(days)))

    def done_on(self, plan_id: int, day: datetime.date) -> int:
        return self.done_counts.get((plan_id, day), 0)


def progress_for_patient(*, patient: Patient, since: datetime.date | None = None) -> Progress:
    """The patient's days from `since` (or twelve weeks back, whichever is earlier) to today,
    with their streak: at most three queries, whatever the history (plans, their pauses, and
    sessions counted per plan and day in SQL)."""
    today = patient.clinic.today()
    start = window_start(today, STREAK_DAYS)
    if since is not None:
        start = min(start, since - datetime.timedelta(days=since.weekday()))
    schedules = schedules_for_patients(patient_ids=[patient.pk], start=start, end=today).get(
        patient.pk, []
    )
    done_counts = done_counts_for_plans(
        plan_ids=[plan.plan_id for plan in schedules], start=start, end=today
    )
    days = daily(schedules, done_counts, start, today)
    return Progress(
        today=today,
        days=days,
        streak=streak(days, today),
        done_counts=done_counts,
        began_earlier=any(plan.start_date < start for plan in schedules),
    )


@dataclass(frozen=True)
class SessionDone:
    """What the page after saving a session says: the session, how today stands for its plan,
    the streak and the week, and when the next session is."""

    session: SessionLog
    progress: Progress
    done_today: int
    per_day: int
    is_scheduled_today: bool
    next_on: datetime.date | None

    @property
    def is_today(self) -> bool:
        return self.session.performed_on == self.progress.today

    @property
    def left_today(self) -> int:
        return max(self.per_day - self.done_today, 0) if self.is_scheduled_today else 0


def session_done_page(*, patient: Patient, session: SessionLog) -> SessionDone:
    """Everything the page after a saved session shows, in a fixed number of queries."""
    progress = progress_for_patient(patient=patient)
    plan = session.plan
    today = progress.today
    return SessionDone(
        session=session,
        progress=progress,
        done_today=progress.done_on(plan.pk, today),
        per_day=plan.times_per_day,
        is_scheduled_today=plan.is_scheduled_on(today),
        next_on=next_scheduled_on(plan, today),
    )
