import datetime

import pytest

from exercises.dose import Side, describe
from prescriptions import schedule


@pytest.mark.parametrize(
    ("dose", "text"),
    [
        (
            {"sets": 1, "repetitions": 3, "hold_seconds": 30, "rest_seconds": 0},
            "Hold 30 seconds, 3 times",
        ),
        (
            {"sets": 1, "repetitions": 1, "hold_seconds": 1, "rest_seconds": 0},
            "Hold 1 second, 1 time",
        ),
        (
            {"sets": 3, "repetitions": 10, "hold_seconds": 0, "rest_seconds": 30},
            "3 sets of 10 repetitions, rest 30 seconds between",
        ),
        (
            {"sets": 2, "repetitions": 3, "hold_seconds": 30, "rest_seconds": 10, "side": "both"},
            "Hold 30 seconds, 3 times, 2 sets, on each side, rest 10 seconds between",
        ),
        (
            {"sets": 1, "repetitions": 12, "hold_seconds": 0, "rest_seconds": 0, "side": "left"},
            "12 repetitions, left side",
        ),
    ],
)
def test_dose_in_plain_words(dose, text):
    dose.setdefault("side", Side.NONE)
    assert describe(**dose) == text


def test_weekday_mask_round_trip():
    assert schedule.mask_from_days([0, 2, 4]) == 0b10101
    assert schedule.days_from_mask(0b10101) == [0, 2, 4]
    assert schedule.mask_from_days(range(7)) == schedule.EVERY_DAY
    with pytest.raises(ValueError):
        schedule.mask_from_days([7])


def test_is_scheduled_uses_the_calendar_weekday():
    monday = datetime.date(2026, 11, 23)
    assert monday.weekday() == 0
    assert schedule.is_scheduled(0b1, monday)
    assert not schedule.is_scheduled(0b1, monday + datetime.timedelta(days=1))


@pytest.mark.parametrize(
    ("mask", "times", "text"),
    [
        (schedule.EVERY_DAY, 1, "once a day, every day"),
        (schedule.EVERY_DAY, 2, "twice a day, every day"),
        (schedule.WEEKDAYS_ONLY, 3, "3 times a day, Monday to Friday"),
        (0b0010101, 1, "once a day, on Monday, Wednesday and Friday"),
        (0b1000000, 1, "once a day, on Sunday"),
    ],
)
def test_schedule_in_plain_words(mask, times, text):
    assert f"{schedule.describe_times_per_day(times)}, {schedule.describe_weekdays(mask)}" == text
