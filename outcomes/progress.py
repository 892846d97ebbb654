"""Where a patient stands on each measure: the baseline (their first score), the latest score,
the change and its verdict; and when their next PSFS is due. Pure functions on plain values,
shared by the services (which keep the results for the scheduler and the caseload) and the
selectors (which show them)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from .scores import SCALES, Scale, scale_verdict


@dataclass(frozen=True)
class Point:
    on: datetime.date
    value: float
    entry_id: int


@dataclass(frozen=True)
class Progress:
    scale: Scale
    points: tuple[Point, ...] = ()

    @property
    def baseline(self) -> Point | None:
        return self.points[0] if self.points else None

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def change(self) -> float | None:
        if len(self.points) < 2:
            return None
        return self.latest.value - self.baseline.value

    @property
    def verdict(self) -> str | None:
        if len(self.points) < 2:
            return None
        return scale_verdict(self.scale, baseline=self.baseline.value, latest=self.latest.value)


def progress_of(measure: str, points: Iterable[Point]) -> Progress:
    """`points` of one measure, each a current (uncorrected) score, in any order."""
    ordered = sorted(points, key=lambda point: (point.on, point.entry_id))
    return Progress(scale=SCALES[measure], points=tuple(ordered))


def is_worsening(progresses: Iterable[Progress]) -> bool:
    return any(progress.verdict == "worse" for progress in progresses)


def psfs_due_on(
    *,
    has_activities: bool,
    started_on: datetime.date | None,
    last_rated_on: datetime.date | None,
    interval_days: int,
) -> datetime.date | None:
    """The day the next PSFS rating is due: the interval after the last rating, or the day PSFS
    was set up when it has never been rated; None while the patient has no activities."""
    if not has_activities:
        return None
    if last_rated_on is not None:
        return last_rated_on + datetime.timedelta(days=interval_days)
    return started_on
