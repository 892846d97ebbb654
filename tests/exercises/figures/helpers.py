"""Small builders for figure tests: pose data written inline, and the frames an SVG's nested
transforms give each part."""

import math
import re
from types import MappingProxyType

from exercises.figures.geometry import Affine, rotation, translation
from exercises.figures.poses import Pose, figure_data


def standing(**joints) -> Pose:
    return pose(support=("left_foot", "right_foot"), **joints)


def pose(
    *, support=(), hip_x=100.0, hip_height=None, tilt=0.0, seen=None, turned=None, **joints
) -> Pose:
    """A pose with joints given as full names (left_knee_flexion=...)."""
    return Pose(
        name="start",
        alt="A test pose",
        support=tuple(support),
        hip_x=hip_x,
        hip_height=hip_height,
        tilt=tilt,
        joints=MappingProxyType(joints),
        seen=MappingProxyType(seen or {}),
        turned=MappingProxyType(turned or {}),
    )


def exercise(poses: dict, **data):
    """Pose data as a file would have it, with an alt text filled in for each pose."""
    poses = {name: {"alt": f"The {name} position", **body} for name, body in poses.items()}
    return figure_data("test-exercise", {"poses": poses, **data})


def parse_transform(text: str) -> Affine:
    matrix = Affine()
    for name, arguments in re.findall(r"(\w+)\(([^)]*)\)", text):
        numbers = [float(number) for number in arguments.split()]
        if name == "translate":
            step = translation(*numbers)
        elif name == "rotate":
            step = rotation(numbers[0])
        elif name == "scale":
            step = Affine(a=numbers[0], d=numbers[1] if len(numbers) > 1 else numbers[0])
        else:
            raise ValueError(name)
        matrix = matrix.then(step)
    return matrix


def drawn_frames(steps, frame: int | None = None) -> dict[str, Affine]:
    """Each shape's frame as the SVG's nested groups place it; with `frame`, the animated
    drawing at that key frame (each motion's value there, added to the group's transform)."""
    stack = [Affine()]
    frames = {}
    for step in steps:
        if step.kind == "close":
            stack.pop()
            continue
        matrix = parse_transform(step.transform)
        for motion in step.motions:
            values = motion.values.split(";")
            value = values[frame if frame is not None else 0]
            matrix = matrix.then(parse_transform(f"{motion.type}({value})"))
        placed = stack[-1].then(matrix)
        if step.kind == "open":
            stack.append(placed)
        else:
            frames.setdefault(step.part, placed)
    return frames


def close(first: Affine, second: Affine) -> bool:
    """The same frame but for the SVG's rounding (a tenth of a unit, a tenth of a degree, on
    each group of a chain)."""
    turns = all(
        math.isclose(a, b, abs_tol=0.01) for a, b in zip(first[:4], second[:4], strict=True)
    )
    places = all(
        math.isclose(a, b, abs_tol=0.4) for a, b in zip(first[4:], second[4:], strict=True)
    )
    return turns and places
