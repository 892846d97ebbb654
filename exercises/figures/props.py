"""Props: what each looks like, the surfaces the body can rest on or touch, and the solid parts
no body part may enter.

Pose data places props with x in picture units and heights above the ground (see the README);
here everything is in the picture's coordinates (y down). A prop held in the hands or looped
round a foot (a towel, a resistance band) is a strap: a line through named points of the body,
drawn in front of it and redrawn for each pose.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .geometry import GROUND, WIDTH, Body, picture_y
from .poses import Prop
from .shapes import Point, numbers

MAT_THICKNESS = 1.6
CHAIR_SEAT = 26.0  # seat height: 44 cm for a figure 170 cm tall
CHAIR_DEPTH = 24.0
CHAIR_WIDTH = 26.0
CHAIR_BACK = 28.0  # the backrest above the seat
CHAIR_SLAB = 2.4
DOOR_HEIGHT = 118.0  # 2 m
DOOR_WIDTH = 48.0
TABLE_HEIGHT = 53.0  # a kitchen counter, 90 cm
TABLE_DEPTH = 34.0
STEP_HEIGHT = 10.0  # 17 cm
PILLOW_WIDTH = 18.0
PILLOW_HEIGHT = 4.5
ROLL_RADIUS = 3.5
TOWEL_THICKNESS = 0.8

# Props are lighter than the body: a near-white fill and a light grey outline.
PROP_FILL = "#fbfcfc"
PROP_SOFT_FILL = "#f1f3f5"
PROP_STROKE = "#a3abb3"
PROP_STROKE_WIDTH = 0.8
BAND_COLOUR = "#868e96"

# What meets a chair's seat and its backrest. A limb drawn across them is beside the chair
# (seen from the side) or in front of it (from the front), not in it.
SEATED = ("pelvis", "thigh")
LEANING = ("pelvis", "torso", "head")


@dataclass(frozen=True)
class PropShape:
    """A path of a prop as the template draws it."""

    d: str
    fill: str = PROP_FILL
    stroke: str = PROP_STROKE
    width: str = "0.8"


@dataclass(frozen=True)
class Surface:
    """A flat face the body can rest on or touch: level from x0 to x1 at y, or upright (x0 ==
    x1) from y0 to y1. `landing` surfaces are ones a body lowered onto the scene rests on;
    `bears` names the segments that can rest on it, when not all can (a chair's seat is beside
    or behind a hand or a foot drawn across it)."""

    kind: str
    x0: float
    x1: float
    y0: float
    y1: float
    landing: bool = False
    bears: tuple[str, ...] = ()

    @property
    def level(self) -> bool:
        return self.y0 == self.y1

    def holds(self, segment: str) -> bool:
        return not self.bears or segment in self.bears

    def distance(self, point: Point) -> float:
        x, y = point
        nearest_x = min(max(x, self.x0), self.x1)
        nearest_y = min(max(y, self.y0), self.y1)
        return math.hypot(x - nearest_x, y - nearest_y)


@dataclass(frozen=True)
class Solid:
    """A part of a prop no body part may enter: a box from (x0, y0) to (x1, y1), or a circle
    (radius > 0) about (x0, y0). `give` is how far a soft one (a mat, a pillow) may be pressed
    into; `bears` as for a Surface (only those segments can meet it)."""

    kind: str
    x0: float
    y0: float
    x1: float = 0.0
    y1: float = 0.0
    radius: float = 0.0
    give: float = 0.0
    bears: tuple[str, ...] = ()

    def meets(self, segment: str) -> bool:
        return not self.bears or segment in self.bears

    def depth(self, point: Point) -> float:
        """How far inside the point is (0 or less: outside)."""
        x, y = point
        if self.radius:
            return self.radius - math.hypot(x - self.x0, y - self.y0)
        return min(x - self.x0, self.x1 - x, y - self.y0, self.y1 - y)


@dataclass(frozen=True)
class Scene:
    """The props of one exercise: drawn behind the body, and the faces and solids the checks
    use. The floor is always there."""

    shapes: tuple[PropShape, ...]
    surfaces: tuple[Surface, ...]
    solids: tuple[Solid, ...]
    straps: tuple[Prop, ...]

    def ground_under(self, x: float, segment: str = "") -> float:
        """The picture y of the highest surface a segment can rest on at x."""
        return min(
            (
                surface.y0
                for surface in self.surfaces
                if surface.landing and surface.x0 <= x <= surface.x1 and surface.holds(segment)
            ),
            default=GROUND,
        )

    def surface_under(self, point: Point, slack: float, segment: str = "") -> Surface | None:
        """The highest level surface under a point of a segment (or up to `slack` above
        it)."""
        x, y = point
        below = [
            surface
            for surface in self.surfaces
            if surface.level
            and surface.x0 <= x <= surface.x1
            and surface.y0 >= y - slack
            and surface.holds(segment)
        ]
        return min(below, key=lambda surface: surface.y0, default=None)


def _box(x0: float, y0: float, x1: float, y1: float, radius: float = 0) -> str:
    """A rectangle as a path, its corners rounded by `radius`."""
    x0, x1 = min(x0, x1), max(x0, x1)
    y0, y1 = min(y0, y1), max(y0, y1)
    if not radius:
        return f"M{numbers(x0, y0)}H{numbers(x1)}V{numbers(y1)}H{numbers(x0)}Z"
    r = min(radius, (x1 - x0) / 2, (y1 - y0) / 2)
    return (
        f"M{numbers(x0 + r, y0)}H{numbers(x1 - r)}A{numbers(r, r)} 0 0 1 {numbers(x1, y0 + r)}"
        f"V{numbers(y1 - r)}A{numbers(r, r)} 0 0 1 {numbers(x1 - r, y1)}H{numbers(x0 + r)}"
        f"A{numbers(r, r)} 0 0 1 {numbers(x0, y1 - r)}V{numbers(y0 + r)}"
        f"A{numbers(r, r)} 0 0 1 {numbers(x0 + r, y0)}Z"
    )


def _circle(x: float, y: float, radius: float) -> str:
    return (
        f"M{numbers(x - radius, y)}A{numbers(radius, radius)} 0 1 1 {numbers(x + radius, y)}"
        f"A{numbers(radius, radius)} 0 1 1 {numbers(x - radius, y)}Z"
    )


# Props further back are drawn first.
_ORDER = (
    "wall",
    "door_frame",
    "table",
    "step",
    "chair",
    "mat",
    "towel",
    "pillow",
    "rolled_towel",
    "band",
)


def scene(props: Iterable[Prop], *, plane: str, facing: str = "right") -> Scene:
    """The scene of an exercise's props. `facing` is the figure's, which a chair faces too
    unless it says otherwise."""
    shapes: list[PropShape] = []
    surfaces = [Surface("floor", -WIDTH, 2 * WIDTH, GROUND, GROUND, landing=True)]
    solids = [Solid("floor", -WIDTH, GROUND, 2 * WIDTH, GROUND + 100)]
    straps = []

    def base(x: float) -> float:
        # What a pillow or a towel lies on: the mat, or the floor.
        return min((s.y0 for s in surfaces if s.landing and s.x0 <= x <= s.x1), default=GROUND)

    for prop in sorted(props, key=lambda prop: _ORDER.index(prop.kind)):
        kind = prop.kind
        if kind == "band" or (kind == "towel" and prop.get("through")):
            straps.append(prop)
            continue
        if kind == "mat":
            x0, x1 = prop.get("from"), prop.get("to")
            top = GROUND - MAT_THICKNESS
            shapes.append(PropShape(_box(x0, top, x1, GROUND, MAT_THICKNESS / 2), PROP_SOFT_FILL))
            surfaces.append(Surface("mat", x0, x1, top, top, landing=True))
            solids.append(Solid("mat", x0, top, x1, GROUND, give=0.8))
        elif kind == "chair":
            x = prop.get("x")
            seat = picture_y(prop.get("seat", CHAIR_SEAT))
            if plane == "side":
                back = -1 if prop.get("facing", facing) == "right" else 1
                x_back = x + back * CHAIR_DEPTH
                post = x_back - back * CHAIR_SLAB
                shapes += [
                    PropShape(_box(x_back, picture_y(CHAIR_SEAT + CHAIR_BACK), post, GROUND, 0.8)),
                    PropShape(_box(x, GROUND, x - back * CHAIR_SLAB, seat)),
                    PropShape(_box(x, seat, x_back, seat + CHAIR_SLAB, 0.8)),
                ]
                surfaces += [
                    Surface(
                        "seat",
                        min(x, x_back),
                        max(x, x_back),
                        seat,
                        seat,
                        landing=True,
                        bears=SEATED,
                    ),
                    Surface("backrest", post, post, seat - CHAIR_BACK, seat),
                ]
                solids += [
                    Solid(
                        "seat",
                        min(x, x_back),
                        seat,
                        max(x, x_back),
                        seat + CHAIR_SLAB,
                        bears=SEATED,
                    ),
                    Solid(
                        "backrest",
                        min(post, x_back),
                        seat - CHAIR_BACK,
                        max(post, x_back),
                        seat,
                        bears=LEANING,
                    ),
                ]
            else:
                half = CHAIR_WIDTH / 2
                shapes += [
                    PropShape(_box(x - half + 1, seat - CHAIR_BACK, x + half - 1, seat, 0.8)),
                    PropShape(_box(x - half, GROUND, x - half + CHAIR_SLAB, seat)),
                    PropShape(_box(x + half, GROUND, x + half - CHAIR_SLAB, seat)),
                    PropShape(_box(x - half, seat, x + half, seat + CHAIR_SLAB, 0.8)),
                ]
                surfaces += [
                    Surface("seat", x - half, x + half, seat, seat, landing=True, bears=SEATED),
                    Surface("seat", x - half, x - half, seat, seat + CHAIR_SLAB),
                    Surface("seat", x + half, x + half, seat, seat + CHAIR_SLAB),
                ]
                solids.append(
                    Solid("seat", x - half, seat, x + half, seat + CHAIR_SLAB, bears=SEATED)
                )
        elif kind == "wall":
            x = prop.get("x")
            away = 1 if prop.get("side", "right" if x > WIDTH / 2 else "left") == "right" else -1
            far = x + away * WIDTH
            # The wall fills the picture beyond its face, so it reads as a wall, not a post.
            shapes.append(PropShape(_box(x, -2, far, GROUND), PROP_SOFT_FILL))
            surfaces.append(Surface("wall", x, x, -2, GROUND))
            solids.append(Solid("wall", min(x, far), -100, max(x, far), GROUND + 100))
        elif kind == "door_frame":
            x = prop.get("x")
            top = picture_y(DOOR_HEIGHT)
            posts = [x] if plane == "side" else [x - DOOR_WIDTH / 2, x + DOOR_WIDTH / 2]
            for post in posts:
                shapes.append(PropShape(_box(post - 2, top, post + 2, GROUND)))
                surfaces += [
                    Surface("door_frame", post - 2, post - 2, top, GROUND),
                    Surface("door_frame", post + 2, post + 2, top, GROUND),
                ]
            if plane != "side":
                shapes.append(PropShape(_box(posts[0] - 2, top - 4, posts[1] + 2, top)))
        elif kind == "table":
            x = prop.get("x")
            away = 1 if prop.get("side", "right" if x > WIDTH / 2 else "left") == "right" else -1
            top = picture_y(prop.get("height", TABLE_HEIGHT))
            far = x + away * TABLE_DEPTH
            leg = x + away * 3
            shapes += [
                PropShape(_box(leg, top + 3, leg + away * 3, GROUND)),
                PropShape(_box(x, top, far, top + 3, 0.8)),
            ]
            surfaces += [
                Surface("table", min(x, far), max(x, far), top, top),
                Surface("table", x, x, top, top + 3),
            ]
            solids.append(Solid("table", min(x, far), top, max(x, far), top + 3))
        elif kind == "step":
            x0, x1 = prop.get("from"), prop.get("to")
            top = picture_y(prop.get("height", STEP_HEIGHT))
            shapes.append(PropShape(_box(x0, top, x1, GROUND, 0.8)))
            surfaces.append(Surface("step", x0, x1, top, top, landing=True))
            solids.append(Solid("step", x0, top, x1, GROUND))
        elif kind == "pillow":
            x, width = prop.get("x"), prop.get("width", PILLOW_WIDTH)
            bottom = base(x)
            top = bottom - PILLOW_HEIGHT
            shapes.append(
                PropShape(_box(x - width / 2, top, x + width / 2, bottom, PILLOW_HEIGHT / 2))
            )
            surfaces.append(
                Surface("pillow", x - width / 2 + 1, x + width / 2 - 1, top, top, landing=True)
            )
            solids.append(Solid("pillow", x - width / 2, top, x + width / 2, bottom, give=1.5))
        elif kind == "rolled_towel":
            x = prop.get("x")
            centre = base(x) - ROLL_RADIUS
            shapes.append(PropShape(_circle(x, centre, ROLL_RADIUS), PROP_SOFT_FILL))
            top = centre - ROLL_RADIUS
            surfaces.append(Surface("rolled_towel", x - 1.5, x + 1.5, top, top, landing=True))
            solids.append(Solid("rolled_towel", x, centre, radius=ROLL_RADIUS, give=1.0))
        elif kind == "towel":
            x0, x1 = prop.get("from"), prop.get("to")
            bottom = base((x0 + x1) / 2)
            top = bottom - TOWEL_THICKNESS
            shapes.append(PropShape(_box(x0, top, x1, bottom, 0.4), PROP_SOFT_FILL))
            surfaces.append(Surface("towel", x0, x1, top, top, landing=True))
    return Scene(tuple(shapes), tuple(surfaces), tuple(solids), tuple(straps))


def strap_points(strap: Prop, body: Body) -> list[Point]:
    """Where a held towel or band runs in a pose: through named points of the body and fixed
    points given as [x, height], or as one of those for each pose (a towel gathered up by the
    toes: {"start": [x, height], "end": [x, height]})."""
    points = []
    for point in strap.get("through"):
        if isinstance(point, str):
            points.append(body.point(point))
            continue
        if isinstance(point, Mapping):
            point = point[body.pose.name]
        points.append((point[0], picture_y(point[1])))
    return points


def strap_path(points: list[Point]) -> str:
    return "M" + "L".join(numbers(*point) for point in points)


# (stroke, width) drawn in turn: a towel is a light band with an outline (wide, then narrow
# on top); a resistance band a single darker line.
STRAP_STROKES = {
    "towel": ((PROP_STROKE, "3.2"), (PROP_SOFT_FILL, "2")),
    "band": ((BAND_COLOUR, "1.1"),),
}
