"""What the demo (`devdata.demo`) and the benchmark (`devdata.bench`) share in making up a
history of home sessions: how a patient's pain moves over their care, the part of the day they
exercise in, how hard a session felt, the entries of a session not done as prescribed, the
token their phone would send, and dating each row when it happened.

Everything random draws on the `random.Random` it is given, in a fixed order, so a generator
seeded the same way writes the same history.
"""

import datetime
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

from django.db.models import F

from clinics.models import Clinic
from patients import pain
from patients.models import Difficulty, EntryStatus, PainReport, SessionLog
from patients.services import EntryInput
from prescriptions.models import PlanItem


def pain_clamped(score: int) -> int:
    """`score` brought onto the pain scale."""
    return max(pain.PAIN.minimum, min(pain.PAIN.maximum, score))


@dataclass(frozen=True)
class PainCourse:
    """How a patient's pain moves over their care: pain before a session drifts from `start`
    to `end` as their care progresses, give or take a point from day to day; pain after is pain
    before plus one of `after_changes`, and no higher than `after_ceiling` (a story that must
    not trip the stop rule by accident keeps it below the stop threshold)."""

    start: float
    end: float
    after_changes: tuple[int, ...] = (-1, 0)
    after_ceiling: int = pain.PAIN.maximum

    def before(self, rng: random.Random, progress: float) -> int:
        """Pain before a session `progress` of the way (0 to 1) through the patient's care."""
        trend = self.start + (self.end - self.start) * progress
        return pain_clamped(round(trend) + rng.choice((-1, 0, 0, 0, 1)))

    def after(self, rng: random.Random, before: int) -> int:
        return min(pain_clamped(before + rng.choice(self.after_changes)), self.after_ceiling)


def days_from(first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    """Every day from `first` to `last`, both included."""
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def progress_on(day: datetime.date, *, start: datetime.date, span_days: int) -> float:
    """How far through a course of care of `span_days` days, begun on `start`, `day` is: from 0
    on the first day to 1 at the end and after."""
    return min((day - start).days / span_days, 1)


@dataclass(frozen=True)
class TimeWindow:
    """A part of the day in which a patient does their exercises or reports their pain."""

    earliest: datetime.time
    latest: datetime.time

    def pick(
        self, rng: random.Random, day: datetime.date, zone: datetime.tzinfo
    ) -> datetime.datetime:
        """A time on `day` in `zone`, on a five-minute mark within the window."""
        earliest, latest = (t.hour * 60 + t.minute for t in (self.earliest, self.latest))
        minutes = rng.randrange(earliest, latest + 1, 5)
        return datetime.datetime.combine(
            day, datetime.time(minutes // 60, minutes % 60), tzinfo=zone
        )


def difficulty_felt(
    rng: random.Random, *, pain_before: int | None, progress: float, too_easy_after: float
) -> str:
    """How hard the patient found a session: too hard early in their care with a lot of pain,
    now and then too easy once past `too_easy_after` of it with little; someone who gave no
    pain score leaves this blank half the time."""
    if pain_before is None:
        return "" if rng.random() < 0.5 else Difficulty.ABOUT_RIGHT
    if progress < 0.25 and pain_before >= 6:
        return Difficulty.TOO_HARD
    if progress > too_easy_after and pain_before <= 3 and rng.random() < 0.3:
        return Difficulty.TOO_EASY
    return Difficulty.ABOUT_RIGHT


def entry_skipped(item: PlanItem, *, reason: str, note: str = "") -> EntryInput:
    return EntryInput(
        plan_item=item,
        status=EntryStatus.SKIPPED,
        sets_done=0,
        repetitions_done=0,
        hold_seconds_done=0,
        skip_reason=reason,
        note=note,
    )


def entry_partial(
    item: PlanItem, *, repetitions_done: int, hold_seconds_done: int, note: str = ""
) -> EntryInput:
    """Every set done, but fewer repetitions or a shorter hold than prescribed."""
    return replace(
        EntryInput.as_prescribed(item),
        status=EntryStatus.PARTIAL,
        repetitions_done=repetitions_done,
        hold_seconds_done=hold_seconds_done,
        note=note,
    )


def client_token(rng: random.Random) -> uuid.UUID:
    """The token a phone sends with a session or a pain report, drawn from `rng`."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def backdate(clinic: Clinic) -> None:
    """Date the clinic's session logs and pain reports when they happened, as rows recorded on
    the day would be. The history is written today but describes the past, and the correction
    window reads `created_at`: undated, every past log would be offered for correction as if
    just made."""
    SessionLog.objects.filter(clinic=clinic).update(created_at=F("performed_at"))
    PainReport.objects.filter(clinic=clinic).update(created_at=F("recorded_at"))
