"""The figure's body: its proportions, the segments and where each hangs on its parent, the
joints' movements with their normal ranges, and each segment's outline and named points.

Units: the figure stands H = 100 units tall, and every length below is a fraction of H from
Drillis & Contini's table (as given in Winter, *Biomechanics and Motor Control of Human
Movement*) times H, unless its comment says otherwise.

Each segment has its own frame: the origin is its joint, the x axis runs along the segment away
from its parent, and the y axis is the x axis turned a quarter clockwise on the screen. For the
trunk and head of a figure seen from the side facing right, +y is the figure's front; seen from
the front, +y is the figure's left (which is on the viewer's right).

Two views are drawn: "side" (the sagittal plane: flexion and extension) and "front" (the
frontal plane: side bends, abduction and adduction). The back view is the front view mirrored,
and a figure facing left is one facing right mirrored.
"""

import math
from dataclasses import dataclass
from functools import cache

from .shapes import Outline, Point, capsule, smooth, symmetric

H = 100.0

HIP_HEIGHT = 0.530 * H
KNEE_HEIGHT = 0.285 * H
ANKLE_HEIGHT = 0.039 * H
SHOULDER_HEIGHT = 0.818 * H
CHIN_HEIGHT = 0.870 * H
UPPER_ARM = 0.186 * H
FOREARM = 0.146 * H
HAND = 0.108 * H
THIGH = 0.245 * H
SHANK = 0.246 * H
FOOT = 0.152 * H
# The table gives the trunk from hip joint to shoulder as one piece; the figure bends it at the
# waist (about the third lumbar vertebra) and at the base of the neck.
PELVIS = 10.0
TORSO = 19.5
NECK = CHIN_HEIGHT + 0.5 - HIP_HEIGHT - PELVIS - TORSO  # the skull's base just above the chin
SHOULDER_ON_TORSO = SHOULDER_HEIGHT - HIP_HEIGHT - PELVIS
# Half the distance between the joints seen from the front: the shoulders' outer edges (the
# upper arm's round top) make the table's shoulder width, the thighs' the hip width.
SHOULDER_SPREAD = 10.0
HIP_SPREAD = 5.0

SIDES = ("left", "right")
VIEWS = ("side", "front")


@dataclass(frozen=True)
class Segment:
    """One rigid piece of the body. `attach` is where its joint sits in the parent's frame
    and `rest` its angle there in the standing position (degrees, clockwise on the screen),
    per view; for a segment on both sides the values are the left one's, and the right one's
    mirror them in the front view. `landmarks` are named points in its own frame."""

    name: str
    parent: str | None
    bilateral: bool
    length: float
    joint: str  # the name of its joint as a point: "knee" for the shin
    attach: dict[str, Point]
    rest: dict[str, float]
    landmarks: dict[str, dict[str, Point]]


def _both(point: Point) -> dict[str, Point]:
    return {"side": point, "front": point}


SEGMENTS: dict[str, Segment] = {
    segment.name: segment
    for segment in (
        Segment(
            "pelvis",
            None,
            False,
            PELVIS,
            "hips",
            _both((0, 0)),
            _both(-90),
            {"side": {"buttocks": (-1.0, -5.6)}, "front": {}},
        ),
        Segment(
            "torso",
            "pelvis",
            False,
            TORSO,
            "waist",
            {"side": (PELVIS, 0), "front": (PELVIS, 0)},
            _both(0),
            {
                "side": {"chest": (13.0, 6.8), "upper_back": (13.5, -6.6)},
                "front": {"chest": (13.0, 0)},
            },
        ),
        Segment(
            "neck",
            "torso",
            False,
            NECK,
            "neck",
            {"side": (TORSO, -0.4), "front": (TORSO, 0)},
            _both(0),
            {"side": {}, "front": {}},
        ),
        Segment(
            "head",
            "neck",
            False,
            0,
            "skull_base",
            _both((NECK, 0)),
            _both(0),
            {
                "side": {
                    "head": (6.0, 0),
                    "head_top": (12.5, 0.5),
                    "chin": (-0.8, 4.4),
                    "face": (6.5, 6.0),
                    "back_of_head": (5.5, -6.0),
                },
                "front": {
                    "head": (6.0, 0),
                    "head_top": (12.5, 0),
                    "chin": (-0.9, 0),
                    "face": (6.5, 0),
                },
            },
        ),
        Segment(
            "upper_arm",
            "torso",
            True,
            UPPER_ARM,
            "shoulder",
            {"side": (SHOULDER_ON_TORSO, -1.8), "front": (SHOULDER_ON_TORSO, SHOULDER_SPREAD)},
            _both(180),
            {"side": {}, "front": {}},
        ),
        Segment(
            "forearm",
            "upper_arm",
            True,
            FOREARM,
            "elbow",
            _both((UPPER_ARM, 0)),
            _both(0),
            {"side": {}, "front": {}},
        ),
        Segment(
            "hand",
            "forearm",
            True,
            HAND,
            "wrist",
            _both((FOREARM, 0)),
            _both(0),
            _both({"hand": (5.0, 0), "fingertips": (HAND, 0)}),
        ),
        Segment(
            "thigh",
            "pelvis",
            True,
            THIGH,
            "hip",
            {"side": (0, 0), "front": (0, HIP_SPREAD)},
            _both(180),
            {"side": {}, "front": {}},
        ),
        Segment(
            "shin",
            "thigh",
            True,
            SHANK,
            "knee",
            _both((THIGH, 0)),
            _both(0),
            {"side": {}, "front": {}},
        ),
        Segment(
            "foot",
            "shin",
            True,
            0,
            "ankle",
            _both((SHANK, 0)),
            {"side": -90, "front": 0},
            {
                "side": {
                    "heel": (-2.2, ANKLE_HEIGHT),
                    "ball": (9.4, ANKLE_HEIGHT),
                    "toes": (12, 3.1),
                },
                "front": {"sole": (ANKLE_HEIGHT, 0)},
            },
        ),
    )
}

