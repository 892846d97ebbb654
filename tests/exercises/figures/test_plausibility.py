"""The plausibility checks find what is wrong with a pose, and say what."""

import pytest

from exercises.figures.plausibility import problems

from .helpers import exercise

STAND = {"support": "standing", "hip_x": 100}


def checks(poses: dict, **data) -> list[tuple[str, str, str]]:
    return [(p.pose, p.check, p.message) for p in problems(exercise(poses, **data))]


def test_a_good_pose_passes():
    assert checks({"start": STAND, "end": STAND}) == []


def test_a_knee_bent_backwards_fails():
    found = checks({"start": STAND, "end": {**STAND, "joints": {"right_knee_flexion": -30}}})
    assert (
        "end",
        "range",
        "right knee flexion -30° is outside the drawing range 0° to 121.5° "
        "(normal: extension 0°, flexion 135°)",
    ) in found


def test_an_elbow_past_straight_fails():
    found = checks({"start": STAND, "end": {**STAND, "joints": {"elbow_flexion": -10}}})
    assert [check for pose, check, message in found if "elbow" in message] == ["range", "range"]


def test_joints_near_the_end_of_their_range_fail_as_well_as_those_beyond():
    # The normal range allows 120 degrees of hip flexion; a picture stays within 90% of it.
    found = checks(
        {
            "start": STAND,
            "end": {**STAND, "joints": {"right_hip_flexion": 115, "right_knee_flexion": 90}},
        }
    )
    assert any(
        "right hip flexion 115° is outside the drawing range" in message for _, _, message in found
    )


def test_hip_flexion_with_a_straight_knee_is_limited_by_the_hamstrings():
    found = checks(
        {"start": STAND, "end": {**STAND, "hip_height": 53, "joints": {"right_hip_flexion": 100}}}
    )
    assert any("hamstrings" in message for _, _, message in found)


def test_neck_and_head_together_stay_within_the_necks_range():
    found = checks(
        {"start": STAND, "end": {**STAND, "joints": {"neck_flexion": 38, "head_flexion": 18}}}
    )
    assert any("neck and head flexion together 56°" in message for _, _, message in found)


def test_a_foot_below_the_floor_fails():
    found = checks({"start": STAND, "end": {**STAND, "hip_height": 49}})
    assert ("end", "floor", "the left foot is 4 below the floor") in found


def test_a_body_lying_above_the_mat_does_not_rest_on_it():
    lying = {"support": "lying_on_back", "hip_x": 100, "tilt": -90}
    mat = [{"kind": "mat", "from": 30, "to": 180}]
    assert checks({"start": lying, "end": lying}, props=mat) == []
    floating = {**lying, "hip_height": 14}
    found = checks({"start": lying, "end": floating}, props=mat)
    assert [(pose, check) for pose, check, _ in found] == [("end", "support"), ("end", "support")]
    assert "the pelvis should rest on what is under it but is" in found[0][2]


def test_sitting_rests_the_pelvis_on_the_seat_and_a_body_cannot_sink_into_it():
    seated = {
        "support": ["sitting", "feet"],
        "hip_x": 68,
        "joints": {"hip_flexion": 82, "knee_flexion": 90, "ankle_dorsiflexion": 8},
    }
    chair = [{"kind": "chair", "x": 80}]
    assert checks({"start": seated, "end": seated}, props=chair) == []
    # Without the chair there is nothing under the pelvis but the floor, far below.
    assert ("end", "support") in [(p, c) for p, c, _ in checks({"start": seated, "end": seated})]
    sunk = {**seated, "hip_height": 28}
    assert ("end", "prop") in [
        (p, c) for p, c, _ in checks({"start": seated, "end": sunk}, props=chair)
    ]


def test_hands_that_should_be_on_the_wall_must_touch_it():
    reaching = {
        "support": ["standing", "hands"],
        "hip_x": 100,
        "joints": {"shoulder_flexion": 80, "elbow_flexion": 10},
    }
    found = checks({"start": reaching, "end": reaching}, props=[{"kind": "wall", "x": 160}])
    assert any("the left hand should rest on something" in message for _, _, message in found)
    found = checks({"start": reaching, "end": reaching}, props=[{"kind": "wall", "x": 120}])
    assert any(check == "prop" and "inside the wall" in message for _, check, message in found)


def test_the_whole_body_stays_inside_the_picture():
    found = checks({"start": STAND, "end": {**STAND, "hip_x": 5}})
    assert any(check == "frame" for _, check, _ in found)


@pytest.mark.parametrize("hip_x", [20, 180])
def test_a_figure_near_either_edge_is_reported_by_part(hip_x):
    found = checks(
        {"start": STAND, "end": {**STAND, "hip_x": hip_x, "joints": {"shoulder_flexion": 90}}}
    )
    assert all(pose == "end" for pose, _, _ in found)
