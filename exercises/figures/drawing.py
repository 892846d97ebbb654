"""What `templates/exercises/figures/figure.html` draws: the props, the body as nested groups,
the held props (straps) and the movement's arrow, for one pose (a still) or for all of them
(the animated drawing).

The body is a list of `Step`s in drawing order: open a part's group, draw a part's shape,
close a group. Each part's group is nested in its parent's (pelvis > torso > neck > head;
torso > upper arm > forearm > hand; pelvis > thigh > shin > foot) and turned about its joint.
Some parts are drawn in front of their parent's other children (the near arm over the near
leg), so a chain of groups may be opened again further on with the same transforms; the
animation is repeated on each copy, so the copies always move together.

In the animated drawing a group's turn that changes between poses is an `animateTransform`
(type rotate, added to the group's own translate), and a segment seen at a changing slant
animates its path; all share one `Timing`.

A thumbnail is a still whose view box is cropped, square, to the body and its arrow, so the
exercise reads at 64 pixels: a figure lying down fills little of the whole picture. The printed
handout's pair of stills is cropped likewise, to one box around both poses, and a page's large
picture to one box around the whole movement, its stills sharing that box.
"""

import itertools
import math
from dataclasses import dataclass, replace

from .body import turned_outline
from .geometry import GROUND, HEIGHT, MIRROR, WIDTH, Body, rotation, translation
from .poses import Cue, FigureData, Tempo
from .props import STRAP_STROKES, PropShape, Scene, strap_path, strap_points
from .shapes import Point, num, numbers

OUTLINE = "#343a40"
NEAR_FILL = "#eef0f2"
FAR_FILL = "#cdd3d8"  # the limbs on the far side, seen from the side
WORKING_FILL = "#98a3ad"  # the working side of a one-sided exercise
ACCENT = "#c2570c"  # the movement's arrow; 4.6:1 against white
FLOOR = "#a3abb3"

CUE_WIDTH = 1.6
ARROW_LENGTH = 4.5
ARROW_HALF_WIDTH = 2.6
SHORTEST_CUE = 9.0


@dataclass(frozen=True)
class Motion:
    """An animateTransform: "translate", "rotate" or "scale" through `values`."""

    type: str
    values: str


@dataclass(frozen=True)
class Step:
    """One item of the body's markup: "open" a group, draw a "shape" (`d`, `fill`), or
    "close" the group last opened. A group or a shape has a `transform` and `motions` that
    animate it: a shape seen at a slant is scaled along its axis."""

    kind: str
    part: str = ""  # the part whose group opens or whose shape is drawn
    transform: str = ""
    motions: tuple[Motion, ...] = ()
    d: str = ""
    fill: str = ""
    morph: str = ""  # a shape's outlines at each key frame, when it changes (a head turning)


@dataclass(frozen=True)
class StrapShape:
    d: str
    stroke: str
    width: str
    morph: str = ""


@dataclass(frozen=True)
class CueMark:
    """The arrow: a line or arc `d` and its head, a triangle through `head`'s points.
    `extent` has points along all of it, for a view box that must take it in."""

    d: str
    head: str
    extent: tuple[Point, ...] = ()


@dataclass(frozen=True)
class Timing:
    """The animation's timing, the same for every animated element: `dur`, and
    `key_splines` for calcMode="spline", easing in and out of each key frame. `reach`,
    `leave` and `home` are the seconds at which it reaches the end pose, leaves it, and is back
    at the start pose, for a player that shows a hold or a rest as the patient does it."""

    dur: str
    key_splines: str
    reach: str = "0"
    leave: str = "0"
    home: str = "0"


EASE = ".4 0 .6 1"


@dataclass(frozen=True)
class Drawing:
    title: str
    pose: str  # "start", "middle", "end", or "motion" for the animated drawing
    props: tuple[PropShape, ...]
    body: tuple[Step, ...]
    straps: tuple[StrapShape, ...]
    cue: CueMark | None
    timing: Timing | None = None
    width: int = WIDTH
    height: int = HEIGHT
    ground: str = num(GROUND)
    outline: str = OUTLINE
    floor: str = FLOOR
    accent: str = ACCENT
    box: tuple[float, float, float, float] = (0, 0, WIDTH, HEIGHT)  # x, y, width, height

    @property
    def view_box(self) -> str:
        return " ".join(num(value) for value in self.box)


