"""Forward kinematics: the figure's proportions, which way each movement turns, and settling
a body onto what is under it."""

import math

import pytest

from exercises.figures.body import SEGMENTS, elbow_split
from exercises.figures.geometry import GROUND, height, pose_body
from exercises.figures.poses import Prop
from exercises.figures.props import scene

from .helpers import pose, standing


def at(body, name) -> tuple[float, float]:
    x, y = body.point(name)
    return round(x, 1), round(height(y), 1)


def test_standing_the_landmarks_are_at_winters_heights():
    body = pose_body(standing(), plane="side")
    heights = {
        name: at(body, name)[1]
        for name in (
            "right_ankle",
            "right_knee",
            "right_hip",
            "right_shoulder",
            "right_elbow",
            "right_wrist",
            "right_fingertips",
            "chin",
            "head_top",
        )
    }
    # Fractions of standing height (Drillis & Contini in Winter), the figure being 100 tall.
    assert heights == pytest.approx(
        {
            "right_ankle": 3.9,
            "right_knee": 28.5,
            "right_hip": 53.0,
            "right_shoulder": 81.8,
            "right_elbow": 63.2,
            "right_wrist": 48.6,
            "right_fingertips": 37.8,
            "chin": 87.5 - 0.8,
            "head_top": 100.0,
        },
        abs=0.6,
    )
    # Lowered onto the floor: the soles are on the ground line.
    assert max(y for x, y in body.edge()) == pytest.approx(GROUND, abs=0.05)


def test_seen_from_the_front_the_limbs_are_apart_and_the_figures_left_is_on_the_right():
    body = pose_body(standing(), plane="front")
    left_hip, right_hip = at(body, "left_hip"), at(body, "right_hip")
    assert left_hip[0] - right_hip[0] == pytest.approx(10.0)
    assert at(body, "left_shoulder")[0] > 100 > at(body, "right_shoulder")[0]
    mirrored = pose_body(standing(), plane="front", mirrored=True)
    assert at(mirrored, "left_shoulder")[0] < 100 < at(mirrored, "right_shoulder")[0]


def test_hip_flexion_brings_the_knee_forward_and_knee_flexion_takes_the_foot_back():
    body = pose_body(standing(right_hip_flexion=90, right_knee_flexion=90), plane="side")
    hip, knee, ankle = at(body, "right_hip"), at(body, "right_knee"), at(body, "right_ankle")
    assert knee[0] == pytest.approx(hip[0] + 24.5, abs=0.1)  # facing right: forward is +x
    assert knee[1] == pytest.approx(hip[1], abs=0.1)
    assert ankle[0] == pytest.approx(knee[0], abs=0.1) and ankle[1] < knee[1]
    facing_left = pose_body(standing(right_hip_flexion=90), plane="side", mirrored=True)
    assert at(facing_left, "right_knee")[0] == pytest.approx(
        at(facing_left, "right_hip")[0] - 24.5, abs=0.1
    )


@pytest.mark.parametrize(
    ("joints", "point", "moves"),
    [
        ({"trunk_flexion": 30}, "head", "forward"),
        ({"neck_flexion": 30}, "chin", "forward"),
        ({"right_shoulder_flexion": 90}, "right_fingertips", "forward"),
        ({"right_elbow_flexion": 90}, "right_fingertips", "forward"),
        ({"right_ankle_dorsiflexion": 15}, "right_toes", "up"),
        ({"right_ankle_dorsiflexion": -30}, "right_toes", "down"),
        ({"right_knee_flexion": 60}, "right_ankle", "back"),
    ],
)
def test_each_movement_turns_its_segment_the_anatomical_way_seen_from_the_side(
    joints, point, moves
):
    still = at(pose_body(pose(hip_height=53), plane="side"), point)
    moved = at(pose_body(pose(hip_height=53, **joints), plane="side"), point)
    dx, dy = moved[0] - still[0], moved[1] - still[1]
    assert {"forward": dx > 1, "back": dx < -1, "up": dy > 1, "down": dy < -1}[moves]


