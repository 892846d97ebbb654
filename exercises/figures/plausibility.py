"""Checks that a pose is one a body can take and the picture shows it properly:

- ranges: every movement inside the drawing range (DRAWING_SHARE of the normal range, so no
  picture shows a joint at its end), the hamstrings' limit on hip flexion with a straight knee,
  and the neck's range for neck and head together;
- floor and props: no part of the body below the floor or pressed into a prop further than
  the prop gives;
- support: the body rests where the pose says (its `support`): each part named rests on the
  surface under it, within CONTACT_TOLERANCE (a foot flat on it at heel and ball; a hand may
  touch a wall or a door frame instead);
- frame: the whole body inside the picture.

`problems(data)` runs them all on every pose of an exercise; the tests run it on every
exercise that has poses.
"""

import math
from dataclasses import dataclass

from .body import (
    DRAWING_SHARE,
    HIP_FLEXION_KNEE_STRAIGHT,
    KNEE_STRAIGHT_BELOW,
    MOVEMENTS,
    SIDES,
    split_part,
)
from .geometry import HEIGHT, WIDTH, Body, pose_body
from .poses import FigureData, Pose
from .props import Scene, scene
from .shapes import Point, num

CONTACT_TOLERANCE = 1.5  # 2.5 cm for a figure 170 cm tall
KNEE_REACH = 4.5  # the knee's outline: the thigh and shin within this of the joint
FRAME_MARGIN = 1.0
# The body's own give: skin and muscle pressed on a hard surface.
PRESS_TOLERANCE = 0.8


@dataclass(frozen=True)
class Problem:
    slug: str
    pose: str
    check: str  # "range", "floor", "prop", "support" or "frame"
    message: str

    def __str__(self) -> str:
        return f"{self.slug}, {self.pose} pose: {self.message}"


def _words(name: str) -> str:
    return name.replace("_", " ")


def _degrees(value: float) -> str:
    return f"{num(value)}°"


def range_problems(pose: Pose) -> list[str]:
    found = []
    for key, value in pose.joints.items():
        side, name = split_part(key)
        movement = MOVEMENTS[name]
        low, high = movement.low * DRAWING_SHARE, movement.high * DRAWING_SHARE
        if not low <= value <= high:
            found.append(
                f"{_words(key)} {_degrees(value)} is outside the drawing range "
                f"{_degrees(low)} to {_degrees(high)} (normal: {movement.negative} "
                f"{_degrees(-movement.low)}, {movement.positive} {_degrees(movement.high)})"
            )
    for side in SIDES:
        knee = pose.angle("knee_flexion", side)
        hip = pose.angle("hip_flexion", side)
        limit = HIP_FLEXION_KNEE_STRAIGHT * DRAWING_SHARE
        if knee < KNEE_STRAIGHT_BELOW and hip > limit:
            found.append(
                f"{side} hip flexion {_degrees(hip)} with the knee nearly straight "
                f"({_degrees(knee)}): the hamstrings allow about "
                f"{_degrees(HIP_FLEXION_KNEE_STRAIGHT)}, so draw at most {_degrees(limit)} "
                "or bend the knee"
            )
    neck = MOVEMENTS["neck_flexion"]
    together = pose.angle("neck_flexion") + pose.angle("head_flexion")
    if not neck.low * DRAWING_SHARE <= together <= neck.high * DRAWING_SHARE:
        found.append(
            f"neck and head flexion together {_degrees(together)} are outside the neck's "
            f"drawing range {_degrees(neck.low * DRAWING_SHARE)} to "
            f"{_degrees(neck.high * DRAWING_SHARE)}"
        )
    return found


def _gap_below(point: Point, where: Scene, segment: str) -> float | None:
    """How far above the surface under it a point is (negative: pressed into it)."""
    surface = where.surface_under(point, slack=CONTACT_TOLERANCE + 2, segment=segment)
    return None if surface is None else surface.y0 - point[1]


