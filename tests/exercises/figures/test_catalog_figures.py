"""Every exercise that has poses: each pose passes the plausibility checks, and each picture is
a small, stable, valid SVG with a text alternative, no script, no style and no reference
outside itself."""

import json
import xml.etree.ElementTree as ET

import pytest

from exercises.figures import STARTER_CATALOG, exercise_figure, figures, render_svg
from exercises.figures.plausibility import problems
from exercises.figures.poses import FIGURES_DIR, read_figure

FIGURES = figures()


def every_picture(figure):
    """Each picture a page or the handout shows of an exercise, with a name for it."""
    yield from ((drawing.pose, drawing) for drawing in (*figure.stills, figure.motion))
    yield from ((f"{drawing.pose}-framed", drawing) for drawing in figure.framed)
    yield "thumbnail", figure.thumbnail
    yield from ((f"{drawing.pose}-print", drawing) for drawing in figure.pair)


DRAWINGS = [
    pytest.param(figure, drawing, id=f"{figure.slug}-{name}")
    for figure in FIGURES
    for name, drawing in every_picture(figure)
]
SVG = "{http://www.w3.org/2000/svg}"
LARGEST = 8 * 1024  # bytes, before compression
STARTER = {item["slug"]: item for item in json.loads(STARTER_CATALOG.read_text())["exercises"]}


def test_the_first_exercises_have_poses():
    assert {figure.slug for figure in FIGURES} >= {
        "knee-to-chest-stretch",
        "prone-press-up",
        "chin-tuck",
        "standing-calf-stretch",
        "sit-to-stand",
        "standing-side-bend-stretch",
    }


@pytest.mark.parametrize("figure", FIGURES, ids=lambda figure: figure.slug)
def test_every_pose_passes_the_plausibility_checks(figure):
    assert [str(problem) for problem in problems(figure.data)] == []


@pytest.mark.parametrize("figure", FIGURES, ids=lambda figure: figure.slug)
def test_each_exercise_is_in_the_starter_catalog_and_shades_a_side_only_if_it_has_sides(figure):
    assert figure.slug in STARTER
    assert figure.name == STARTER[figure.slug]["name"]
    assert bool(figure.data.working) == STARTER[figure.slug]["sided"]
    assert [drawing.pose for drawing in figure.stills][0 :: len(figure.stills) - 1] == [
        "start",
        "end",
    ]


@pytest.mark.parametrize(("figure", "drawing"), DRAWINGS)
def test_each_picture_is_a_valid_svg_with_a_title_and_nothing_the_page_would_refuse(
    figure, drawing
):
    svg = render_svg(drawing)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title = root[0]
    assert title.tag == f"{SVG}title" and title.text == drawing.title and len(title.text) > 20
    for element in root.iter():
        assert element.tag.startswith(SVG)
        assert element.tag not in (
            f"{SVG}script",
            f"{SVG}style",
            f"{SVG}foreignObject",
            f"{SVG}image",
        )
        for name, value in element.attrib.items():
            assert name not in ("style", "id", "href") and not name.startswith(("on", "{"))
            assert ("url(" not in value and "://" not in value) or name == "xmlns"


@pytest.mark.parametrize(("figure", "drawing"), DRAWINGS)
def test_each_picture_is_at_most_8_kb(figure, drawing):
    assert len(render_svg(drawing).encode()) <= LARGEST


def test_the_largest_picture_measured():
    sizes = sorted(
        (len(render_svg(drawing).encode()), f"{figure.slug} {name}")
        for figure in FIGURES
        for name, drawing in every_picture(figure)
    )
    largest, which = sizes[-1]
    assert "motion" in which  # the animated drawing, with its key frames, is the largest
    assert largest <= LARGEST, which


def test_the_same_pose_data_draws_the_same_bytes():
    drawn = [render_svg(drawing) for figure in FIGURES for _name, drawing in every_picture(figure)]
    again = [
        render_svg(drawing)
        for path in sorted(FIGURES_DIR.glob("*.json"))
        for figure in [exercise_figure(read_figure(path))]
        for _name, drawing in every_picture(figure)
    ]
    assert drawn == again
