"""Day and time labels for the review's long lists, and the start of a clinic-local day."""

import datetime

from django.utils import dates, timezone


def local_midnight(day: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    """The moment `day` begins in the clinic's time zone. Filtering on it as well as on the day
    column lets the database read the window through the (patient, time) index rather than
    the patient's whole history; the two say the same, as the day is the time's local date."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), zone)


class Labels:
    """Day and time labels for the page's long lists (up to a year of calendar days, hundreds of
    pain scores). The translated day and month names are looked up once per page; a full
    `date_format` per row would cost more than every query on the page together."""

    def __init__(self, zone: datetime.tzinfo):
        self.zone = zone
        self.weekdays = [str(dates.WEEKDAYS[day]) for day in range(7)]
        self.weekdays_short = [str(dates.WEEKDAYS_ABBR[day]) for day in range(7)]
        self.months = [""] + [str(dates.MONTHS[month]) for month in range(1, 13)]
        self.months_short = [""] + [str(dates.MONTHS_3[month]).title() for month in range(1, 13)]

    def local(self, when: datetime.datetime) -> datetime.datetime:
        return timezone.localtime(when, self.zone)

    def day_long(self, day: datetime.date) -> str:
        """Tuesday 4 March"""
        return f"{self.weekdays[day.weekday()]} {day.day} {self.months[day.month]}"

    def day(self, day: datetime.date) -> str:
        """Tue 4 Mar 2025"""
        return (
            f"{self.weekdays_short[day.weekday()]} {day.day} "
            f"{self.months_short[day.month]} {day.year}"
        )

    def moment(self, when: datetime.datetime) -> str:
        """Tue 4 Mar 2025, 08:05, in the clinic's time zone"""
        local = self.local(when)
        return f"{self.day(local)}, {local:%H:%M}"

    def iso(self, when: datetime.datetime) -> str:
        return self.local(when).isoformat()