def test_side_bends_and_abduction_seen_from_the_front():
    upright = pose_body(pose(hip_height=53), plane="front")
    bent = pose_body(pose(hip_height=53, trunk_side_bend=20, neck_side_bend=20), plane="front")
    # A bend to the figure's right is to the viewer's left.
    assert at(bent, "head_top")[0] < at(upright, "head_top")[0] - 5
    raised = pose_body(pose(hip_height=53, left_shoulder_abduction=90), plane="front")
    assert at(raised, "left_wrist")[0] > at(raised, "left_shoulder")[0] + 30
    assert at(raised, "left_wrist")[1] == pytest.approx(at(raised, "left_shoulder")[1], abs=0.5)


def test_a_thigh_toward_the_viewer_is_drawn_shorter_and_the_shin_below_it_full_length():
    both = {
        f"{side}_{name}": 90
        for side in ("left", "right")
        for name in ("hip_flexion", "knee_flexion")
    }
    body = pose_body(pose(hip_height=32, **both), plane="front")
    assert body.part("left_thigh").seen == pytest.approx(0)
    assert body.part("left_shin").seen == pytest.approx(1)
    assert at(body, "left_knee") == pytest.approx(at(body, "left_hip"), abs=0.1)


def test_the_shoulders_rotation_decides_where_a_bent_elbow_shows():
    assert elbow_split("side", 90, 0) == pytest.approx((90, 0))
    assert elbow_split("front", 90, 0) == pytest.approx((0, 90))  # toward the viewer
    inward, _ = elbow_split("front", 90, -60)
    outward, _ = elbow_split("front", 90, 60)
    assert inward > 0 > outward


def test_a_body_with_no_height_given_settles_onto_the_mat_under_it():
    mat = scene([Prop("mat", {"from": 20, "to": 180})], plane="side")
    lying = pose(tilt=-90)
    body = pose_body(lying, plane="side", ground_under=mat.ground_under)
    lowest = max(y for x, y in body.edge())
    assert height(lowest) == pytest.approx(1.6, abs=0.01)  # the mat's top


def test_every_segment_hangs_from_a_segment_defined_before_it():
    seen = set()
    for segment in SEGMENTS.values():
        assert segment.parent is None or segment.parent in seen
        seen.add(segment.name)
    assert math.isclose(
        sum(s.length for s in SEGMENTS.values() if s.name in ("thigh", "shin")), 49.1
    )


def test_a_segment_given_as_seen_in_full_is_drawn_full_length_and_so_are_those_below_it():
    raised = {"right_shoulder_abduction": 60, "right_elbow_flexion": 90}
    tilted = pose_body(pose(hip_height=53, **raised), plane="side")
    assert tilted.part("right_forearm").seen == pytest.approx(0.5)
    upright = pose_body(pose(hip_height=53, seen={"right_forearm": 1.0}, **raised), plane="side")
    assert upright.part("right_upper_arm").seen == pytest.approx(0.5)
    assert upright.part("right_forearm").seen == upright.part("right_hand").seen == 1


@pytest.mark.parametrize("mirrored", [False, True])
def test_a_turned_segment_turns_clockwise_as_drawn_and_takes_those_below_it_along(mirrored):
    # Seen from the front, a thigh fallen out to the side (sitting with the soles together)
    # shows nearly level: more than hip abduction alone turns it in the picture.
    turned = {"left_thigh": -90, "left_shin": 180}
    body = pose_body(pose(hip_height=53, turned=turned), plane="front", mirrored=mirrored)
    hip, knee, ankle = at(body, "left_hip"), at(body, "left_knee"), at(body, "left_ankle")
    # Counter-clockwise from hanging down is to the right on the screen, in either view.
    assert knee == pytest.approx((hip[0] + 24.5, hip[1]), abs=0.1)
    # The shin turned back along the thigh, the foot with it.
    assert ankle == pytest.approx((knee[0] - 24.6, knee[1]), abs=0.1)
    assert body.part("left_thigh").seen == 1
    assert at(body, "right_knee") == pytest.approx(at(standing_body(mirrored), "right_knee"))


def standing_body(mirrored):
    return pose_body(pose(hip_height=53), plane="front", mirrored=mirrored)
