"""The builder's warnings speak to the therapist, with the figures that raised them
(DOMAIN.md: warn, do not block, when a stretch's hold × repetitions is under 60 s or it is
scheduled on fewer than 2 days a week)."""

from exercises.models import Exercise, Kind
from prescriptions.schedule import EVERY_DAY, mask_from_days
from prescriptions.services import ItemInput
from prescriptions.warnings import PlanWarning, plan_warnings


def exercise(name="Knee-to-chest stretch", kind=Kind.STRETCH, contraindications=""):
    return Exercise(name=name, kind=kind, contraindications=contraindications)


def dose(exercise, sets=1, repetitions=2, hold_seconds=20):
    return ItemInput(
        exercise=exercise,
        sets=sets,
        repetitions=repetitions,
        hold_seconds=hold_seconds,
        rest_seconds=10,
    )


def texts(items, weekdays=EVERY_DAY):
    return [warning.text for warning in plan_warnings(items=items, weekdays=weekdays)]


def test_a_short_stretch_gives_its_hold_times_repetitions_against_the_60_s_advised():
    stretch = exercise()
    assert plan_warnings(items=[dose(stretch)], weekdays=EVERY_DAY) == [
        PlanWarning(
            "Hold × repetitions is 40 s, under the 60 s usually advised for a static stretch "
            "(ACSM; e.g. 2 × 30 s).",
            "Knee-to-chest stretch",
        )
    ]


def test_a_stretch_of_60_s_or_more_in_all_raises_nothing():
    assert texts([dose(exercise(), repetitions=2, hold_seconds=30)]) == []
    assert texts([dose(exercise(), repetitions=1, hold_seconds=60)]) == []
    assert texts([dose(exercise(), repetitions=2, hold_seconds=29)]) == [
        "Hold × repetitions is 58 s, under the 60 s usually advised for a static stretch "
        "(ACSM; e.g. 2 × 30 s)."
    ]


def test_only_stretches_are_held_to_the_60_s():
    bridge = exercise("Glute bridge", kind=Kind.STRENGTHENING)
    assert texts([dose(bridge, repetitions=10, hold_seconds=0)]) == []


def test_one_day_a_week_says_how_many_days_against_the_advice():
    assert texts([], weekdays=mask_from_days([0])) == [
        "Scheduled on 1 day a week, under the 2–3 days usually advised for stretching "
        "(ACSM; daily is best)."
    ]
    assert texts([], weekdays=mask_from_days([0, 3])) == []


def test_a_dose_above_the_usual_range_gives_the_usual_range_and_the_limit():
    stretch = exercise()
    assert texts([dose(stretch, sets=6, repetitions=31, hold_seconds=150)]) == [
        "Sets 6 is above the usual range (up to 5; the limit is 10).",
        "Repetitions 31 is above the usual range (up to 30; the limit is 50).",
        "Hold 150 s is above the usual range (up to 120 s; the limit is 300 s).",
    ]


def test_a_contraindication_is_for_the_therapist_to_screen_quoting_what_the_patient_reads():
    stretch = exercise(contraindications="Ask your therapist first if you have osteoporosis.")
    assert texts([dose(stretch, repetitions=2, hold_seconds=30)]) == [
        "Contraindication to screen for (as the patient reads it): “Ask your therapist first "
        "if you have osteoporosis.”"
    ]


def test_no_warning_tells_the_therapist_to_ask_their_therapist():
    stretch = exercise(contraindications="Osteoporosis")
    found = texts([dose(stretch, sets=6, hold_seconds=5)], weekdays=mask_from_days([2]))
    assert len(found) == 4
    assert not any("ask your therapist" in text.lower() for text in found)
