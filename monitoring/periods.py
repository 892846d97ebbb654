"""Monitoring periods and the bands of days with data, as calendar arithmetic on the clinic's
local days. Periods are consecutive 30-day spans from the day monitoring was set up: period 1
is days 1–30, period 2 days 31–60, and so on. Dates here are already local days, so month ends
and daylight-saving changes need nothing special; turning a moment into a local day is the
selectors' work (`data_days`)."""

import datetime
from dataclasses import dataclass
from enum import Enum

from django.utils.translation import gettext_lazy as _

PERIOD_DAYS = 30


@dataclass(frozen=True)
class Period:
    number: int
    first_day: datetime.date
    last_day: datetime.date

    def days_elapsed(self, today: datetime.date) -> int:
        """Days of the period up to and including today."""
        if today < self.first_day:
            return 0
        return (min(today, self.last_day) - self.first_day).days + 1

    def days_remaining(self, today: datetime.date) -> int:
        """Days of the period after today."""
        return PERIOD_DAYS - self.days_elapsed(today)

    def overlaps(self, first_day: datetime.date, last_day: datetime.date) -> bool:
        return self.first_day <= last_day and first_day <= self.last_day


def period_number(*, started_on: datetime.date, day: datetime.date) -> int | None:
    """Which period `day` falls in, or None before monitoring began."""
    if day < started_on:
        return None
    return (day - started_on).days // PERIOD_DAYS + 1


def period_of(*, started_on: datetime.date, number: int) -> Period:
    first_day = started_on + datetime.timedelta(days=PERIOD_DAYS * (number - 1))
    return Period(number, first_day, first_day + datetime.timedelta(days=PERIOD_DAYS - 1))


def periods_between(
    *,
    started_on: datetime.date,
    ended_on: datetime.date | None,
    first_day: datetime.date,
    last_day: datetime.date,
) -> list[Period]:
    """The periods that overlap the days from `first_day` to `last_day`, none begun after
    monitoring ended."""
    if ended_on is not None:
        last_day = min(last_day, ended_on)
    if last_day < started_on or last_day < first_day:
        return []
    first = period_number(started_on=started_on, day=max(first_day, started_on))
    last = period_number(started_on=started_on, day=last_day)
    return [period_of(started_on=started_on, number=n) for n in range(first, last + 1)]


class Band(Enum):
    """Where a period's days with data fall. The code group is the 2026 CPT code for supplying
    the device over 30 days (DOMAIN.md), shown for information only: the clinic decides what
    it bills."""

    UNDER_2 = ("under_2", _("Under 2 days"), "")
    FROM_2_TO_15 = ("2_to_15", _("2–15 days"), "98985")
    FROM_16 = ("16_plus", _("16 or more days"), "98977")

    def __init__(self, key, label, code):
        self.key = key
        self.label = label
        self.code = code


def band_for(days_with_data: int) -> Band:
    if days_with_data >= 16:
        return Band.FROM_16
    if days_with_data >= 2:
        return Band.FROM_2_TO_15
    return Band.UNDER_2