def paint_order(plane: str, near: str, legs_forward: bool = False) -> list[str]:
    """The parts back to front. From the side the far limbs go behind the body and the near
    ones in front, the arm over the leg; the neck goes behind the torso and the head in front.
    From the front the legs go behind the pelvis, or in front of it when they come toward the
    viewer (`legs_forward`: sitting)."""
    far = "left" if near == "right" else "right"
    arm = ("upper_arm", "forearm", "hand")
    leg = ("thigh", "shin", "foot")
    legs = [f"{side}_{part}" for side in ("left", "right") for part in leg]
    if plane == "side":
        return [
            *(f"{far}_{part}" for part in arm),
            *(f"{far}_{part}" for part in leg),
            "pelvis",
            "neck",
            "torso",
            "head",
            *(f"{near}_{part}" for part in leg),
            *(f"{near}_{part}" for part in arm),
        ]
    trunk = ["pelvis", "neck", "torso", "head"]
    return [
        *(trunk + legs if legs_forward else legs + trunk),
        *(f"{side}_{part}" for side in ("left", "right") for part in arm),
    ]


def _near_side(data: FigureData) -> str:
    # Facing right, a figure shows its right side; facing left (drawn mirrored), its left.
    return "left" if data.mirrored else "right"


def _fill(part: str, data: FigureData, near: str) -> str:
    if part in data.working:
        return WORKING_FILL
    if data.plane == "side" and part.startswith(("left_", "right_")) and not part.startswith(near):
        return FAR_FILL
    return NEAR_FILL


def _pair(x: float, y: float) -> str:
    # Transforms and their animated values separate numbers with a space (SVG 1.1's
    # transform grammar), where path data may let a minus sign do it.
    return f"{num(x)} {num(y)}"


def _values(items: list[str]) -> str:
    return ";".join(items)


def _group(name: str, frames: list[Body]) -> Step:
    """The opening of a part's group: still when every frame agrees, animated otherwise."""
    parts = [body.parts[name] for body in frames]
    first = parts[0]
    root = first.parent is None
    mirrored = frames[0].mirrored
    offsets = [_pair(*part.offset) for part in parts]
    angles = [num(part.angle) for part in parts]
    mirror = " scale(-1 1)" if root and mirrored else ""
    if len(set(offsets)) == 1:
        transform = f"translate({offsets[0]}){mirror}" if offsets[0] != "0 0" or mirror else ""
        if len(set(angles)) == 1:
            if angles[0] != "0":
                transform = f"{transform} rotate({angles[0]})".strip()
            return Step("open", name, transform=transform)
        return Step("open", name, transform=transform, motions=(Motion("rotate", _values(angles)),))
    # The group moves as well as turns: both are animated, after the mirror of a figure
    # facing left, which turns a move to the right into one to the left.
    flip = -1 if root and mirrored else 1
    moves = [_pair(flip * part.offset[0], part.offset[1]) for part in parts]
    return Step(
        "open",
        name,
        transform=mirror.strip(),
        motions=(Motion("translate", _values(moves)), Motion("rotate", _values(angles))),
    )


