"""The drawing: nested groups that put every part where the geometry says, in the still and
at each key frame of the animation; shading, props, the movement's arrow; and the API the pages
use."""

import math
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string

from exercises.figures import exercise_figure, figure_for, render_svg
from exercises.figures.drawing import FAR_FILL, NEAR_FILL, WORKING_FILL, timing
from exercises.figures.geometry import HEIGHT, WIDTH, Affine
from exercises.figures.plausibility import posed
from exercises.figures.poses import Tempo
from tests.exercises.factories import ExerciseFactory

from .helpers import close, drawn_frames, exercise

SVG = "{http://www.w3.org/2000/svg}"


def shape_frame(part) -> Affine:
    return part.frame.then(Affine(a=part.seen))


@pytest.mark.parametrize(
    "slug", ["knee-to-chest-stretch", "prone-press-up", "sit-to-stand", "upper-trapezius-stretch"]
)
def test_each_still_draws_every_part_where_the_geometry_puts_it(slug):
    figure = figure_for(slug)
    _, bodies = posed(figure.data)
    for drawing in figure.stills:
        body = bodies[drawing.pose]
        frames = drawn_frames(drawing.body)
        for name, frame in frames.items():
            assert close(frame, shape_frame(body.parts[name])), (drawing.pose, name)


@pytest.mark.parametrize(
    "slug", ["knee-to-chest-stretch", "prone-press-up", "sit-to-stand", "upper-trapezius-stretch"]
)
def test_at_each_key_frame_the_animation_shows_that_pose_with_the_body_joined_up(slug):
    figure = figure_for(slug)
    _, bodies = posed(figure.data)
    poses = [pose.name for pose in figure.data.poses]
    _, frames = timing(figure.data.tempo, len(poses) - 1)
    for key, index in enumerate(frames):
        body = bodies[poses[index]]
        for name, frame in drawn_frames(figure.motion.body, key).items():
            assert close(frame, shape_frame(body.parts[name])), (key, name)


def test_groups_nest_as_the_joints_do():
    steps = figure_for("sit-to-stand").motion.body
    chains, stack = set(), []
    for step in steps:
        if step.kind == "open":
            stack.append(step.part)
        elif step.kind == "close":
            stack.pop()
        else:
            chains.add(tuple(stack))
    assert ("pelvis", "torso", "neck", "head") in chains
    assert ("pelvis", "torso", "right_upper_arm", "right_forearm", "right_hand") in chains
    assert ("pelvis", "right_thigh", "right_shin", "right_foot") in chains


def test_the_animation_turns_only_the_joints_that_move_and_each_turn_about_its_joint():
    svg = render_svg(figure_for("chin-tuck").motion)
    root = ET.fromstring(svg)
    turns = [
        element.get("values")
        for element in root.iter(f"{SVG}animateTransform")
        if element.get("type") == "rotate"
    ]
    # The neck (its group is opened twice: behind the torso, and again to carry the head in
    # front of it), then the head on it.
    assert turns == ["8;-18;-18;8;8", "8;-18;-18;8;8", "-8;18;18;-8;-8"]
    for element in root.iter(f"{SVG}animateTransform"):
        assert element.get("additive") == "sum"  # added to the group's move to its joint
        assert element.get("repeatCount") == "indefinite" and element.get("dur") == "10s"


def test_timing_goes_out_holds_comes_back_and_rests():
    assert timing(Tempo(step=2.5), 1)[1] == [0, 1, 1, 0, 0]
    assert timing(Tempo(step=2, hold=False), 2)[1] == [0, 1, 2, 1, 0, 0]
    paced, frames = timing(Tempo(step=2, hold=False, rest=False), 1)
    assert frames == [0, 1, 0] and paced.dur == "4s" and paced.key_splines == ".4 0 .6 1;.4 0 .6 1"


def test_a_far_limb_posed_like_the_near_one_is_hidden_behind_it_and_not_drawn():
    both = exercise(
        {
            "start": {"support": "standing", "hip_x": 100},
            "end": {"support": "standing", "hip_x": 100},
        }
    )
    drawn = {step.part for step in exercise_figure(both).start.body if step.kind == "shape"}
    assert "right_thigh" in drawn and "left_thigh" not in drawn
    apart = exercise(
        {
            "start": {"support": "standing", "hip_x": 100},
            "end": {"support": ["right_foot"], "hip_x": 100, "joints": {"left_knee_flexion": 60}},
        }
    )
    drawn = {step.part for step in exercise_figure(apart).end.body if step.kind == "shape"}
    # The left knee bends in the end pose: its shin and foot show, its thigh is still behind.
    assert {"left_shin", "left_foot"} <= drawn and "left_thigh" not in drawn


