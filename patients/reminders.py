"""Session reminders: the default times for a plan's sessions per day, and which reminders are
due at a moment, worked out in the clinic's time zone so that they follow the clock across the
changes to and from summer time."""

import datetime
from collections.abc import Sequence

# One reminder per session of the day, spread over the waking day.
DEFAULT_TIMES = {
    1: ("09:00",),
    2: ("09:00", "18:00"),
    3: ("09:00", "13:00", "18:00"),
    4: ("08:00", "12:00", "16:00", "20:00"),
    5: ("08:00", "11:00", "14:00", "17:00", "20:00"),
    6: ("08:00", "10:30", "13:00", "15:30", "18:00", "20:30"),
}
# A reminder still goes out this long after its time (a scheduler that was down a while, or a
# time that does not exist on the day the clocks go forward); later than that it is skipped.
LATEST = datetime.timedelta(hours=1)


def parse_time(text: str) -> datetime.time:
    hours, minutes = text.split(":")
    return datetime.time(int(hours), int(minutes))


def default_times(sessions_per_day: int) -> tuple[str, ...]:
    return DEFAULT_TIMES[max(1, min(sessions_per_day, max(DEFAULT_TIMES)))]


def due_at(day: datetime.date, time: datetime.time, zone: datetime.tzinfo) -> datetime.datetime:
    """The moment a reminder set for `time` on `day` falls, in the clinic's zone. On the night
    the clocks go forward, a time in the skipped hour falls an hour later by the clock (02:30
    becomes 03:30); on the night they go back, a time in the repeated hour falls the first
    time round."""
    return datetime.datetime.combine(day, time, tzinfo=zone).astimezone(datetime.UTC)


def due_numbers(
    times: Sequence[str], *, day: datetime.date, zone: datetime.tzinfo, now: datetime.datetime
) -> list[int]:
    """Which of the day's reminders (1 for the first time of day, 2 for the second, …) are due
    at `now`: their moment has come and is less than an hour past."""
    due = []
    for number, text in enumerate(sorted(times), start=1):
        moment = due_at(day, parse_time(text), zone)
        if moment <= now < moment + LATEST:
            due.append(number)
    return due
