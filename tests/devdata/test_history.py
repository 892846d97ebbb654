"""The pieces of a made-up history that the demo and the benchmark share (devdata/history.py)."""

import datetime
import random
import zoneinfo

from devdata.history import PainCourse, TimeWindow, client_token, difficulty_felt
from patients.models import Difficulty


def test_pain_stays_on_the_scale_and_after_stays_under_the_ceiling():
    rng = random.Random(1)
    high = PainCourse(start=10, end=10, after_changes=(1, 2), after_ceiling=6)
    low = PainCourse(start=0, end=0, after_changes=(-2,))

    befores = [high.before(rng, progress=rng.random()) for _ in range(200)]
    afters = [high.after(rng, before) for before in befores]
    lows = [low.after(rng, low.before(rng, progress=0.5)) for _ in range(200)]

    assert set(befores) == {9, 10}
    assert set(afters) == {6}
    assert set(lows) == {0}


def test_pain_moves_from_start_to_end_as_care_progresses():
    rng = random.Random(2)
    course = PainCourse(start=7, end=2)

    first = [course.before(rng, progress=0) for _ in range(200)]
    last = [course.before(rng, progress=1) for _ in range(200)]

    assert set(first) == {6, 7, 8}
    assert set(last) == {1, 2, 3}


def test_a_time_is_on_a_five_minute_mark_within_the_window_in_the_zone():
    rng = random.Random(3)
    zone = zoneinfo.ZoneInfo("America/New_York")
    window = TimeWindow(datetime.time(6, 45), datetime.time(8, 45))
    day = datetime.date(2026, 5, 4)

    times = [window.pick(rng, day, zone) for _ in range(500)]

    assert {time.date() for time in times} == {day}
    assert {time.tzinfo for time in times} == {zone}
    assert {time.minute % 5 for time in times} == {0}
    assert min(time.time() for time in times) == datetime.time(6, 45)
    assert max(time.time() for time in times) == datetime.time(8, 45)


def test_one_seed_gives_the_same_tokens():
    first = [client_token(random.Random(4)) for _ in range(2)]
    other = client_token(random.Random(5))

    assert first[0] == first[1] != other
    assert first[0].version == 4


def test_difficulty_follows_pain_and_progress():
    rng = random.Random(6)

    assert difficulty_felt(rng, pain_before=6, progress=0.1, too_easy_after=0.6) == (
        Difficulty.TOO_HARD
    )
    late_and_easy = {
        difficulty_felt(rng, pain_before=2, progress=0.7, too_easy_after=0.6) for _ in range(100)
    }
    not_late_enough = {
        difficulty_felt(rng, pain_before=2, progress=0.7, too_easy_after=0.75) for _ in range(100)
    }
    unscored = {
        difficulty_felt(rng, pain_before=None, progress=0.5, too_easy_after=0.6) for _ in range(100)
    }

    assert late_and_easy == {Difficulty.TOO_EASY, Difficulty.ABOUT_RIGHT}
    assert not_late_enough == {Difficulty.ABOUT_RIGHT}
    assert unscored == {"", Difficulty.ABOUT_RIGHT}
