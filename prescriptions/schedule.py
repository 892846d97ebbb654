"""Weekday schedules stored as a 7-bit mask (Monday = bit 0), so SQL can test a day with `&`."""

import datetime

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

WEEKDAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]
WEEKDAY_SHORT_NAMES = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
WEEKDAY_CHOICES = [(str(day), name) for day, name in enumerate(WEEKDAY_NAMES)]
EVERY_DAY = 0b1111111
WEEKDAYS_ONLY = 0b0011111


def mask_from_days(days) -> int:
    mask = 0
    for day in days:
        day = int(day)
        if not 0 <= day <= 6:
            raise ValueError(f"weekday {day} is outside 0 (Monday) to 6 (Sunday)")
        mask |= 1 << day
    return mask


def days_from_mask(mask: int) -> list[int]:
    return [day for day in range(7) if mask & (1 << day)]


def is_scheduled(mask: int, date: datetime.date) -> bool:
    return bool(mask & (1 << date.weekday()))


def days_per_week(mask: int) -> int:
    return len(days_from_mask(mask))


def describe_weekdays(mask: int) -> str:
    if mask == EVERY_DAY:
        return str(_("every day"))
    if mask == WEEKDAYS_ONLY:
        return str(_("Monday to Friday"))
    names = [str(WEEKDAY_NAMES[day]) for day in days_from_mask(mask)]
    if not names:
        return str(_("no days"))
    if len(names) == 1:
        return str(_("on %(day)s") % {"day": names[0]})
    return str(_("on %(days)s and %(last)s") % {"days": ", ".join(names[:-1]), "last": names[-1]})


def describe_times_per_day(times: int) -> str:
    if times == 1:
        return str(_("once a day"))
    if times == 2:
        return str(_("twice a day"))
    return ngettext("%(count)d time a day", "%(count)d times a day", times) % {"count": times}
