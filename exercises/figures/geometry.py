"""Forward kinematics: a pose's angles turned into where each segment of the body is in the
picture.

The picture is WIDTH x HEIGHT units with the ground line at y = GROUND, the same for every
exercise, so pictures line up in a grid. Inside this package, points are in the picture's own
coordinates (SVG's: x to the right, y down); pose data gives heights above the ground instead,
and `height()` / `picture_y()` convert.

Each part's frame is its parent's frame moved to the part's joint and turned by the part's
angle, so the SVG draws each part in a group nested in its parent's group, transformed the same
way (drawing.py), and an animation of the angles keeps the body joined up.
"""

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from .body import (
    DEPTHS,
    SEGMENTS,
    SOLE,
    TILT_TURN,
    across,
    attach,
    elbow_split,
    movements_for,
    part_names,
    split_part,
    turn_sign,
    turned_landmark,
    turned_outline,
)
from .poses import Pose
from .shapes import Outline, Point

WIDTH = 200
HEIGHT = 150
GROUND = 142.0


def height(y: float) -> float:
    return GROUND - y


def picture_y(height_above_ground: float) -> float:
    return GROUND - height_above_ground


class Affine(NamedTuple):
    """x' = a x + c y + e, y' = b x + d y + f (SVG's matrix(a b c d e f))."""

    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    d: float = 1.0
    e: float = 0.0
    f: float = 0.0

    def apply(self, point: Point) -> Point:
        x, y = point
        return self.a * x + self.c * y + self.e, self.b * x + self.d * y + self.f

    def then(self, inner: "Affine") -> "Affine":
        """This transform applied after `inner` (as SVG nests a group inside another)."""
        return Affine(
            self.a * inner.a + self.c * inner.b,
            self.b * inner.a + self.d * inner.b,
            self.a * inner.c + self.c * inner.d,
            self.b * inner.c + self.d * inner.d,
            self.a * inner.e + self.c * inner.f + self.e,
            self.b * inner.e + self.d * inner.f + self.f,
        )


def translation(x: float, y: float) -> Affine:
    return Affine(e=x, f=y)


def rotation(degrees: float) -> Affine:
    radians = math.radians(degrees)
    cos, sin = math.cos(radians), math.sin(radians)
    return Affine(cos, sin, -sin, cos)


MIRROR = Affine(a=-1.0)


@dataclass(frozen=True)
class Part:
    """One segment of a posed body: its joint at `offset` in its parent's frame, turned by
    `angle` degrees (clockwise on the screen) from the parent's frame, with `seen` of its
    length showing (1 in the picture's plane, less when it points toward or away from the
    viewer, negative when it points back past its joint). `turn` is how far it is turned
    about its own long axis (the trunk's and the head's rotation), and `across` the share of
    its width that shows for it."""

    name: str
    segment: str
    side: str | None
    parent: str | None
    offset: Point
    angle: float
    seen: float
    frame: Affine
    outline: Outline
    turn: float = 0.0
    across: float = 1.0

    def at(self, point: Point) -> Point:
        """A point of this segment's frame (at full length) in the picture."""
        return self.frame.apply((point[0] * self.seen, point[1] * self.across))

    def edge(self) -> list[Point]:
        """Points around its outline in the picture."""
        return [self.at(point) for point in self.outline.points]


@dataclass(frozen=True)
class Body:
    """A posed body in the picture. `parts` are in order, parents before children."""

    pose: Pose
    plane: str
    mirrored: bool
    parts: dict[str, Part]

    def part(self, name: str) -> Part:
        return self.parts[name]

    def point(self, name: str) -> Point:
        """A named point: a joint ("right_knee", "waist", "hips") or a landmark ("chin",
        "left_heel", "right_fingertips") in the picture."""
        side, bare = split_part(name)
        for part in self.parts.values():
            if part.side != side:
                continue
            segment = SEGMENTS[part.segment]
            if segment.joint == bare:
                return part.frame.apply((0.0, 0.0))
            if bare in segment.landmarks[self.plane]:
                landmark = segment.landmarks[self.plane][bare]
                return part.at(turned_landmark(part.segment, self.plane, bare, landmark, part.turn))
        raise KeyError(f"no point named {name!r} in the {self.plane} view")

    def sole(self, side: str) -> tuple[Point, Point]:
        foot = self.parts[f"{side}_foot"]
        first, second = SOLE[self.plane]
        return foot.at(first), foot.at(second)

    def edge(self, names: Iterable[str] | None = None) -> list[Point]:
        names = self.parts if names is None else names
        return [point for name in names for point in self.parts[name].edge()]