# The two ends of the sole, which both touch the ground when a foot is flat.
SOLE = {
    "side": ((-2.2, ANKLE_HEIGHT), (9.4, ANKLE_HEIGHT)),
    "front": ((ANKLE_HEIGHT, -2.6), (ANKLE_HEIGHT, 2.6)),
}

# Limbs by the name a pose uses for them ("right_leg"), for shading the working side.
LIMBS = {"arm": ("upper_arm", "forearm", "hand"), "leg": ("thigh", "shin", "foot")}


def part_names() -> list[str]:
    """Every part of a figure, parents before children: "pelvis", ..., "left_thigh", ..."""
    names = []
    for segment in SEGMENTS.values():
        if segment.bilateral:
            names += [f"{side}_{segment.name}" for side in SIDES]
        else:
            names.append(segment.name)
    return names


def point_names(view: str) -> list[str]:
    """Every named point of the body in a view ("side" or "front"): the joints ("waist",
    "right_knee") and the landmarks ("chin", "left_heel")."""
    names = []
    for segment in SEGMENTS.values():
        for bare in [segment.joint, *segment.landmarks[view]]:
            if segment.bilateral:
                names += [f"left_{bare}", f"right_{bare}"]
            else:
                names.append(bare)
    return names


def split_part(part: str) -> tuple[str | None, str]:
    """("left", "thigh") for "left_thigh"; (None, "torso") for "torso"."""
    for side in SIDES:
        if part.startswith(side + "_"):
            return side, part[len(side) + 1 :]
    return None, part


# Outlines ------------------------------------------------------------------------------------
# Points are (along the segment, across it) in its frame. Limbs are capsules (rounded at both
# ends, the joint's end as wide as the segment it meets); the trunk, head and feet are smooth
# shapes.

_PELVIS_SIDE = [
    (11.0, 4.8),
    (5.5, 6.0),
    (0.5, 5.6),
    (-3.8, 3.2),
    (-6.0, -0.5),
    (-5.0, -4.0),
    (-1.0, -5.6),
    (5.0, -5.4),
    (11.0, -4.4),
]
_TORSO_SIDE = [
    (-1.5, 5.2),
    (3.0, 5.6),
    (8.0, 6.0),
    (13.0, 6.8),
    (17.5, 5.8),
    (20.2, 2.8),
    (20.6, -2.0),
    (18.5, -5.4),
    (13.5, -6.6),
    (7.0, -5.6),
    (1.5, -5.0),
    (-1.5, -5.0),
]
_HEAD_SIDE = [
    (-0.8, 4.4),
    (2.5, 5.6),
    (6.5, 6.0),
    (10.2, 5.0),
    (12.5, 1.2),
    (12.2, -2.8),
    (9.5, -5.4),
    (5.5, -6.0),
    (1.8, -4.6),
    (-0.2, -2.0),
    (-1.0, 1.5),
]
_FOOT_SIDE = [
    (-1.2, -2.0),
    (-3.2, 0.8),
    (-2.2, ANKLE_HEIGHT),
    (9.4, ANKLE_HEIGHT),
    (12.0, 3.1),
    (11.2, 1.5),
    (5.0, -0.4),
    (1.6, -2.4),
]
_PELVIS_FRONT = symmetric(
    [(11.0, 8.0), (5.0, 8.8), (0.0, 9.6), (-4.0, 8.2), (-5.6, 4.0), (-6.0, 0)]
)
_TORSO_FRONT = symmetric(
    [(-1.5, 8.0), (4.0, 8.2), (10.0, 9.0), (15.5, 10.2), (19.0, 10.8), (20.6, 7.8), (21.0, 3.5)]
)
_HEAD_FRONT = symmetric([(-0.9, 0), (0.5, 3.0), (4.0, 4.7), (8.5, 4.9), (11.5, 3.4), (12.5, 0)])
_FOOT_FRONT = symmetric([(-1.5, 2.2), (1.5, 2.9), (ANKLE_HEIGHT, 3.0)])