def _rests(body: Body, parts: list[str], where: Scene, near: Point | None = None) -> float | None:
    """The smallest gap between the parts' outlines (those within KNEE_REACH of `near`, if
    given) and the surfaces under them."""
    gaps = []
    for name in parts:
        part = body.parts[name]
        for point in part.edge():
            if near and math.dist(point, near) > KNEE_REACH:
                continue
            gap = _gap_below(point, where, part.segment)
            if gap is not None:
                gaps.append(gap)
    return min(gaps, default=None)


def _contact_problem(contact: str, body: Body, where: Scene) -> str | None:
    side, part = split_part(contact)
    tolerance = CONTACT_TOLERANCE
    if part in ("hand", "forearm"):
        points = body.edge([contact])
        distance = min(surface.distance(point) for point in points for surface in where.surfaces)
        if distance > tolerance:
            return f"the {_words(contact)} should rest on something but is {num(distance)} away"
        return None
    if part == "foot":
        gaps = [_gap_below(point, where, "foot") for point in body.sole(side)]
        if any(gap is None or abs(gap) > tolerance for gap in gaps):
            shown = ", ".join("nothing under it" if gap is None else num(gap) for gap in gaps)
            return (
                f"the {_words(contact)} should be flat on the ground: its sole is {shown} above it"
            )
        return None
    if part in ("toes", "heel"):
        landmark = {"toes": "ball", "heel": "heel"}[part]
        name = f"{side}_{landmark}" if body.plane == "side" else f"{side}_sole"
        gap = _gap_below(body.point(name), where, "foot")
        if gap is None or abs(gap) > tolerance:
            return f"the {_words(contact)} should rest on the ground: {num(gap or 0)} above it"
        return None
    if part == "knee":
        knee = body.point(contact)
        gap = _rests(body, [f"{side}_thigh", f"{side}_shin"], where, near=knee)
    else:
        gap = _rests(body, [contact], where)
    if gap is None or abs(gap) > tolerance:
        return (
            f"the {_words(contact)} should rest on what is under it but is "
            f"{num(gap or 0)} above it (within {num(tolerance)})"
        )
    return None


def body_problems(body: Body, where: Scene) -> list[tuple[str, str]]:
    """(check, message) for the floor, props, support and frame checks of one posed body."""
    found = []
    for name, part in body.parts.items():
        points = part.edge()
        for solid in where.solids:
            if not solid.meets(part.segment):
                continue
            depth = max(solid.depth(point) for point in points)
            if depth > PRESS_TOLERANCE + solid.give:
                if solid.kind == "floor":
                    found.append(("floor", f"the {_words(name)} is {num(depth)} below the floor"))
                else:
                    found.append(
                        (
                            "prop",
                            f"the {_words(name)} is {num(depth)} inside the {_words(solid.kind)}",
                        )
                    )
        outside = max(
            max(FRAME_MARGIN - x, x - (WIDTH - FRAME_MARGIN), FRAME_MARGIN - y, y - HEIGHT)
            for x, y in points
        )
        if outside > 0:
            found.append(
                ("frame", f"the {_words(name)} reaches {num(outside)} outside the picture")
            )
    for contact in body.pose.support:
        problem = _contact_problem(contact, body, where)
        if problem:
            found.append(("support", problem))
    return found


def posed(data: FigureData) -> tuple[Scene, dict[str, Body]]:
    """The exercise's scene and its body in each pose, by pose name."""
    where = scene(data.props, plane=data.plane, facing=data.facing)
    bodies = {
        pose.name: pose_body(
            pose, plane=data.plane, mirrored=data.mirrored, ground_under=where.ground_under
        )
        for pose in data.poses
    }
    return where, bodies


def problems(data: FigureData) -> list[Problem]:
    """Everything wrong with an exercise's poses; empty when they all pass."""
    where, bodies = posed(data)
    found = []
    for pose in data.poses:
        found += [
            Problem(data.slug, pose.name, "range", message) for message in range_problems(pose)
        ]
        found += [
            Problem(data.slug, pose.name, check, message)
            for check, message in body_problems(bodies[pose.name], where)
        ]
    return found