def _parts(pose: Pose, plane: str, mirrored: bool, hips: Point) -> dict[str, Part]:
    parts: dict[str, Part] = {}
    pitches: dict[str, float] = {}
    for name in part_names():
        side, bare = split_part(name)
        segment = SEGMENTS[bare]
        angle = segment.rest[plane]
        pitch = 0.0
        for movement in movements_for(bare):
            value = pose.angle(movement.name, side)
            if movement.name == "elbow_flexion":
                shoulder = pose.angle("shoulder_rotation", side)
                value, toward_viewer = elbow_split(plane, value, shoulder)
                pitch += toward_viewer
            angle += turn_sign(movement.name, plane, side) * value
            pitch += DEPTHS[plane].get(movement.name, 0) * value
        if segment.parent is None:
            angle = segment.rest[plane] + TILT_TURN[plane] * pose.tilt
            offset = hips
            frame = translation(*hips)
            if mirrored:
                frame = frame.then(MIRROR)
            parent_name = None
        else:
            parent_bilateral = SEGMENTS[segment.parent].bilateral
            parent_name = f"{side}_{segment.parent}" if parent_bilateral else segment.parent
            parent = parts[parent_name]
            # A segment hanging back along its parent (an arm from the shoulder, a thigh from
            # the hip) tilts the other way when its parent tilts toward the viewer.
            inherited = pitches[parent_name]
            pitch += -inherited if abs(segment.rest[plane]) == 180 else inherited
            x, y = attach(segment, plane, side, pose.angle("trunk_rotation"))
            offset = (x * parent.seen, y)
            frame = parent.frame.then(translation(*offset))
        if name in pose.seen:
            # The pose says how much shows: what the two-dimensional chain of tilts cannot
            # (a forearm brought back upright by the shoulder's rotation, which the figure does
            # not model). Its children tilt from there.
            pitch = math.degrees(math.acos(pose.seen[name]))
        pitches[name] = pitch
        seen = round(math.cos(math.radians(pitch)), 2)
        if name in pose.turned:
            # The pose turns it further, clockwise on the screen as drawn: the direction a
            # segment pointing out of the picture's plane shows in, which the flat chain of
            # turns cannot give (a thigh fallen out to the side seen from the front). Its
            # children turn with it.
            angle += -pose.turned[name] if mirrored else pose.turned[name]
        frame = frame.then(rotation(angle))
        # Turning about its own long axis: the trunk, and the head riding on it.
        turn = pose.angle("trunk_rotation") if bare in ("torso", "head") else 0.0
        if bare == "head":
            turn += pose.angle("neck_rotation")
        parts[name] = Part(
            name=name,
            segment=bare,
            side=side,
            parent=parent_name,
            offset=offset,
            angle=angle,
            seen=seen,
            frame=frame,
            outline=turned_outline(bare, plane, turn),
            turn=turn,
            across=across(bare, plane, turn),
        )
    return parts


def pose_body(
    pose: Pose,
    *,
    plane: str,
    mirrored: bool = False,
    ground_under: Callable[[float, str], float] | None = None,
) -> Body:
    """The body in `pose`, its hip joint at (hip_x, hip_height). With no hip_height the body
    is lowered onto what is under it: `ground_under(x, segment)` gives the picture y of the
    highest surface that segment can rest on at x (the floor without it)."""
    if pose.hip_height is not None:
        return Body(
            pose,
            plane,
            mirrored,
            _parts(pose, plane, mirrored, (pose.hip_x, picture_y(pose.hip_height))),
        )
    ground_under = ground_under or (lambda x, segment: GROUND)
    up_high = picture_y(400)
    body = Body(pose, plane, mirrored, _parts(pose, plane, mirrored, (pose.hip_x, up_high)))
    drop = min(
        ground_under(x, part.segment) - y for part in body.parts.values() for x, y in part.edge()
    )
    return Body(pose, plane, mirrored, _parts(pose, plane, mirrored, (pose.hip_x, up_high + drop)))