_SMOOTH: dict[tuple[str, str], tuple[list[Point], tuple[int, ...]]] = {
    ("pelvis", "side"): (_PELVIS_SIDE, (len(_PELVIS_SIDE) - 1,)),
    ("torso", "side"): (_TORSO_SIDE, (len(_TORSO_SIDE) - 1,)),
    ("head", "side"): (_HEAD_SIDE, ()),
    ("foot", "side"): (_FOOT_SIDE, (2,)),
    ("pelvis", "front"): (_PELVIS_FRONT, (len(_PELVIS_FRONT) - 1,)),
    ("torso", "front"): (_TORSO_FRONT, (len(_TORSO_FRONT) - 1,)),
    ("head", "front"): (_HEAD_FRONT, ()),
    ("foot", "front"): (_FOOT_FRONT, (2,)),
}
# (length to the far circle, radius at the joint, radius at the far end)
_CAPSULES: dict[str, tuple[float, float, float]] = {
    "neck": (NECK, 2.9, 2.7),
    "upper_arm": (UPPER_ARM, 3.1, 2.4),
    "forearm": (FOREARM, 2.3, 1.7),
    "hand": (HAND - 1.55, 1.75, 1.55),  # the far circle's edge is the fingertips
    "thigh": (THIGH, 5.0, 3.4),
    "shin": (SHANK, 3.3, 2.2),
}


@cache
def outline(segment: str, view: str) -> Outline:
    """The segment's outline in its own frame, at full length. A segment seen at a slant is
    this outline scaled along its axis (geometry.Part.edge, and the drawing's scale)."""
    if segment in _CAPSULES:
        return capsule(*_CAPSULES[segment])
    points, straight = _SMOOTH[(segment, view)]
    return smooth(points, straight)


# A head turning on its neck (AXIAL movements) is drawn by blending its outline between the
# face-on shape and the profile, point for point, so every blend is one smooth outline with
# the same segments and an animation can morph one into the next. The profile's points start
# under the jaw (_HEAD_SIDE from its last point: then chin, face, crown, back of the head);
# the face-on points match them one for one and are symmetric, point k mirroring point 11 - k,
# so a head turning either way starts from the very same outline.
_HEAD_PROFILE = [_HEAD_SIDE[-1], *_HEAD_SIDE[:-1]]
_HEAD_FACE_ON = symmetric([(-0.9, 0), (0.2, 2.4), (2.2, 4.0), (6.0, 4.85), (9.8, 4.4), (12.3, 1.6)])
_MIRROR_INDEX = [0, *range(len(_HEAD_PROFILE) - 1, 0, -1)]
# The torso's width seen from the front and its depth from the side (its outlines' extent).
TORSO_WIDTH = 21.6
TORSO_DEPTH = 13.4


def turned_outline(segment: str, view: str, turn: float, *, blended: bool = False) -> Outline:
    """The outline of a segment turned `turn` degrees about its own long axis (to the figure's
    right when positive). Only the head's changes: from the front it turns toward its profile,
    from the side toward the face-on shape. Unturned it is the plain outline, unless `blended`:
    an animation that turns it needs every key frame's outline made the same way."""
    if segment != "head" or (not turn and not blended):
        return outline(segment, view)
    return _turned_head(view, round(turn, 1))