def _share(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _scale(seen: float, across: float = 1.0) -> str:
    return f"{_share(seen)} {_share(across)}"


def _shape(name: str, frames: list[Body], fill: str) -> Step:
    parts = [body.parts[name] for body in frames]
    scales = [_scale(part.seen, part.across) for part in parts]
    d = parts[0].outline.d
    morph = ""
    if len({part.outline.d for part in parts}) > 1:
        # A head turning between poses: each key frame's outline made the same way, so the
        # animation morphs one into the next.
        outlines = [
            turned_outline(part.segment, body.plane, part.turn, blended=True).d
            for body, part in zip(frames, parts, strict=True)
        ]
        d, morph = outlines[0], _values(outlines)
    if len(set(scales)) > 1:
        return Step(
            "shape", name, d=d, fill=fill, motions=(Motion("scale", _values(scales)),), morph=morph
        )
    transform = f"scale({scales[0]})" if scales[0] != "1 1" else ""
    return Step("shape", name, d=d, fill=fill, transform=transform, morph=morph)


def _hidden(name: str, frames: list[Body], near: str) -> bool:
    """Whether a far limb lies exactly behind its near twin in every frame (seen from the
    side with both sides posed alike), so drawing it would add bytes and nothing else."""
    side = name.partition("_")[0]
    if side not in ("left", "right") or side == near:
        return False
    twin = f"{near}_{name.partition('_')[2]}"
    return all(
        _same(body.parts[name].frame, body.parts[twin].frame)
        and body.parts[name].seen == body.parts[twin].seen
        for body in frames
    )


def _same(first, second) -> bool:
    return all(abs(a - b) < 1e-6 for a, b in zip(first, second, strict=True))


def _body_steps(frames: list[Body], data: FigureData) -> tuple[Step, ...]:
    near = _near_side(data)
    parts = frames[0].parts
    steps: list[Step] = []
    open_groups: list[str] = []
    # Seen from the front, thighs bent well toward the viewer (sitting) come in front of the
    # pelvis.
    legs_forward = any(
        body.parts[f"{side}_thigh"].seen < 0.7 and body.pose.angle("hip_flexion", side) > 0
        for body in frames
        for side in ("left", "right")
    )
    order = paint_order(data.plane, near, legs_forward)
    if data.plane == "side":
        order = [name for name in order if not _hidden(name, frames, near)]
    for name in order:
        chain = [name]
        while parts[chain[0]].parent:
            chain.insert(0, parts[chain[0]].parent)
        while open_groups != chain[: len(open_groups)]:
            steps.append(Step("close"))
            open_groups.pop()
        for group in chain[len(open_groups) :]:
            steps.append(_group(group, frames))
            open_groups.append(group)
        steps.append(_shape(name, frames, _fill(name, data, near)))
    steps += [Step("close")] * len(open_groups)
    return tuple(steps)


def _straps(frames: list[Body], where: Scene) -> tuple[StrapShape, ...]:
    shapes = []
    for strap in where.straps:
        paths = [strap_path(strap_points(strap, body)) for body in frames]
        morph = _values(paths) if len(set(paths)) > 1 else ""
        for stroke, width in STRAP_STROKES[strap.kind]:
            shapes.append(StrapShape(paths[0], stroke, width, morph))
    return tuple(shapes)


def _arrow_corners(tip: Point, direction: Point) -> tuple[Point, ...]:
    dx, dy = direction
    size = math.hypot(dx, dy) or 1
    dx, dy = dx / size, dy / size
    base = (tip[0] - dx * ARROW_LENGTH, tip[1] - dy * ARROW_LENGTH)
    return (
        tip,
        (base[0] - dy * ARROW_HALF_WIDTH, base[1] + dx * ARROW_HALF_WIDTH),
        (base[0] + dy * ARROW_HALF_WIDTH, base[1] - dx * ARROW_HALF_WIDTH),
    )


def _arrow(d: str, tip: Point, direction: Point, along: tuple[Point, ...]) -> CueMark:
    corners = _arrow_corners(tip, direction)
    head = " ".join(numbers(*corner) for corner in corners)
    return CueMark(d, head, along + corners)


# A turn's ellipse: its height as a share of its width, and where on it the arrow runs (degrees
# round from its right end, clockwise on the screen, so 90 is the front, nearest the viewer).
TURN_FLATNESS = 0.28
TURN_FROM, TURN_TO = 160.0, 20.0


def _turn_mark(cue: Cue, centre: Point, across: float) -> CueMark:
    """An arrow round the front of a flat ellipse about `centre`: a turn about an upright
    axis, the way the front goes (to the right on the screen when `across` is positive)."""
    cx, cy = centre[0] + cue.shift[0], centre[1] - cue.shift[1]
    rx = cue.length / 2
    ry = rx * TURN_FLATNESS

    def on(degrees: float) -> Point:
        return cx + rx * math.cos(math.radians(degrees)), cy + ry * math.sin(math.radians(degrees))

    first, last = (TURN_FROM, TURN_TO) if across >= 0 else (TURN_TO, TURN_FROM)
    back = 1 if first > last else -1  # from the tip back along the arrow, in degrees
    step = math.degrees(ARROW_LENGTH * 0.8 / rx) * 1.4
    tip, line_end = on(last), on(last + back * step)
    sweep = 0 if first > last else 1
    d = f"M{numbers(*on(first))}A{numbers(rx, ry)} 0 0 {sweep} {numbers(*line_end)}"
    along = tuple(on(degrees) for degrees in range(int(TURN_TO), int(TURN_FROM) + 1, 10))
    return _arrow(d, tip, (tip[0] - line_end[0], tip[1] - line_end[1]), along)


def cue_mark(cue: Cue, start: Body, end: Body) -> CueMark:
    """The arrow from the start pose to the end pose (see poses.Cue)."""
    a, b = start.point(cue.point), end.point(cue.point)
    if cue.kind == "turn":
        return _turn_mark(cue, start.point(cue.around), b[0] - a[0])
    if cue.kind == "line":
        shift = (cue.shift[0], -cue.shift[1])
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = math.hypot(dx, dy) or 1
        wanted = max(length, cue.length, SHORTEST_CUE)
        ux, uy = dx / length, dy / length
        middle = ((a[0] + b[0]) / 2 + shift[0], (a[1] + b[1]) / 2 + shift[1])
        tail = (middle[0] - ux * wanted / 2, middle[1] - uy * wanted / 2)
        tip = (middle[0] + ux * wanted / 2, middle[1] + uy * wanted / 2)
        line_end = (tip[0] - ux * ARROW_LENGTH * 0.8, tip[1] - uy * ARROW_LENGTH * 0.8)
        return _arrow(f"M{numbers(*tail)}L{numbers(*line_end)}", tip, (ux, uy), (tail,))
    pivot = start.point(cue.around)
    radius = max(math.dist(a, pivot), math.dist(b, pivot)) + cue.gap
    start_angle = math.atan2(a[1] - pivot[1], a[0] - pivot[0])
    turn = math.atan2(b[1] - pivot[1], b[0] - pivot[0]) - start_angle
    turn = (turn + math.pi) % (2 * math.pi) - math.pi
    way = 1 if turn >= 0 else -1
    shortest = SHORTEST_CUE / radius
    if abs(turn) < shortest:
        start_angle -= way * (shortest - abs(turn)) / 2
        turn = way * shortest
    tip_angle = start_angle + turn
    line_angle = tip_angle - way * ARROW_LENGTH * 0.8 / radius

    def on_arc(angle: float) -> Point:
        return pivot[0] + radius * math.cos(angle), pivot[1] + radius * math.sin(angle)

    tip = on_arc(tip_angle)
    # The head points along the arc, a little inward, so it sits on the curve.
    head_angle = tip_angle - way * ARROW_LENGTH / radius / 2
    direction = (-math.sin(head_angle) * way, math.cos(head_angle) * way)
    large = 1 if abs(line_angle - start_angle) > math.pi else 0
    d = (
        f"M{numbers(*on_arc(start_angle))}A{numbers(radius, radius)} 0 {large} "
        f"{1 if way > 0 else 0} {numbers(*on_arc(line_angle))}"
    )
    along = tuple(on_arc(start_angle + turn * share / 8) for share in range(9))
    return _arrow(d, tip, direction, along)


def timing(tempo: Tempo, legs: int) -> tuple[Timing, list[int]]:
    """The animation's timing for poses start, ..., end (`legs` moves between them), and which
    pose each key frame shows: out to the end pose, a hold there, back, a rest at the start.
    Key frames are evenly spaced, `tempo.step` seconds apart, so no element needs keyTimes
    (every animated element repeats the timing, and an exercise's SVG stays small)."""
    frames = list(range(legs + 1))
    if tempo.hold:
        frames.append(legs)
    frames += list(range(legs - 1, -1, -1))
    if tempo.rest:
        frames.append(0)
    intervals = len(frames) - 1
    reach = legs * tempo.step
    leave = reach + (tempo.step if tempo.hold else 0)
    drawn = Timing(
        f"{num(tempo.step * intervals)}s",
        ";".join([EASE] * intervals),
        reach=num(reach),
        leave=num(leave),
        home=num(leave + reach),
    )
    return drawn, frames


def still(data: FigureData, where: Scene, bodies: dict[str, Body], pose: str) -> Drawing:
    body = bodies[pose]
    return Drawing(
        title=data.pose(pose).alt,
        pose=pose,
        props=where.shapes,
        body=_body_steps([body], data),
        straps=_straps([body], where),
        cue=cue_mark(data.cue, bodies["start"], bodies["end"]) if data.cue else None,
    )


# Room around the body in a cropped picture, and the least height it shows (a figure is 100
# tall).
CROP_MARGIN = 5.0
CROP_SMALLEST = 50.0


def box_around(
    points: list[Point], aspect: float = 1.0, margin: float = CROP_MARGIN
) -> tuple[float, float, float, float]:
    """A view box (x, y, width, height) `aspect` times as wide as it is high around the
    points, `margin` from the farthest, kept inside the picture where it fits and otherwise
    centred on them; it slides down rather than up, so the ground stays in it."""
    xs, ys = [x for x, _y in points], [y for _x, y in points]
    high = max(max(xs) - min(xs) + 2 * margin, aspect * (max(ys) - min(ys) + 2 * margin))
    high = max(high / aspect, CROP_SMALLEST)
    wide = high * aspect

    def place(low: float, top: float, size: float, room: float) -> float:
        start = (low + top - size) / 2
        if size > room:
            return start
        return min(max(start, 0.0), room - size)

    return (
        place(min(xs), max(xs), wide, WIDTH),
        place(min(ys), max(ys), high, HEIGHT),
        wide,
        high,
    )


def _extent(drawing: Drawing, body: Body, where: Scene) -> list[Point]:
    """What a cropped picture of one pose must take in: the body, what it holds, the arrow."""
    points = body.edge() + [point for strap in where.straps for point in strap_points(strap, body)]
    return points + list(drawing.cue.extent if drawing.cue else ())


def thumbnail(data: FigureData, where: Scene, bodies: dict[str, Body], pose: str) -> Drawing:
    """The still of one pose, cropped square to the body, what it holds and the arrow."""
    drawing = still(data, where, bodies, pose)
    return replace(drawing, box=box_around(_extent(drawing, bodies[pose], where)))


def pair(data: FigureData, where: Scene, bodies: dict[str, Body]) -> tuple[Drawing, Drawing]:
    """The start and end stills cropped to one 4:3 box that takes in both, so side by side
    they keep one scale and one ground line (the printed handout)."""
    drawings = [still(data, where, bodies, pose) for pose in ("start", "end")]
    points = [
        point
        for drawing, pose in zip(drawings, ("start", "end"), strict=True)
        for point in _extent(drawing, bodies[pose], where)
    ]
    box = box_around(points, aspect=WIDTH / HEIGHT)
    start, end = (replace(drawing, box=box) for drawing in drawings)
    return start, end


# Where the whole movement is sampled between two key frames, for a box that takes it in: a
# limb turning between two poses sweeps an arc that may pass outside the box around both.
BETWEEN = (0.25, 0.5, 0.75)


def _between(first: Body, second: Body, share: float) -> list[Point]:
    """The body's outline part of the way from one key frame to the next, as the animation
    draws it: each group's offset, turn and slant moved on in a straight line."""
    frames = {}
    points: list[Point] = []
    for name, part in first.parts.items():
        other = second.parts[name]

        def along(a: float, b: float) -> float:
            return a + (b - a) * share

        offset = (along(part.offset[0], other.offset[0]), along(part.offset[1], other.offset[1]))
        if part.parent is None:
            frame = translation(*offset)
            if first.mirrored:
                frame = frame.then(MIRROR)
        else:
            frame = frames[part.parent].then(translation(*offset))
        frame = frames[name] = frame.then(rotation(along(part.angle, other.angle)))
        seen, wide = along(part.seen, other.seen), along(part.across, other.across)
        points += [frame.apply((x * seen, y * wide)) for x, y in part.outline.points]
    return points


def motion(data: FigureData, where: Scene, bodies: dict[str, Body]) -> Drawing:
    order = [bodies[pose.name] for pose in data.poses]
    drawn_timing, frames = timing(data.tempo, len(order) - 1)
    keyframes = [order[index] for index in frames]
    start, end = data.pose("start"), data.pose("end")
    drawing = Drawing(
        title=data.alt or f"Start: {start.alt}. End: {end.alt}.",
        pose="motion",
        props=where.shapes,
        body=_body_steps(keyframes, data),
        straps=_straps(keyframes, where),
        cue=cue_mark(data.cue, bodies["start"], bodies["end"]) if data.cue else None,
        timing=drawn_timing,
    )
    points = [point for body in order for point in _extent(drawing, body, where)]
    points += [
        point
        for first, second in itertools.pairwise(order)
        for share in BETWEEN
        for point in _between(first, second, share)
    ]
    return replace(drawing, box=box_around(points, aspect=WIDTH / HEIGHT))


def framed(stills: tuple[Drawing, ...], moving: Drawing) -> tuple[Drawing, ...]:
    """The stills cropped to the animated drawing's box: shown instead of it, side by side,
    to someone who asks for less motion, at the same scale."""
    return tuple(replace(drawing, box=moving.box) for drawing in stills)
