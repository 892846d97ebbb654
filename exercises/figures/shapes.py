"""Closed outlines in a segment's own frame: each gives the path the SVG draws (`d`) and points
around its edge, which the plausibility checks test against the floor and the props.

Numbers are written rounded to a tenth (`num`), so the same shape always gives the same path.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[float, float]

CURVE_SAMPLES = 6  # points checked along each curve of an outline
ARC_SAMPLES = 10  # points checked along each round end of a capsule


def num(value: float) -> str:
    """A number as an SVG attribute writes it: at most one decimal, no trailing zero, no -0."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def numbers(*values: float) -> str:
    """Numbers separated as compactly as SVG allows: a minus sign separates on its own."""
    text = ""
    for value in values:
        part = num(value)
        text += part if not text or part.startswith("-") else " " + part
    return text


@dataclass(frozen=True)
class Outline:
    d: str
    points: tuple[Point, ...]


def _arc_points(centre: Point, radius: float, start: float, end: float) -> list[Point]:
    return [
        (
            centre[0] + radius * math.cos(start + (end - start) * step / ARC_SAMPLES),
            centre[1] + radius * math.sin(start + (end - start) * step / ARC_SAMPLES),
        )
        for step in range(ARC_SAMPLES + 1)
    ]


def capsule(length: float, start_radius: float, end_radius: float) -> Outline:
    """A rounded limb along the x axis: a circle of `start_radius` at the joint (0, 0), one of
    `end_radius` at (length, 0), and the lines touching both. A negative length (a limb seen
    pointing back past its joint) draws it the other way."""
    way = -1 if length < 0 else 1
    length = abs(length)
    # The sides touch both circles where their normal n has n.x = (r0 - r1) / length; a limb
    # seen end on (length near 0) keeps a little of its taper rather than folding inside out.
    slope = (start_radius - end_radius) / length if length > 1e-6 else 1.0
    slope = max(-0.9, min(0.9, slope))
    across = math.sqrt(1 - slope * slope)

    def at(x: float, y: float) -> str:
        return numbers(way * x, y)

    sweep = 1 if way > 0 else 0
    d = (
        f"M{at(start_radius * slope, -start_radius * across)}"
        f"L{at(length + end_radius * slope, -end_radius * across)}"
        f"A{numbers(end_radius, end_radius)} 0 {1 if slope < 0 else 0} {sweep} "
        f"{at(length + end_radius * slope, end_radius * across)}"
        f"L{at(start_radius * slope, start_radius * across)}"
        f"A{numbers(start_radius, start_radius)} 0 {1 if slope > 0 else 0} {sweep} "
        f"{at(start_radius * slope, -start_radius * across)}Z"
    )
    turn = math.acos(slope)
    points = _arc_points((length, 0.0), end_radius, -turn, turn) + _arc_points(
        (0.0, 0.0), start_radius, turn, 2 * math.pi - turn
    )
    return Outline(d, tuple((way * x, y) for x, y in points))


def smooth(points: Sequence[Point], straight: Sequence[int] = ()) -> Outline:
    """A closed outline through `points` in order, curving smoothly through each (a
    Catmull-Rom spline drawn as cubic Béziers), except that the edge from point i to point i+1
    is a straight line for each i in `straight` (a sole, a flat back)."""
    count = len(points)
    straight = set(straight)

    def edge(index: int) -> tuple[float, float]:
        a, b = points[index % count], points[(index + 1) % count]
        return b[0] - a[0], b[1] - a[1]

    def tangent(index: int) -> tuple[float, float]:
        # Beside a straight edge the curve leaves along that edge, so the join has no corner.
        index %= count
        before, after = edge(index - 1), edge(index)
        if (index - 1) % count in straight:
            scale = math.hypot(*after) / (math.hypot(*before) or 1)
            return before[0] * scale, before[1] * scale
        if index in straight:
            scale = math.hypot(*before) / (math.hypot(*after) or 1)
            return after[0] * scale, after[1] * scale
        return (before[0] + after[0]) / 2, (before[1] + after[1]) / 2

    d = f"M{numbers(*points[0])}"
    samples: list[Point] = []
    for index in range(count):
        a, b = points[index], points[(index + 1) % count]
        if index in straight:
            d += f"L{numbers(*b)}"
            samples += [a, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)]
            continue
        ta, tb = tangent(index), tangent(index + 1)
        c1 = (a[0] + ta[0] / 3, a[1] + ta[1] / 3)
        c2 = (b[0] - tb[0] / 3, b[1] - tb[1] / 3)
        d += f"C{numbers(*c1, *c2, *b)}"
        for step in range(CURVE_SAMPLES):
            t = step / CURVE_SAMPLES
            u = 1 - t
            samples.append(
                (
                    u**3 * a[0] + 3 * u * u * t * c1[0] + 3 * u * t * t * c2[0] + t**3 * b[0],
                    u**3 * a[1] + 3 * u * u * t * c1[1] + 3 * u * t * t * c2[1] + t**3 * b[1],
                )
            )
    return Outline(d + "Z", tuple(samples))


def symmetric(half: Sequence[Point]) -> list[Point]:
    """The points of a shape symmetric about the x axis, from those of its +y half in order
    from one end to the other (points on the axis are not repeated)."""
    return [*half, *((x, -y) for x, y in reversed(half) if y != 0)]
