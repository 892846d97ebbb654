"""Turning about a segment's own long axis: the trunk's rotation narrows the torso seen from the
front and parts the shoulders seen from the side; the head turns toward its profile from the
front and toward its face-on shape from the side; an animation that turns the head morphs its
outline."""

import math
import re
import xml.etree.ElementTree as ET

import pytest

from exercises.figures import exercise_figure, render_svg
from exercises.figures.body import outline, turned_outline
from exercises.figures.geometry import pose_body
from exercises.figures.plausibility import posed, problems
from exercises.figures.poses import FigureDataError

from .helpers import exercise, pose

SVG = "{http://www.w3.org/2000/svg}"


def width(body, name) -> float:
    xs = [x for x, y in body.part(name).edge()]
    return max(xs) - min(xs)


def test_seen_from_the_front_a_turned_trunk_is_narrower_with_the_shoulders_closer():
    upright = pose_body(pose(hip_height=53), plane="front")
    turned = pose_body(pose(hip_height=53, trunk_rotation=35), plane="front")
    assert width(turned, "torso") < width(upright, "torso") - 1.5
    assert width(turned, "pelvis") == pytest.approx(width(upright, "pelvis"))

    def spread(body):
        return body.point("left_shoulder")[0] - body.point("right_shoulder")[0]

    assert spread(turned) == pytest.approx(spread(upright) * 0.819, abs=0.1)  # cos 35°


def test_seen_from_the_side_a_turned_trunk_parts_the_shoulders_the_turning_side_going_back():
    upright = pose_body(pose(hip_height=53), plane="side")
    assert upright.point("left_shoulder") == pytest.approx(upright.point("right_shoulder"))
    turned = pose_body(pose(hip_height=53, trunk_rotation=30), plane="side")
    right, left = turned.point("right_shoulder"), turned.point("left_shoulder")
    # Facing right, the figure's back is to the left: turning right takes the right shoulder
    # back and brings the left one forward, 10 sin 30° each.
    assert left[0] - right[0] == pytest.approx(10.0, abs=0.1)
    assert width(turned, "torso") > width(upright, "torso") + 1.5


def test_seen_from_the_front_a_turned_head_shows_its_profile_facing_the_way_it_turns():
    def reach(joints, side):
        body = pose_body(pose(hip_height=53, **joints), plane="front")
        head = body.point("head")[0]
        xs = [x for x, y in body.part("head").edge()]
        return head - min(xs) if side == "viewers_left" else max(xs) - head

    face_on = reach({}, "viewers_left")
    # The figure's right is on the viewer's left seen from the front.
    assert reach({"neck_rotation": 60}, "viewers_left") > face_on + 0.6
    assert reach({"neck_rotation": -60}, "viewers_right") > face_on + 0.6
    # The head turns with the trunk too.
    assert reach({"trunk_rotation": 30, "neck_rotation": 30}, "viewers_left") == pytest.approx(
        reach({"neck_rotation": 60}, "viewers_left")
    )


def test_unturned_the_outlines_are_the_plain_ones_and_the_side_views_blend_starts_from_them():
    assert turned_outline("head", "front", 0) == outline("head", "front")
    assert box(turned_outline("head", "side", 0, blended=True)) == pytest.approx(
        box(outline("head", "side")), abs=0.05
    )
    assert box(turned_outline("head", "front", 0, blended=True)) == pytest.approx(
        box(outline("head", "front")), abs=0.3
    )
    assert turned_outline("torso", "front", 30) == outline("torso", "front")
    # Turned toward the viewer, a profile narrows to the face-on head's width.
    side_turned, plain = box(turned_outline("head", "side", 60)), box(outline("head", "side"))
    assert side_turned[3] - side_turned[2] < plain[3] - plain[2] - 1.5


def box(shape) -> tuple[float, float, float, float]:
    xs, ys = [x for x, y in shape.points], [y for x, y in shape.points]
    return min(xs), max(xs), min(ys), max(ys)


def test_a_head_turning_either_way_starts_from_the_same_face_on_outline():
    # Point for point, so an animation turning it right then left morphs through face on.
    face_on = turned_outline("head", "front", 0, blended=True).points
    for turn in (2, -2):
        turned = turned_outline("head", "front", turn).points
        assert max(math.dist(a, b) for a, b in zip(face_on, turned, strict=True)) < 0.5


