"""The review sheet: every exercise's poses side by side, with the exercise's name and each
picture's text alternative, for clinicians to check outside the app (`manage.py
figure_sheet`). `templates/exercises/figures/sheet.svg` draws each page.
"""

import textwrap
from dataclasses import dataclass

from .body import LIMBS, split_part
from .drawing import Drawing
from .geometry import HEIGHT, WIDTH
from .shapes import num

ATTRIBUTION = (
    "Exercise figures © the Rehabit contributors, licensed under CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/)."
)
MARGIN = 20
GAP = 12
TITLE_HEIGHT = 34
NAME_HEIGHT = 22
CAPTION_LINE = 9
CAPTION_LINES = 4
CAPTION_CHARACTERS = 52  # at the caption's font size, about a cell's width
FOOTER_CHARACTERS = 160
COLUMNS = 3  # start, middle, end
LABELS = {"start": "Start", "middle": "Middle", "end": "End"}
ROW_HEIGHT = NAME_HEIGHT + HEIGHT + 6 + CAPTION_LINE * (CAPTION_LINES + 1) + GAP
SHEET_WIDTH = 2 * MARGIN + COLUMNS * WIDTH + (COLUMNS - 1) * GAP


@dataclass(frozen=True)
class Line:
    x: str
    y: str
    text: str


@dataclass(frozen=True)
class Place:
    x: str
    y: str
    width: str
    height: str


@dataclass(frozen=True)
class Cell:
    drawing: Drawing
    place: Place
    frame: Place
    label: Line
    caption: tuple[Line, ...]


@dataclass(frozen=True)
class Row:
    name: Line
    note: Line
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class SheetPage:
    title: str
    width: int
    height: int
    heading: Line
    rows: tuple[Row, ...]
    footer: tuple[Line, ...]


def _lines(text: str, x: float, y: float, width: int, most: int) -> tuple[Line, ...]:
    wrapped = textwrap.wrap(text, width)
    if len(wrapped) > most:
        wrapped = [*wrapped[: most - 1], textwrap.shorten(" ".join(wrapped[most - 1 :]), width)]
    return tuple(
        Line(num(x), num(y + index * CAPTION_LINE), line) for index, line in enumerate(wrapped)
    )


def _limbs(parts: tuple[str, ...]) -> str:
    """ "right arm" for its three segments, and any other part by its own name."""
    names = []
    for part in parts:
        side, segment = split_part(part)
        limb = next((limb for limb, segments in LIMBS.items() if segment in segments), None)
        names.append(f"{side} {limb}" if side and limb else part.replace("_", " "))
    return ", ".join(dict.fromkeys(names))


def _row(figure, top: float) -> Row:
    data = figure.data
    sided = f", shaded: {_limbs(data.working)}" if data.working else ""
    cells = []
    for column, drawing in enumerate(figure.stills):
        pose = drawing.pose
        x = MARGIN + column * (WIDTH + GAP)
        y = top + NAME_HEIGHT
        caption_top = y + HEIGHT + 6 + CAPTION_LINE
        cells.append(
            Cell(
                drawing=drawing,
                place=Place(num(x), num(y), str(WIDTH), str(HEIGHT)),
                frame=Place(num(x - 0.5), num(y - 0.5), str(WIDTH + 1), str(HEIGHT + 1)),
                label=Line(num(x), num(caption_top), LABELS[pose]),
                caption=_lines(
                    drawing.title, x, caption_top + CAPTION_LINE, CAPTION_CHARACTERS, CAPTION_LINES
                ),
            )
        )
    return Row(
        name=Line(num(MARGIN), num(top + 14), figure.name),
        note=Line(
            num(SHEET_WIDTH - MARGIN), num(top + 14), f"{figure.slug}: {data.view} view{sided}"
        ),
        cells=tuple(cells),
    )


def review_sheet(figures, *, missing=(), rows_per_page: int | None = None) -> list[SheetPage]:
    """The sheet's pages: every figure's poses, `rows_per_page` exercises a page (all on one
    without it), then the slugs of the exercises still `missing` poses and the attribution."""
    figures = list(figures)
    per_page = rows_per_page or max(len(figures), 1)
    chunks = [figures[start : start + per_page] for start in range(0, len(figures), per_page)]
    pages = []
    for number, chunk in enumerate(chunks or [[]], start=1):
        rows = tuple(
            _row(figure, TITLE_HEIGHT + index * ROW_HEIGHT) for index, figure in enumerate(chunk)
        )
        bottom = TITLE_HEIGHT + len(rows) * ROW_HEIGHT
        footer: tuple[Line, ...] = ()
        if number == len(chunks or [[]]):
            notes = [f"Not drawn yet ({len(missing)}): {', '.join(missing)}."] if missing else []
            lines: list[Line] = []
            y = bottom + 10
            for note in [*notes, ATTRIBUTION]:
                wrapped = _lines(note, MARGIN, y, FOOTER_CHARACTERS, 20)
                lines += wrapped
                y += CAPTION_LINE * (len(wrapped) + 1)
            footer = tuple(lines)
            bottom = y
        title = "Rehabit exercise figures: review sheet"
        if len(chunks) > 1:
            title += f", page {number} of {len(chunks)}"
        pages.append(
            SheetPage(
                title=title,
                width=SHEET_WIDTH,
                height=int(bottom + MARGIN),
                heading=Line(num(MARGIN), "24", title),
                rows=rows,
                footer=footer,
            )
        )
    return pages
