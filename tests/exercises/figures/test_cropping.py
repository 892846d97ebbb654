"""Cropped pictures: a thumbnail square to the end pose, the handout's pair in one box around
start and end, and a page's large picture in one box around the whole movement, which its
stills share."""

import itertools
import math

import pytest

from exercises.figures import figures
from exercises.figures.drawing import BETWEEN, _between, box_around
from exercises.figures.geometry import HEIGHT, WIDTH
from exercises.figures.plausibility import posed

FIGURES = figures()


def inside(box, points, slack=0.01) -> bool:
    x, y, width, height = box
    return all(
        x - slack <= px <= x + width + slack and y - slack <= py <= y + height + slack
        for px, py in points
    )


def flat(points) -> list[float]:
    return [value for point in points for value in point]


def test_part_of_the_way_between_two_poses_starts_and_ends_at_them():
    figure = next(figure for figure in FIGURES if figure.slug == "sit-to-stand")
    _, bodies = posed(figure.data)
    first, second = bodies["start"], bodies["end"]
    assert flat(_between(first, second, 0.0)) == pytest.approx(flat(first.edge()))
    at_end = [
        part.at(point)
        for part in second.parts.values()
        for point in first.parts[part.name].outline.points
    ]
    assert flat(_between(first, second, 1.0)) == pytest.approx(flat(at_end))
    halfway = flat(_between(first, second, 0.5))
    assert halfway != pytest.approx(flat(first.edge())) and halfway != pytest.approx(flat(at_end))


@pytest.mark.parametrize("figure", FIGURES, ids=lambda figure: figure.slug)
def test_the_moving_picture_takes_in_the_whole_movement_and_its_stills_share_its_box(figure):
    _, bodies = posed(figure.data)
    order = [bodies[pose.name] for pose in figure.data.poses]
    box = figure.motion.box
    assert box[2] / box[3] == pytest.approx(WIDTH / HEIGHT)
    assert inside(box, [point for body in order for point in body.edge()])
    assert inside(
        box,
        [
            point
            for first, second in itertools.pairwise(order)
            for share in BETWEEN
            for point in _between(first, second, share)
        ],
    )
    assert [drawing.box for drawing in figure.framed] == [box] * len(figure.stills)
    assert [drawing.title for drawing in figure.framed] == [d.title for d in figure.stills]
    # The whole picture, uncropped, stays for the review sheet.
    assert {drawing.box for drawing in figure.stills} == {(0, 0, WIDTH, HEIGHT)}


@pytest.mark.parametrize("figure", FIGURES, ids=lambda figure: figure.slug)
def test_the_thumbnail_is_square_around_the_end_pose_and_the_pair_shares_one_box(figure):
    _, bodies = posed(figure.data)
    _x, _y, width, height = figure.thumbnail.box
    assert width == pytest.approx(height) and width < WIDTH
    assert inside(figure.thumbnail.box, bodies["end"].edge())
    start, end = figure.pair
    assert start.box == end.box
    assert start.box[2] / start.box[3] == pytest.approx(WIDTH / HEIGHT)
    assert inside(start.box, bodies["start"].edge() + bodies["end"].edge())


def test_a_box_keeps_inside_the_picture_where_it_fits_and_keeps_its_least_height():
    # A small body near the left edge: the box is no shorter than its least height, and slides
    # right to stay inside the picture instead of centring on the points.
    x, y, width, height = box_around([(2.0, 130.0), (12.0, 140.0)])
    assert (x, width, height) == (0.0, 50.0, 50.0)
    assert y + height <= HEIGHT
    wide = box_around([(10.0, 100.0), (190.0, 140.0)], aspect=WIDTH / HEIGHT)
    assert wide[2] >= 190.0 - 10.0 and math.isclose(wide[2] / wide[3], WIDTH / HEIGHT)