@cache
def _turned_head(view: str, turn: float) -> Outline:
    share = abs(math.sin(math.radians(turn)))
    if view == "side":
        start, goal = _HEAD_PROFILE, _HEAD_FACE_ON
    else:
        start, goal = _HEAD_FACE_ON, _HEAD_PROFILE
        if turn > 0:
            # Seen from the front the figure's right is -y: a head turned that way shows the
            # profile mirrored, renumbered so that each point still matches its face-on one.
            goal = [(goal[index][0], -goal[index][1]) for index in _MIRROR_INDEX]
    return smooth(
        [
            (a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share)
            for a, b in zip(start, goal, strict=True)
        ]
    )


# The head's landmarks that move as it turns, by their point in the profile above.
_TURNING_LANDMARKS = {"chin": 1, "face": 3, "back_of_head": 8}


def turned_landmark(segment: str, view: str, name: str, point: Point, turn: float) -> Point:
    """Where a landmark of a segment turned `turn` degrees about its long axis is: the head's
    chin, face and back of the head go round with its outline (`turned_outline`)."""
    if segment != "head" or not turn or name not in _TURNING_LANDMARKS:
        return point
    share = abs(math.sin(math.radians(turn)))
    x, y = _HEAD_PROFILE[_TURNING_LANDMARKS[name]]
    # From the side it comes round to the head's middle line; from the front, to the profile's.
    goal = (x, 0.0) if view == "side" else ((x, -y) if turn > 0 else (x, y))
    return point[0] + (goal[0] - point[0]) * share, point[1] + (goal[1] - point[1]) * share


def across(segment: str, view: str, turn: float) -> float:
    """How wide a segment turned `turn` degrees about its own long axis is drawn, as a share of
    its outline's width: the torso seen from the front gets narrower as it turns, seen from
    the side wider (an ellipse of its width and depth, turned)."""
    if segment != "torso" or not turn:
        return 1.0
    radians = math.radians(turn)
    ratio = TORSO_DEPTH / TORSO_WIDTH if view == "front" else TORSO_WIDTH / TORSO_DEPTH
    return math.hypot(math.cos(radians), ratio * math.sin(radians))


# Movements ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Movement:
    """A joint's movement, named as a pose writes it ("hip_flexion"), measured in degrees from
    anatomical zero. A negative value is the opposite movement (hip_flexion -20 is 20 degrees of
    extension). `low` and `high` are the normal range (AAOS averages, FIGURE.md)."""

    name: str
    segment: str
    low: float
    high: float
    positive: str  # what a positive value is, for messages: "flexion"
    negative: str  # and a negative one: "extension"

    @property
    def bilateral(self) -> bool:
        return SEGMENTS[self.segment].bilateral


MOVEMENTS: dict[str, Movement] = {
    movement.name: movement
    for movement in (
        Movement("trunk_flexion", "torso", -25, 80, "flexion", "extension"),
        Movement("trunk_side_bend", "torso", -35, 35, "bend to the right", "bend to the left"),
        Movement("neck_flexion", "neck", -45, 45, "flexion", "extension"),
        Movement("neck_side_bend", "neck", -45, 45, "bend to the right", "bend to the left"),
        # Not in FIGURE.md: the nod at the top of the neck (C0-C2) is about half the neck's
        # flexion and extension (White & Panjabi, Clinical Biomechanics of the Spine); the
        # neck's own range also applies to neck and head together (plausibility.py).
        Movement("head_flexion", "head", -20, 20, "flexion (a nod)", "extension"),
        # Turning about the long axis (AXIAL): the trunk 45 each way (FIGURE.md), the neck
        # 60 to 80 (FIGURE.md; the middle of it here). The head turns with the trunk too.
        Movement("trunk_rotation", "torso", -45, 45, "turn to the right", "turn to the left"),
        Movement("neck_rotation", "head", -70, 70, "turn to the right", "turn to the left"),
        Movement("shoulder_flexion", "upper_arm", -60, 180, "flexion", "extension"),
        # Adduction is not in FIGURE.md: in the frontal plane the arm soon meets the body.
        Movement("shoulder_abduction", "upper_arm", -30, 180, "abduction", "adduction"),
        Movement(
            "shoulder_rotation", "upper_arm", -70, 90, "external rotation", "internal rotation"
        ),
        Movement("elbow_flexion", "forearm", 0, 150, "flexion", "extension"),
        Movement("wrist_flexion", "hand", -70, 80, "flexion", "extension"),
        Movement("hip_flexion", "thigh", -30, 120, "flexion", "extension"),
        Movement("hip_abduction", "thigh", -30, 45, "abduction", "adduction"),
        Movement("knee_flexion", "shin", 0, 135, "flexion", "extension"),
        Movement("ankle_dorsiflexion", "foot", -50, 20, "dorsiflexion", "plantarflexion"),
    )
}

