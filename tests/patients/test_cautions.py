from types import SimpleNamespace

from patients.cautions import plan_cautions


def item(pk, *cautions):
    return SimpleNamespace(pk=pk, exercise=SimpleNamespace(caution_list=list(cautions)))


def test_advice_two_exercises_share_is_the_plans_and_the_rest_stays_with_its_exercise():
    stop = "Stop at once if it causes sharp pain."
    gentle = "Go only as far as a gentle pull."
    items = [
        item(1, stop, gentle, "Keep your hips on the floor."),
        item(2, "Keep the movement small.", stop),
        item(3, gentle, stop, gentle),
    ]
    cautions = plan_cautions(items)
    assert cautions.shared == [stop, gentle]
    assert cautions.own(items[0]) == ["Keep your hips on the floor."]
    assert cautions.own(items[1]) == ["Keep the movement small."]
    assert cautions.own(items[2]) == []


def test_a_single_exercise_keeps_all_its_cautions():
    only = item(7, "Stop at once if it causes sharp pain.", "Breathe evenly.")
    cautions = plan_cautions([only])
    assert cautions.shared == []
    assert cautions.own(only) == ["Stop at once if it causes sharp pain.", "Breathe evenly."]
