"""Reading pose data: what a file may say, and the messages that say what is wrong."""

import pytest

from exercises.figures.poses import FigureDataError, figure_data

from .helpers import exercise

STANDING = {"support": "standing", "hip_x": 100}


def test_a_movement_without_a_side_applies_to_both_and_a_sided_one_overrides_it():
    data = exercise(
        {
            "start": STANDING,
            "end": {**STANDING, "joints": {"knee_flexion": 20, "left_knee_flexion": 5}},
        }
    )
    end = data.pose("end")
    assert (end.angle("knee_flexion", "left"), end.angle("knee_flexion", "right")) == (5, 20)
    assert end.angle("hip_flexion", "left") == 0  # left out: anatomical zero


def test_supports_expand_to_the_parts_that_rest():
    data = exercise(
        {
            "start": {"support": ["lying_on_back", "feet"], "hip_x": 100, "tilt": -90},
            "end": {"support": ["pelvis", "hands"], "hip_x": 100, "tilt": -90},
        }
    )
    assert data.pose("start").support == ("pelvis", "torso", "left_foot", "right_foot")
    assert data.pose("end").support == ("pelvis", "left_hand", "right_hand")


def test_working_limbs_expand_to_their_segments():
    data = exercise({"start": STANDING, "end": STANDING}, working="right_leg")
    assert data.working == ("right_thigh", "right_shin", "right_foot")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"poses": {"start": STANDING}}, "missing the 'end' pose"),
        ({"view": "top"}, "view is one of"),
        ({"view": "front", "facing": "left"}, "only a side view faces"),
        (
            {"poses": {"start": {**STANDING, "joints": {"knee_bend": 10}}, "end": STANDING}},
            "unknown movement 'knee_bend'",
        ),
        (
            {
                "poses": {
                    "start": {**STANDING, "joints": {"left_neck_flexion": 10}},
                    "end": STANDING,
                }
            },
            "has no sides",
        ),
        (
            {"poses": {"start": {**STANDING, "joints": {"trunk_side_bend": 10}}, "end": STANDING}},
            "does not show in the side view",
        ),
        (
            {
                "poses": {
                    "start": {**STANDING, "joints": {"knee_flexion": "a lot"}},
                    "end": STANDING,
                }
            },
            "expected a number",
        ),
        (
            {"poses": {"start": {**STANDING, "support": "floating"}, "end": STANDING}},
            "unknown support 'floating'",
        ),
        ({"poses": {"start": {"support": "standing"}, "end": STANDING}}, "missing 'hip_x'"),
        ({"poses": {"start": {**STANDING, "alt": " "}, "end": STANDING}}, "expected some text"),
        ({"props": [{"kind": "trampoline"}]}, "expected a prop with a kind"),
        ({"props": [{"kind": "chair"}]}, "a chair needs 'x'"),
        (
            {"props": [{"kind": "mat", "from": 0, "to": 200, "colour": "red"}]},
            "unknown key 'colour'",
        ),
        (
            {
                "props": [
                    {"kind": "towel", "from": 10, "to": 20, "through": ["left_hand", "right_hand"]}
                ]
            },
            "either held",
        ),
        ({"cue": {"kind": "arc", "point": "right_knee"}}, "an arc needs 'around'"),
        ({"cue": {"kind": "line", "point": "nose"}}, "no point named 'nose' in the side view"),
        ({"props": [{"kind": "band", "through": ["right_hand", "doorknob"]}]}, "no point named"),
        ({"working": "right_tail"}, "unknown part 'right_tail'"),
        ({"tempo": {"step": 0}}, "a step takes"),
    ],
)
def test_mistakes_are_refused_with_a_message_naming_them(change, message):
    data = {"poses": {"start": {"alt": "Start", **STANDING}, "end": {"alt": "End", **STANDING}}}
    for key, value in change.items():
        if key == "poses":
            value = {name: {"alt": name, **pose} for name, pose in value.items()}
        data[key] = value
    with pytest.raises(FigureDataError, match=message) as error:
        figure_data("a-stretch", data)
    assert str(error.value).startswith("a-stretch")


def test_seen_sets_how_much_of_a_segment_shows_for_both_sides_or_one():
    data = exercise(
        {
            "start": STANDING,
            "end": {**STANDING, "seen": {"forearm": 0.5, "right_forearm": 1}},
        }
    )
    assert dict(data.pose("end").seen) == {"left_forearm": 0.5, "right_forearm": 1}
    with pytest.raises(FigureDataError, match="a share from -1 to 1"):
        exercise({"start": {**STANDING, "seen": {"forearm": 2}}, "end": STANDING})
    with pytest.raises(FigureDataError, match="unknown part 'tail'"):
        exercise({"start": {**STANDING, "seen": {"tail": 1}}, "end": STANDING})


def test_a_straps_fixed_point_may_be_given_for_each_pose():
    gathered = {"start": [140, 1.6], "end": [118, 4.5]}
    data = exercise(
        {"start": STANDING, "end": STANDING},
        props=[{"kind": "towel", "through": ["right_toes", gathered]}],
    )
    assert dict(data.props[0].get("through")[1]) == {"start": (140, 1.6), "end": (118, 4.5)}
    with pytest.raises(FigureDataError, match="needs one for each pose: start, end"):
        exercise(
            {"start": STANDING, "end": STANDING},
            props=[{"kind": "towel", "through": ["right_toes", {"start": [140, 1.6]}]}],
        )
    with pytest.raises(FigureDataError, match="the end pose's point is"):
        exercise(
            {"start": STANDING, "end": STANDING},
            props=[{"kind": "towel", "through": [[100, 1], {"start": [1, 1], "end": "chin"}]}],
        )


def test_turned_names_a_sides_own_part_and_the_degrees_it_turns():
    data = exercise({"start": STANDING, "end": {**STANDING, "turned": {"right_shin": -30}}})
    assert dict(data.pose("end").turned) == {"right_shin": -30}
    assert dict(data.pose("start").turned) == {}
    with pytest.raises(FigureDataError, match="right_shin: from -180 to 180 degrees"):
        exercise({"start": {**STANDING, "turned": {"right_shin": 200}}, "end": STANDING})
    with pytest.raises(FigureDataError, match="unknown part 'shin'"):
        exercise({"start": {**STANDING, "turned": {"shin": 30}}, "end": STANDING})