def test_the_far_side_is_darker_and_the_working_side_darker_still():
    figure = figure_for("standing-calf-stretch")
    fills = {step.part: step.fill for step in figure.end.body if step.kind == "shape"}
    assert fills["right_shin"] == WORKING_FILL  # the leg stretched
    assert fills["left_shin"] == FAR_FILL and fills["torso"] == NEAR_FILL
    assert len({WORKING_FILL, FAR_FILL, NEAR_FILL}) == 3


def test_the_arrow_runs_from_the_start_pose_toward_the_end_pose_inside_the_picture():
    for slug in (
        "knee-to-chest-stretch",
        "prone-press-up",
        "chin-tuck",
        "standing-side-bend-stretch",
    ):
        cue = figure_for(slug).start.cue
        points = [float(n) for n in cue.head.replace("-", " -").split()]
        tips = list(zip(points[0::2], points[1::2], strict=True))
        assert all(0 < x < WIDTH and 0 < y < HEIGHT for x, y in tips), slug
    # Knees drawn to the chest: the arrow points from the feet's side toward the head's.
    figure = figure_for("knee-to-chest-stretch")
    _, bodies = posed(figure.data)
    tip = [float(n) for n in figure.start.cue.head.split()[:2]]
    start = bodies["start"].point("right_knee")
    assert tip[0] < start[0]


def test_chin_tucks_arrow_points_backward_at_the_chin():
    figure = figure_for("chin-tuck")
    _, bodies = posed(figure.data)
    chin = bodies["start"].point("chin")
    tip_x, tip_y = (float(n) for n in figure.start.cue.head.split()[:2])
    assert chin[0] < tip_x < chin[0] + 12 and math.isclose(tip_y, chin[1], abs_tol=2)
    assert figure.start.cue.d.startswith("M")


def test_figure_for_takes_a_slug_or_a_shared_exercise_but_not_a_clinics_own():
    class Shared:
        slug, clinic_id = "prone-press-up", None

    class Clinics:
        slug, clinic_id = "prone-press-up", 7

    assert figure_for("prone-press-up") is figure_for(Shared())
    assert figure_for(Clinics()) is None
    assert figure_for("no-such-exercise") is None
    figure = figure_for("prone-press-up")
    assert (figure.name, figure.start.pose, figure.end.pose, figure.middle) == (
        "Prone press-up",
        "start",
        "end",
        None,
    )
    assert figure_for("sit-to-stand").middle.title.startswith("Chest leaning forward")


@pytest.mark.django_db
def test_figure_for_a_saved_exercise_goes_by_its_slug_when_it_is_shared():
    shared = ExerciseFactory(clinic=None, slug="knee-to-chest-stretch")
    own = ExerciseFactory(slug="knee-to-chest-stretch")
    assert figure_for(shared).slug == "knee-to-chest-stretch"
    assert figure_for(own) is None


def test_the_page_partial_offers_the_animation_and_the_stills():
    figure = figure_for("sit-to-stand")
    html = render_to_string("exercises/figures/exercise_figure.html", {"figure": figure})
    motion, _, stills = html.partition('<div class="exercise-figure-stills">')
    assert motion.count("<svg") == 1 and "<animateTransform" in motion
    assert stills.count("<svg") == 3 and "<animate" not in stills
    for drawing in (*figure.stills, figure.motion):
        assert f"<title>{drawing.title}</title>" in html


def test_a_towel_with_a_point_for_each_pose_runs_through_it_in_each_picture():
    gathered = {"start": [140, 1.6], "end": [118, 4.5]}
    standing = {"support": "standing", "hip_x": 100}
    data = exercise(
        {"start": standing, "end": standing},
        props=[{"kind": "towel", "through": [[110, 1.6], gathered]}],
    )
    figure = exercise_figure(data)
    start, end = figure.start.straps[0].d, figure.end.straps[0].d
    assert (start, end) == ("M110 140.4L140 140.4", "M110 140.4L118 137.5")
    assert figure.motion.straps[0].morph == ";".join([start, end, end, start, start])


def test_a_figure_facing_left_that_moves_across_the_picture_stays_joined_up():
    data = exercise(
        {
            "start": {"support": "standing", "hip_x": 90},
            "end": {"support": "standing", "hip_x": 110, "joints": {"trunk_flexion": 30}},
        },
        facing="left",
    )
    figure = exercise_figure(data)
    _, bodies = posed(data)
    for key, pose in enumerate(["start", "end", "end", "start", "start"]):
        for name, frame in drawn_frames(figure.motion.body, key).items():
            assert close(frame, shape_frame(bodies[pose].parts[name])), (key, name)
    assert figure.motion.body[0].transform == "scale(-1 1)"
