"""Pose data: one JSON file per exercise in `exercises/catalog/figures/`, named by the
exercise's slug, read and checked here. `exercises/figures/README.md` describes the format.

Reading checks the data's shape (known keys and names, numbers where numbers go, a start and an
end pose); whether a pose is one a body can take is `plausibility.py`'s question.
"""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType

from .body import (
    AXIAL,
    DEPTHS,
    LIMBS,
    MOVEMENTS,
    SIDES,
    THROUGH_ELBOW,
    TURNS,
    part_names,
    point_names,
    split_part,
)

FIGURES_DIR = Path(__file__).resolve().parent.parent / "catalog" / "figures"

POSE_NAMES = ("start", "middle", "end")
VIEWS = ("side", "front", "back")
FACINGS = ("right", "left")

# A support names where the body rests; each expands to the contacts checked
# (plausibility.py). A pose may list several, and single parts as well.
SUPPORTS = {
    "standing": ("left_foot", "right_foot"),
    "sitting": ("pelvis",),
    "lying_on_back": ("pelvis", "torso"),
    "lying_on_front": ("pelvis", "torso"),
    "lying_on_side": ("pelvis", "torso"),
    "kneeling": ("left_knee", "right_knee"),
    "hands_and_knees": ("left_hand", "right_hand", "left_knee", "right_knee"),
}
# Parts that can rest on something, and the pairs a plural names.
CONTACT_PARTS = (
    "pelvis",
    "torso",
    "head",
    *(f"{side}_{part}" for side in SIDES for part in ("thigh", "knee", "forearm", "hand")),
    *(f"{side}_{part}" for side in SIDES for part in ("foot", "toes", "heel")),
)
PLURALS = {
    "feet": "foot",
    "toes": "toes",
    "heels": "heel",
    "hands": "hand",
    "knees": "knee",
    "thighs": "thigh",
    "forearms": "forearm",
}

PROP_KINDS = (
    "mat",
    "chair",
    "wall",
    "door_frame",
    "table",
    "step",
    "pillow",
    "towel",
    "rolled_towel",
    "band",
)


class FigureDataError(ValueError):
    """Pose data that cannot be read: the message names the file and what is wrong."""


@dataclass(frozen=True)
class Pose:
    """One position of the body. `joints` has every movement for every part it applies to,
    by full name ("left_knee_flexion", "trunk_flexion"); those a file leaves out are 0."""

    name: str
    alt: str
    support: tuple[str, ...]
    hip_x: float
    hip_height: float | None
    tilt: float
    joints: MappingProxyType
    seen: MappingProxyType = MappingProxyType({})
    turned: MappingProxyType = MappingProxyType({})

    def angle(self, movement: str, side: str | None = None) -> float:
        key = f"{side}_{movement}" if side and MOVEMENTS[movement].bilateral else movement
        return self.joints.get(key, 0.0)


@dataclass(frozen=True)
class Prop:
    kind: str
    options: MappingProxyType

    def get(self, key: str, default=None):
        return self.options.get(key, default)


@dataclass(frozen=True)
class Cue:
    """The movement's arrow: along the arc `point` travels around `around` from the start pose
    to the end pose ("arc"), or straight from where `point` starts to where it ends ("line"),
    `gap` units outside its path (an arc) or moved by `shift` (a line); or ("turn") round the
    front of a flat ellipse `length` wide about `around` (moved by `shift`), the way `point`
    goes across the picture: a turn about an upright axis (the head, the trunk)."""

    kind: str
    point: str
    around: str | None = None
    gap: float = 6.0
    shift: tuple[float, float] = (0.0, 0.0)
    length: float = 0.0  # at least this long (a line), for a small movement


@dataclass(frozen=True)
class Tempo:
    """The animation's pace: `step` seconds from one pose to the next, and as long again
    staying at the end pose (`hold`) and at the start pose before the next repetition
    (`rest`), where those are wanted."""

    step: float = 2.5
    hold: bool = True
    rest: bool = True


@dataclass(frozen=True)
class FigureData:
    slug: str
    view: str
    facing: str
    working: tuple[str, ...]
    props: tuple[Prop, ...]
    cue: Cue | None
    poses: tuple[Pose, ...]
    alt: str = ""
    tempo: Tempo = field(default_factory=Tempo)

    @property
    def mirrored(self) -> bool:
        return self.view == "back" or (self.view == "side" and self.facing == "left")

    @property
    def plane(self) -> str:
        """The view's geometry: "side", or "front" for both the front and the back view."""
        return "side" if self.view == "side" else "front"

    def pose(self, name: str) -> Pose | None:
        return next((pose for pose in self.poses if pose.name == name), None)


