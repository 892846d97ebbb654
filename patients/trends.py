"""Pain trends for the therapist: the latest pain, its change against the patient's baseline, and
whether that change is clinically important (DOMAIN.md, "Pain").

Which values count, and how:

- A pain value is a standalone PainReport's `score`, or a session's `pain_after` when it was
  given, else its `pain_before`: one value per session, the pain the session left the patient
  with. Sessions with neither are not pain data.
- Each value sits on the clinic-local day it was recorded (`performed_on`, `recorded_on`);
  "latest" is the most recent by time. Values dated after `today` are ignored.
- **Baseline**: the average of every value in the patient's first week, the 7 days from the
  day of their first value (that day and the 6 after it). It stays fixed however long the
  patient is followed.
- **Change**: latest value minus baseline. It is clinically important when it reaches 2 points
  or 30% of the baseline, either one (Farrar 2001; Ostelo 2008); with a baseline of 0 only the
  2-point rule applies, as any rise at all would be "30% of 0". Down by that much is
  "improving", up by that much "worsening", anything smaller "steady"; None without data.
- **7-day average**: the average of the values from today and the 6 days before.
- **Rise against the week**: the latest value minus the average of the 7 days before the day of
  the latest value (not that day itself), the "pain up by 2 or more" alert's measure; None
  when nothing was recorded in those 7 days.

`pain_trend` does this on plain (when, value) points; `insights.selectors.trends` works the same
numbers out in SQL for a whole caseload in a fixed number of queries.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from patients.pain import IMPORTANT_CHANGE_POINTS, IMPORTANT_CHANGE_RATIO

BASELINE_DAYS = 7
AVERAGE_DAYS = 7
ONE_DAY = datetime.timedelta(days=1)
BASELINE_WEEK = datetime.timedelta(days=BASELINE_DAYS - 1)  # the first day, then six more
BEFORE_LATEST = datetime.timedelta(days=AVERAGE_DAYS)
SERIES_DAYS = 30
# Averages are floats: "exactly 30%" of an average must not miss by a rounding error.
TOLERANCE = 1e-9


class Direction(models.TextChoices):
    IMPROVING = "improving", _("Improving")
    WORSENING = "worsening", _("Worsening")
    STEADY = "steady", _("Steady")


@dataclass(frozen=True)
class PainTrend:
    baseline: float | None = None
    latest: int | None = None
    latest_at: datetime.datetime | datetime.date | None = None
    change: float | None = None
    direction: str | None = None
    seven_day_average: float | None = None
    rise_vs_week: float | None = None
    latest_on: datetime.date | None = None
    # The first day of the baseline week (the day of the patient's first pain value).
    baseline_from: datetime.date | None = None
    # (day, value) from the last `days` days up to today, oldest first, for a sparkline.
    series: tuple[tuple[datetime.date, int], ...] = field(default=(), repr=False)
    # Where the latest value was recorded, "session" or "report", and that row's id: known to
    # the selector, which reads rows, not to `pain_trend`, which is given bare values.
    latest_source: str | None = field(default=None, compare=False)
    latest_id: int | None = field(default=None, compare=False)

    @property
    def has_data(self) -> bool:
        return self.latest is not None

    @property
    def direction_label(self) -> str:
        return Direction(self.direction).label if self.direction else ""


def is_important_change(baseline: float, value: float) -> bool:
    """Whether `value` differs from `baseline` by a clinically important amount: 2 points, or 30%
    of a baseline above 0, either way; exactly 2 points or exactly 30% counts."""
    change = abs(value - baseline)
    if change >= IMPORTANT_CHANGE_POINTS - TOLERANCE:
        return True
    return baseline > 0 and change >= IMPORTANT_CHANGE_RATIO * baseline - TOLERANCE


def direction_of(baseline: float | None, value: float | None) -> str | None:
    if baseline is None or value is None:
        return None
    if not is_important_change(baseline, value):
        return Direction.STEADY
    return Direction.IMPROVING if value < baseline else Direction.WORSENING


def _day(when: datetime.datetime | datetime.date) -> datetime.date:
    return when.date() if isinstance(when, datetime.datetime) else when


def _order(when: datetime.datetime | datetime.date) -> tuple[datetime.date, datetime.time]:
    if isinstance(when, datetime.datetime):
        return when.date(), when.time()
    return when, datetime.time.min


def _average(values: Sequence[int]) -> float | None:
    return sum(values) / len(values) if values else None


def trend_of(
    *,
    baseline: float | None,
    baseline_from: datetime.date | None,
    latest: int | None,
    latest_at,
    latest_on: datetime.date | None,
    seven_day_average: float | None,
    week_before_latest: float | None,
    series: Iterable[tuple[datetime.date, int]],
    latest_source: str | None = None,
    latest_id: int | None = None,
) -> PainTrend:
    change = None if baseline is None or latest is None else latest - baseline
    rise = None if week_before_latest is None or latest is None else latest - week_before_latest
    return PainTrend(
        baseline=baseline,
        latest=latest,
        latest_at=latest_at,
        change=change,
        direction=direction_of(baseline, latest),
        seven_day_average=seven_day_average,
        rise_vs_week=rise,
        latest_on=latest_on,
        baseline_from=baseline_from,
        series=tuple(series),
        latest_source=latest_source,
        latest_id=latest_id,
    )


def pain_trend(
    points: Iterable[tuple[datetime.datetime | datetime.date, int]],
    *,
    today: datetime.date,
    days: int = SERIES_DAYS,
) -> PainTrend:
    """The trend of one patient's pain values, given as (when, value): `when` a date, or a
    datetime in the clinic's time zone (its date is the day the value counts for). Values
    after `today` are ignored; `days` is how far back `series` reaches."""
    points = sorted(
        ((when, value) for when, value in points if _day(when) <= today),
        key=lambda point: _order(point[0]),
    )
    if not points:
        return PainTrend()
    first_day = _day(points[0][0])
    baseline_to = first_day + datetime.timedelta(days=BASELINE_DAYS - 1)
    latest_at, latest = points[-1]
    latest_on = _day(latest_at)
    week_start = today - datetime.timedelta(days=AVERAGE_DAYS - 1)
    before_latest = latest_on - datetime.timedelta(days=AVERAGE_DAYS)
    series_start = today - datetime.timedelta(days=days - 1)
    return trend_of(
        baseline=_average([value for when, value in points if _day(when) <= baseline_to]),
        baseline_from=first_day,
        latest=latest,
        latest_at=latest_at,
        latest_on=latest_on,
        seven_day_average=_average([value for when, value in points if _day(when) >= week_start]),
        week_before_latest=_average(
            [value for when, value in points if before_latest <= _day(when) < latest_on]
        ),
        series=[(_day(when), value) for when, value in points if _day(when) >= series_start],
    )