# A picture stays well inside the normal range: at most this share of it, so no pose reads as
# "push to the end" (FIGURE.md: "a gentle pull, never further").
DRAWING_SHARE = 0.9
# Hip flexion with the knee straight is limited by the hamstrings to about 90 degrees
# (FIGURE.md); "straight" is any knee flexion below this.
KNEE_STRAIGHT_BELOW = 20.0
HIP_FLEXION_KNEE_STRAIGHT = 90.0

# How each movement shows in each view. TURNS turn the segment in the picture's plane: the sign
# is the way it turns on the screen (+1 clockwise) for a positive value, for the figure's left
# side in the front view (the right side turns the other way) and for a figure facing right
# seen from the side. DEPTHS tilt the segment toward the viewer (+1) or away: it is drawn
# shorter, and so is every segment below it in the chain, by the cosine of the tilt they add
# up to. A movement a view does not show cannot be written in a pose in that view.
TURNS: dict[str, dict[str, int]] = {
    "side": {
        "trunk_flexion": 1,
        "neck_flexion": 1,
        "head_flexion": 1,
        "shoulder_flexion": -1,
        "elbow_flexion": -1,
        "wrist_flexion": -1,
        "hip_flexion": -1,
        "knee_flexion": 1,
        "ankle_dorsiflexion": -1,
    },
    "front": {
        "trunk_side_bend": -1,
        "neck_side_bend": -1,
        "shoulder_abduction": -1,
        "elbow_flexion": 1,
        "wrist_flexion": 1,
        "hip_abduction": -1,
    },
}
DEPTHS: dict[str, dict[str, int]] = {
    "side": {"shoulder_abduction": 1, "hip_abduction": 1},
    "front": {
        "trunk_flexion": 1,
        "neck_flexion": 1,
        "shoulder_flexion": 1,
        "hip_flexion": 1,
        "knee_flexion": -1,
    },
}
# The shoulder's rotation shows in both views through the elbow (`elbow_split`).
THROUGH_ELBOW = {"shoulder_rotation", "elbow_flexion"}
# Turns about a segment's own long axis show in both views through outlines and where the
# shoulders sit (`turned_outline`, `across`, `attach`), not as a turn or a tilt.
AXIAL = {"trunk_rotation", "neck_rotation"}
# Lateral movements of the trunk and neck are named for the side they bend toward, so they are
# not mirrored for the right side; a bilateral one is.
MIRRORED_IN_FRONT = {"shoulder_abduction", "elbow_flexion", "wrist_flexion", "hip_abduction"}
# The pelvis's tilt (a pose's "tilt"): forward in the side view, toward the figure's right in
# the front view.
TILT_TURN = {"side": 1, "front": -1}


def elbow_split(view: str, flexion: float, rotation: float) -> tuple[float, float]:
    """How the elbow's flexion shows, given the shoulder's rotation (external positive): as a
    turn in the picture's plane, and as a tilt of the forearm toward the viewer. From the side,
    with the shoulder in neutral the forearm bends in the picture's plane, and rotating the
    shoulder swings it out of it. From the front it is the other way round: in neutral the
    forearm comes toward the viewer; internal rotation turns it in the picture toward the
    body's midline (a hand on the hip or the belly), external rotation away from it (which,
    with the arm raised, brings the hand over the head)."""
    turn = math.radians(rotation)
    if view == "side":
        return flexion * math.cos(turn), flexion * math.sin(turn)
    return flexion * math.sin(-turn), flexion * math.cos(turn)


def turn_sign(movement: str, view: str, side: str | None) -> int:
    sign = TURNS[view].get(movement, 0)
    if view == "front" and side == "right" and movement in MIRRORED_IN_FRONT:
        sign = -sign
    return sign


def movements_for(segment: str) -> list[Movement]:
    return [movement for movement in MOVEMENTS.values() if movement.segment == segment]


def attach(segment: Segment, view: str, side: str | None, trunk_turn: float = 0.0) -> Point:
    x, y = segment.attach[view]
    if view == "front" and side == "right":
        y = -y
    if trunk_turn and segment.name == "upper_arm":
        # The trunk turning about its long axis carries the shoulders round: seen from the
        # front they come closer together; from the side they part, the one on the side it
        # turns to going back.
        radians = math.radians(trunk_turn)
        if view == "front":
            y *= math.cos(radians)
        else:
            y += (1 if side == "left" else -1) * SHOULDER_SPREAD * math.sin(radians)
    return x, y