@pytest.mark.parametrize(
    ("joints", "message"),
    [
        ({"trunk_rotation": 42}, "trunk rotation 42° is outside the drawing range -40.5° to 40.5°"),
        ({"neck_rotation": -64}, "neck rotation -64° is outside the drawing range -63° to 63°"),
    ],
)
def test_rotations_stay_inside_their_drawing_ranges(joints, message):
    stand = {"support": "standing", "hip_x": 100}
    found = problems(exercise({"start": stand, "end": {**stand, "joints": joints}}, view="front"))
    assert any(str(problem).startswith(f"test-exercise, end pose: {message}") for problem in found)


def test_an_animation_that_turns_the_head_morphs_its_outline():
    stand = {"support": "standing", "hip_x": 100}
    data = exercise(
        {"start": stand, "end": {**stand, "joints": {"neck_rotation": 60}}}, view="front"
    )
    assert problems(data) == []
    figure = exercise_figure(data)
    heads = [step for step in figure.motion.body if step.kind == "shape" and step.part == "head"]
    assert len(heads) == 1 and heads[0].morph
    outlines = heads[0].morph.split(";")
    # Out, held, back, rested: the start's outline first and last, the end's in the middle.
    assert len(outlines) == 5 and outlines[0] == outlines[-1] != outlines[1]
    # Every key frame's outline has the same segments, so the browser morphs between them.
    assert len({outline.count("C") for outline in outlines}) == 1
    root = ET.fromstring(render_svg(figure.motion))
    morphs = [
        element for element in root.iter(f"{SVG}animate") if element.get("attributeName") == "d"
    ]
    assert any(element.get("values") == heads[0].morph for element in morphs)
    # The stills draw the plain face-on head at the start and the turned one at the end.
    start, end = figure.stills
    start_head = next(step for step in start.body if step.part == "head" and step.kind == "shape")
    end_head = next(step for step in end.body if step.part == "head" and step.kind == "shape")
    assert start_head.d == outline("head", "front").d and not start_head.morph
    assert end_head.d == outlines[1]


def test_the_face_goes_round_with_the_head_and_a_turn_cue_points_the_way_it_goes():
    stand = {"support": "standing", "hip_x": 100}
    cue = {"kind": "turn", "point": "face", "around": "head", "length": 20}
    data = exercise(
        {"start": stand, "end": {**stand, "joints": {"neck_rotation": 60}}}, view="front", cue=cue
    )
    figure = exercise_figure(data)
    _, bodies = posed(data)
    start_face, end_face = bodies["start"].point("face"), bodies["end"].point("face")
    assert end_face[0] < start_face[0] - 3  # toward the figure's right: the viewer's left
    centre = bodies["start"].point("head")
    tip = tuple(map(float, split_corners(figure.end.cue.head)[0].split()))
    assert tip[0] < centre[0] - 5 and tip[1] > centre[1]  # round the front, to the left
    path = figure.end.cue.d
    assert path.startswith("M") and "A10 2.8 " in path
    mirrored = exercise_figure(
        exercise(
            {"start": stand, "end": {**stand, "joints": {"neck_rotation": 60}}},
            view="back",
            cue=cue,
        )
    )
    mirrored_tip = split_corners(mirrored.end.cue.head)[0]
    assert float(mirrored_tip.split()[0]) > centre[0] + 5  # seen from behind, to the right


def split_corners(head: str) -> list[str]:
    """The arrowhead's three corners from its points ("x y x y x y", minus signs joining)."""
    numbers = re.findall(r"-?\d+(?:\.\d+)?", head)
    return [f"{numbers[i]} {numbers[i + 1]}" for i in range(0, 6, 2)]


def test_a_turn_cue_needs_what_it_circles_and_its_width():
    stand = {"support": "standing", "hip_x": 100}
    with pytest.raises(FigureDataError, match="a turn needs 'around'"):
        exercise({"start": stand, "end": stand}, cue={"kind": "turn", "point": "face"})
