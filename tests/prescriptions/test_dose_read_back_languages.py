"""The dose and schedule read back to the patient, assembled from several translated pieces,
make whole sentences in each language, with the right singular and plural."""

import pytest
from django.utils import translation

from exercises.dose import describe
from prescriptions import schedule

HOLD_3 = dict(sets=1, repetitions=3, hold_seconds=30, rest_seconds=0, side="none")
HOLD_1 = dict(sets=1, repetitions=1, hold_seconds=1, rest_seconds=0, side="none")
HOLD_SETS = dict(sets=2, repetitions=3, hold_seconds=30, rest_seconds=60, side="both")
REPS_LEFT = dict(sets=1, repetitions=10, hold_seconds=0, rest_seconds=0, side="left")
SETS_OF_REPS = dict(sets=3, repetitions=10, hold_seconds=0, rest_seconds=30, side="right")
SETS_OF_ONE = dict(sets=2, repetitions=1, hold_seconds=0, rest_seconds=1, side="none")

DOSES = [
    ("en", HOLD_3, "Hold 30 seconds, 3 times"),
    ("es", HOLD_3, "Mantenga 30 segundos, 3 veces"),
    ("fr", HOLD_3, "Tenir 30 secondes, 3 fois"),
    ("es", HOLD_1, "Mantenga 1 segundo, 1 vez"),
    ("fr", HOLD_1, "Tenir 1 seconde, 1 fois"),
    (
        "es",
        HOLD_SETS,
        "Mantenga 30 segundos, 3 veces, 2 series, de cada lado, "
        "descanse 60 segundos entre una y otra",
    ),
    (
        "fr",
        HOLD_SETS,
        "Tenir 30 secondes, 3 fois, 2 séries, de chaque côté, repos de 60 secondes entre chaque",
    ),
    ("es", REPS_LEFT, "10 repeticiones, lado izquierdo"),
    ("fr", REPS_LEFT, "10 répétitions, côté gauche"),
    (
        "es",
        SETS_OF_REPS,
        "3 series de 10 repeticiones, lado derecho, descanse 30 segundos entre una y otra",
    ),
    (
        "fr",
        SETS_OF_REPS,
        "3 séries de 10 répétitions, côté droit, repos de 30 secondes entre chaque",
    ),
    ("es", SETS_OF_ONE, "2 series de 1 repetición, descanse 1 segundo entre una y otra"),
    ("fr", SETS_OF_ONE, "2 séries de 1 répétition, repos de 1 seconde entre chaque"),
]


@pytest.mark.parametrize(("language", "dose", "expected"), DOSES)
def test_the_dose_reads_as_a_sentence(language, dose, expected):
    with translation.override(language):
        assert describe(**dose) == expected


MON_WED_FRI = schedule.mask_from_days([0, 2, 4])
SCHEDULES = [
    ("es", 1, 127, "una vez al día, todos los días"),
    ("es", 2, 31, "dos veces al día, de lunes a viernes"),
    ("es", 3, MON_WED_FRI, "3 veces al día, los días lunes, miércoles y viernes"),
    ("es", 1, schedule.mask_from_days([0]), "una vez al día, los días lunes"),
    ("fr", 1, 127, "une fois par jour, tous les jours"),
    ("fr", 2, 31, "deux fois par jour, du lundi au vendredi"),
    ("fr", 3, MON_WED_FRI, "3 fois par jour, le lundi, mercredi et vendredi"),
    ("fr", 1, schedule.mask_from_days([0]), "une fois par jour, le lundi"),
]


@pytest.mark.parametrize(("language", "times", "weekdays", "expected"), SCHEDULES)
def test_the_schedule_reads_as_a_sentence(language, times, weekdays, expected):
    with translation.override(language):
        text = f"{schedule.describe_times_per_day(times)}, {schedule.describe_weekdays(weekdays)}"
    assert text == expected
