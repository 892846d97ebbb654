"""Rehabit's exercise figures: a jointed human figure drawn as SVG from pose data.

    figure = figure_for("knee-to-chest-stretch")   # or a shared Exercise; None without poses
    figure.start, figure.end, figure.middle          # Drawings of one pose each (middle or None)
    figure.motion                                    # the animated Drawing, cropped to it
    figure.framed                                    # the stills, cropped as the motion is
    figure.thumbnail                                 # the end pose, cropped square to the body
    figure.pair                                      # start and end, cropped to both, for print
    render_svg(figure.start)                         # the SVG as a string

Templates include `exercises/figures/figure.html` with `figure=<a Drawing>`, or
`exercises/figures/exercise_figure.html` with `figure=<an ExerciseFigure>` for the animated
picture and the stills together. `README.md` beside this file explains the pose data.
"""

import json
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string

from ..catalog_translations import figure_alts
from ..languages import DEFAULT_LANGUAGE, content_language
from .drawing import Drawing, framed, motion, pair, still, thumbnail
from .plausibility import posed
from .poses import FIGURES_DIR, FigureData, FigureDataError, all_figure_data

__all__ = [
    "Drawing",
    "ExerciseFigure",
    "FigureData",
    "FigureDataError",
    "figure_for",
    "figures",
    "render_svg",
]

STARTER_CATALOG = Path(__file__).resolve().parent.parent / "catalog" / "starter.json"
TEMPLATE = "exercises/figures/figure.html"


@dataclass(frozen=True)
class ExerciseFigure:
    """An exercise's pictures: `stills` has one Drawing per pose (start, middle if any, end),
    whole, `motion` the animated one cropped to the whole movement, `framed` the stills cropped
    to the same box (a page's picture under reduced motion), `thumbnail` the end pose cropped
    square to the body for small sizes, `pair` the start and end poses cropped to one box around
    both, for print; `data` is the pose data they were drawn from."""

    slug: str
    name: str
    data: FigureData
    stills: tuple[Drawing, ...]
    motion: Drawing
    framed: tuple[Drawing, ...]
    thumbnail: Drawing
    pair: tuple[Drawing, Drawing]

    def _still(self, pose: str) -> Drawing | None:
        return next((drawing for drawing in self.stills if drawing.pose == pose), None)

    @property
    def start(self) -> Drawing:
        return self._still("start")

    @property
    def middle(self) -> Drawing | None:
        return self._still("middle")

    @property
    def end(self) -> Drawing:
        return self._still("end")


@cache
def _starter_names() -> dict[str, str]:
    catalog = json.loads(STARTER_CATALOG.read_text(encoding="utf-8"))
    return {exercise["slug"]: exercise["name"] for exercise in catalog["exercises"]}


def exercise_figure(data: FigureData, name: str = "") -> ExerciseFigure:
    """The pictures drawn from one exercise's pose data."""
    where, bodies = posed(data)
    stills = tuple(still(data, where, bodies, pose.name) for pose in data.poses)
    moving = motion(data, where, bodies)
    return ExerciseFigure(
        slug=data.slug,
        name=name or _starter_names().get(data.slug, data.slug),
        data=data,
        stills=stills,
        motion=moving,
        framed=framed(stills, moving),
        thumbnail=thumbnail(data, where, bodies, "end"),
        pair=pair(data, where, bodies),
    )


@cache
def _figure(slug: str, directory: Path) -> ExerciseFigure | None:
    data = all_figure_data(directory).get(slug)
    return exercise_figure(data) if data else None


@cache
def _figure_in(slug: str, directory: Path, language: str) -> ExerciseFigure | None:
    """The same pictures, titled in `language` where the catalog's translations say how. The
    titles are a drawing's text alternative, so each language has its own copy."""
    figure = _figure(slug, directory)
    alts = figure_alts(slug, language) if figure else {}
    if not alts:
        return figure

    def titled(drawing: Drawing) -> Drawing:
        return replace(drawing, title=alts.get(drawing.pose, drawing.title))

    return replace(
        figure,
        stills=tuple(map(titled, figure.stills)),
        motion=titled(figure.motion),
        framed=tuple(map(titled, figure.framed)),
        thumbnail=titled(figure.thumbnail),
        pair=(titled(figure.pair[0]), titled(figure.pair[1])),
    )


def figure_for(
    exercise, *, directory: Path = FIGURES_DIR, language: str | None = None
) -> ExerciseFigure | None:
    """The pictures of a shared exercise, given it or its slug, with their text alternatives in
    `language` (the active one unless given); None when it has no poses yet. A clinic's own
    exercise has none: its slug may be the same as a shared one's while its steps are the
    clinic's own."""
    if isinstance(exercise, str):
        slug = exercise
    else:
        if getattr(exercise, "clinic_id", None) is not None:
            return None
        slug = exercise.slug
    language = language or content_language()
    if language == DEFAULT_LANGUAGE:
        return _figure(slug, directory)
    return _figure_in(slug, directory, language)


def figures(directory: Path = FIGURES_DIR) -> list[ExerciseFigure]:
    """Every exercise that has poses, in slug order."""
    return [_figure(slug, directory) for slug in all_figure_data(directory)]


def render_svg(drawing: Drawing) -> str:
    return render_to_string(TEMPLATE, {"figure": drawing})