def _fail(where: str, message: str):
    raise FigureDataError(f"{where}: {message}")


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(where, f"expected a number, got {value!r}")
    return float(value)


def _text(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail(where, "expected some text")
    return value.strip()


def _only(data: dict, allowed: set[str], where: str):
    if not isinstance(data, dict):
        _fail(where, "expected an object")
    unknown = sorted(set(data) - allowed)
    if unknown:
        _fail(where, f"unknown key {unknown[0]!r} (expected one of: {', '.join(sorted(allowed))})")


def _joints(data: dict, plane: str, where: str) -> dict[str, float]:
    if not isinstance(data, dict):
        _fail(where, "expected an object of movements")
    seen_here = set(TURNS[plane]) | set(DEPTHS[plane]) | THROUGH_ELBOW | AXIAL
    both: dict[str, float] = {}
    one: dict[str, float] = {}
    for key, value in data.items():
        side, movement = split_part(key)
        if movement not in MOVEMENTS:
            _fail(where, f"unknown movement {key!r} (known: {', '.join(MOVEMENTS)})")
        if side and not MOVEMENTS[movement].bilateral:
            _fail(where, f"{movement!r} has no sides; write it without {side!r}")
        if movement not in seen_here:
            _fail(where, f"{movement!r} does not show in the {plane} view")
        value = _number(value, f"{where}, {key}")
        if side:
            one[key] = value
        else:
            both[movement] = value
    joints = {}
    for movement, value in both.items():
        if MOVEMENTS[movement].bilateral:
            for side in SIDES:
                joints[f"{side}_{movement}"] = value
        else:
            joints[movement] = value
    joints.update(one)
    return joints


def _support(data, where: str) -> tuple[str, ...]:
    names = [data] if isinstance(data, str) else data
    if not isinstance(names, list) or not names:
        _fail(where, "expected a support or a list of them")
    contacts: list[str] = []
    for name in names:
        if not isinstance(name, str):
            _fail(where, f"expected a support's name, got {name!r}")
        if name in SUPPORTS:
            contacts += SUPPORTS[name]
        elif name in PLURALS:
            contacts += [f"{side}_{PLURALS[name]}" for side in SIDES]
        elif name in CONTACT_PARTS:
            contacts.append(name)
        else:
            _fail(
                where,
                f"unknown support {name!r} (known: {', '.join([*SUPPORTS, *PLURALS])}, "
                "or a part such as 'left_hand')",
            )
    return tuple(dict.fromkeys(contacts))


def _pose(name: str, data: dict, plane: str, where: str) -> Pose:
    _only(
        data, {"alt", "support", "hip_x", "hip_height", "tilt", "joints", "seen", "turned"}, where
    )
    for key in ("alt", "support", "hip_x"):
        if key not in data:
            _fail(where, f"missing {key!r}")
    hip_height = data.get("hip_height")
    return Pose(
        name=name,
        alt=_text(data["alt"], f"{where}, alt"),
        support=_support(data["support"], f"{where}, support"),
        hip_x=_number(data["hip_x"], f"{where}, hip_x"),
        hip_height=None if hip_height is None else _number(hip_height, f"{where}, hip_height"),
        tilt=_number(data.get("tilt", 0), f"{where}, tilt"),
        joints=MappingProxyType(_joints(data.get("joints", {}), plane, f"{where}, joints")),
        seen=MappingProxyType(_seen(data.get("seen", {}), f"{where}, seen")),
        turned=MappingProxyType(_turned(data.get("turned", {}), f"{where}, turned")),
    )


def _seen(data: dict, where: str) -> dict[str, float]:
    """Parts' seen shares by part name. A limb's segment without a side ("forearm") applies to
    both sides; a side's own ("right_forearm") wins over it."""
    if not isinstance(data, dict):
        _fail(where, "expected an object of parts and the share of their length seen")
    parts = set(part_names())
    both, one = {}, {}
    for name, value in data.items():
        value = _number(value, f"{where}, {name}")
        if not -1 <= value <= 1:
            _fail(where, f"{name}: a share from -1 to 1")
        if f"left_{name}" in parts:
            both.update({f"{side}_{name}": value for side in SIDES})
        elif name in parts:
            one[name] = value
        else:
            _fail(where, f"unknown part {name!r}")
    return {**both, **one}


def _turned(data: dict, where: str) -> dict[str, float]:
    """Parts turned further in the picture, by part name ("right_shin"), in degrees."""
    if not isinstance(data, dict):
        _fail(where, "expected an object of parts and the degrees each is turned")
    parts = set(part_names())
    turned = {}
    for name, value in data.items():
        if name not in parts:
            _fail(where, f"unknown part {name!r} (a side's own, such as 'right_shin')")
        turned[name] = _number(value, f"{where}, {name}")
        if not -180 <= turned[name] <= 180:
            _fail(where, f"{name}: from -180 to 180 degrees")
    return turned


PROP_OPTIONS = {
    "mat": {"from", "to"},
    "chair": {"x", "facing", "seat"},
    "wall": {"x", "side"},
    "door_frame": {"x"},
    "table": {"x", "side", "height"},
    "step": {"from", "to", "height"},
    "pillow": {"x", "width"},
    "towel": {"through", "from", "to"},
    "rolled_towel": {"x"},
    "band": {"through"},
}
PROP_REQUIRED = {
    "mat": {"from", "to"},
    "chair": {"x"},
    "wall": {"x"},
    "door_frame": {"x"},
    "table": {"x"},
    "step": {"from", "to"},
    "pillow": {"x"},
    "towel": set(),
    "rolled_towel": {"x"},
    "band": {"through"},
}


def _prop(data: dict, where: str) -> Prop:
    if not isinstance(data, dict) or data.get("kind") not in PROP_KINDS:
        _fail(where, f"expected a prop with a kind, one of: {', '.join(PROP_KINDS)}")
    kind = data["kind"]
    options = {key: value for key, value in data.items() if key != "kind"}
    _only(options, PROP_OPTIONS[kind], f"{where} ({kind})")
    missing = sorted(PROP_REQUIRED[kind] - set(options))
    if missing:
        _fail(where, f"a {kind} needs {missing[0]!r}")
    if kind == "towel" and ("through" in options) == ("from" in options):
        _fail(where, "a towel is either held ('through') or lies on the floor ('from', 'to')")
    for key in ("x", "from", "to", "seat", "height", "width"):
        if key in options:
            options[key] = _number(options[key], f"{where}, {key}")
    for key in ("facing", "side"):
        if key in options and options[key] not in ("left", "right"):
            _fail(where, f"{key} is 'left' or 'right'")
    if "through" in options:
        points = options["through"]
        if not isinstance(points, list) or len(points) < 2:
            _fail(where, "'through' lists two or more points")
        options["through"] = tuple(_strap_point(point, f"{where}, through") for point in points)
    return Prop(kind, MappingProxyType(options))


def _strap_point(point, where: str):
    if isinstance(point, str):
        return point
    if isinstance(point, list) and len(point) == 2:
        return (_number(point[0], where), _number(point[1], where))
    if isinstance(point, dict) and point and set(point) <= set(POSE_NAMES):
        # A fixed point that moves from pose to pose: a towel gathered up by the toes.
        by_pose = {}
        for pose, fixed in point.items():
            if not (isinstance(fixed, list) and len(fixed) == 2):
                _fail(where, f"the {pose} pose's point is [x, height], got {fixed!r}")
            by_pose[pose] = (_number(fixed[0], where), _number(fixed[1], where))
        return MappingProxyType(by_pose)
    _fail(where, f"expected a point's name, [x, height] or one for each pose, got {point!r}")


def _cue(data: dict, where: str) -> Cue:
    _only(data, {"kind", "point", "around", "gap", "shift", "length"}, where)
    if data.get("kind") not in ("arc", "line", "turn"):
        _fail(where, "kind is 'arc', 'line' or 'turn'")
    if data["kind"] == "arc" and "around" not in data:
        _fail(where, "an arc needs 'around', the joint it turns about")
    if data["kind"] == "turn" and ("around" not in data or "length" not in data):
        _fail(where, "a turn needs 'around', the point it circles, and 'length', its width")
    shift = data.get("shift", [0, 0])
    if not isinstance(shift, list) or len(shift) != 2:
        _fail(where, "shift is [dx, dy]")
    return Cue(
        kind=data["kind"],
        point=_text(data.get("point"), f"{where}, point"),
        around=data.get("around"),
        gap=_number(data.get("gap", 6), f"{where}, gap"),
        shift=(_number(shift[0], where), _number(shift[1], where)),
        length=_number(data.get("length", 0), f"{where}, length"),
    )


def _working(data, where: str) -> tuple[str, ...]:
    names = [data] if isinstance(data, str) else data
    if not isinstance(names, list):
        _fail(where, "expected a part or limb, or a list of them")
    parts = set(part_names())
    working = []
    for name in names:
        side, limb = split_part(name) if isinstance(name, str) else (None, "")
        if side and limb in LIMBS:
            working += [f"{side}_{segment}" for segment in LIMBS[limb]]
        elif name in parts:
            working.append(name)
        else:
            _fail(where, f"unknown part {name!r} (e.g. 'right_leg', 'left_arm', 'neck')")
    return tuple(dict.fromkeys(working))


def figure_data(slug: str, data: dict, *, where: str = "") -> FigureData:
    """Checks one exercise's pose data (as read from its JSON file) and returns it."""
    where = where or slug
    _only(
        data,
        {"view", "facing", "working", "props", "cue", "poses", "alt", "tempo", "$comment"},
        where,
    )
    view = data.get("view", "side")
    if view not in VIEWS:
        _fail(where, f"view is one of: {', '.join(VIEWS)}")
    facing = data.get("facing", "right")
    if facing not in FACINGS:
        _fail(where, "facing is 'right' or 'left'")
    if view != "side" and "facing" in data:
        _fail(where, "only a side view faces left or right")
    plane = "side" if view == "side" else "front"
    poses_data = data.get("poses")
    _only(poses_data, set(POSE_NAMES), f"{where}, poses")
    for name in ("start", "end"):
        if name not in poses_data:
            _fail(where, f"missing the {name!r} pose")
    poses = tuple(
        _pose(name, poses_data[name], plane, f"{where}, {name} pose")
        for name in POSE_NAMES
        if name in poses_data
    )
    tempo_data = data.get("tempo", {})
    _only(tempo_data, {"step", "hold", "rest"}, f"{where}, tempo")
    for key in ("hold", "rest"):
        if not isinstance(tempo_data.get(key, True), bool):
            _fail(where, f"tempo: {key} is true or false")
    tempo = Tempo(
        step=_number(tempo_data.get("step", 2.5), f"{where}, tempo, step"),
        hold=tempo_data.get("hold", True),
        rest=tempo_data.get("rest", True),
    )
    if not 0.5 <= tempo.step <= 10:
        _fail(where, "tempo: a step takes from 0.5 to 10 seconds")
    props = tuple(
        _prop(prop, f"{where}, prop {index + 1}")
        for index, prop in enumerate(data.get("props", []))
    )
    cue = _cue(data["cue"], f"{where}, cue") if "cue" in data else None
    named = set(point_names(plane))
    used = [cue.point, cue.around] if cue else []
    used += [point for prop in props for point in prop.get("through", ()) if isinstance(point, str)]
    for point in used:
        if point is not None and point not in named:
            _fail(
                where, f"no point named {point!r} in the {plane} view (e.g. 'right_knee', 'chin')"
            )
    names = [pose.name for pose in poses]
    for prop in props:
        for point in prop.get("through", ()):
            if isinstance(point, MappingProxyType) and set(point) != set(names):
                _fail(
                    where,
                    f"a {prop.kind}'s point given pose by pose needs one for each pose: "
                    + ", ".join(names),
                )
    return FigureData(
        slug=slug,
        view=view,
        facing=facing,
        working=_working(data.get("working", []), f"{where}, working"),
        props=props,
        cue=cue,
        poses=poses,
        alt=_text(data["alt"], f"{where}, alt") if "alt" in data else "",
        tempo=tempo,
    )


def read_figure(path: Path) -> FigureData:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise FigureDataError(f"{path.name}: not valid JSON ({error})") from error
    return figure_data(path.stem, data, where=path.name)


@cache
def all_figure_data(directory: Path = FIGURES_DIR) -> dict[str, FigureData]:
    """Every exercise's pose data in the folder, by slug, in slug order."""
    return {path.stem: read_figure(path) for path in sorted(directory.glob("*.json"))}
