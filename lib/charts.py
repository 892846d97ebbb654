"""Small server-rendered SVG charts of scores over time, such as pain from 0 to 10, and heat
maps as tables.

This module works out where everything goes; the templates in `templates/includes/` draw it
(`time_chart.html`, `heat_map.html`), so every text is escaped on the way out and no markup is
built in Python. The charts work with JavaScript off and under a Content-Security-Policy:
colours are SVG presentation attributes, never inline styles. Each chart names itself
(`role="img"`, `<title>`, `<desc>`), and `Chart.rows` gives the same data for a table next to it.

Coordinates are kept as the attribute values the SVG gets, in viewBox units rounded to a tenth
(`short_number`), so a chart draws the same whatever renders it.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Sized for a phone: the viewBox is about as wide as a phone screen in CSS pixels, so text
# drawn at FONT_SIZE shows at about that size there, and larger on wider screens.
WIDTH = 360
LEFT = 30
RIGHT = 12
PLOT_HEIGHT = 170
BOTTOM = 30
FONT_SIZE = 12
EVENT_FONT_SIZE = FONT_SIZE - 2
CHAR_WIDTH = 6.5  # a generous average width of one character at FONT_SIZE
LEGEND_Y = 14
LEGEND_ROW = 20
ANCHOR_SPACE = 22  # room above the top grid line for the top anchor's words
MARKER_SIZE = 4.5
# The fixed colours (grid, text, event lines) are in templates/includes/time_chart.html.


@dataclass(frozen=True)
class SeriesStyle:
    """How one kind of point is drawn. Shapes differ as well as colours, so the series can be
    told apart without colour; colours keep a 3:1 contrast against white (WCAG 1.4.11)."""

    label: str
    colour: str
    marker: str = "circle"  # circle, square or diamond
    connect: bool = True
    dashed: bool = False


@dataclass(frozen=True)
class ChartPoint:
    when: datetime.date | datetime.datetime
    value: int | float
    kind: str


@dataclass(frozen=True)
class ChartEvent:
    """A moment marked across the whole plot, such as a change to the plan."""

    when: datetime.date | datetime.datetime
    label: str
    description: str = ""


@dataclass(frozen=True)
class ChartRow:
    when: datetime.date | datetime.datetime
    label: str
    value: int | float


@dataclass(frozen=True)
class Line:
    x1: str
    y1: str
    x2: str
    y2: str


@dataclass(frozen=True)
class Marker:
    """A point's mark, centred on (cx, cy): a circle of radius `r`; a square with its top left
    corner at (x, y) and sides `side` long; or a diamond through `points`."""

    shape: str
    cx: str
    cy: str
    r: str = ""
    x: str = ""
    y: str = ""
    side: str = ""
    points: str = ""


@dataclass(frozen=True)
class LegendItem:
    """One entry of the legend: a series (`style`), drawn as its line (when it connects) and
    marker, or the events (no style), drawn as a short upright dotted `line`; then the label,
    starting at (text_x, text_y)."""

    label: str
    text_x: str
    text_y: str
    line: Line
    style: SeriesStyle | None = None
    marker: Marker | None = None


@dataclass(frozen=True)
class GridLine:
    """A horizontal line across the plot at a value of the scale, with the number to its left
    (right-aligned at label_x)."""

    value: int
    line: Line
    label_x: str
    label_y: str


@dataclass(frozen=True)
class AxisAnchor:
    """A value of the scale in words (such as "No pain"), just above its grid line."""

    label: str
    x: str
    y: str


@dataclass(frozen=True)
class Tick:
    """A day on the time axis: a short mark under the plot and its date centred at label_x
    (moved inwards near either edge so it is not cut off)."""

    label: str
    line: Line
    label_x: str
    label_y: str


@dataclass(frozen=True)
class EventMark:
    """An event as a dotted line across the plot, its short label at the top on the side
    facing the middle (`text_anchor` "start" or "end")."""

    label: str
    line: Line
    label_x: str
    label_y: str
    text_anchor: str


@dataclass(frozen=True)
class SeriesDrawing:
    """One kind of point: a polyline through `points` (empty when it does not connect or has
    a single point) and a marker at each point."""

    style: SeriesStyle
    points: str
    markers: list[Marker]


@dataclass(frozen=True)
class Chart:
    """Everything `templates/includes/time_chart.html` draws, in the order it draws it (the
    events under the series, so they never hide a score), and `rows`, the same data for a
    table next to the chart."""

    title: str
    description: str
    rows: list[ChartRow]
    title_id: str
    desc_id: str
    width: int
    height: int
    legend: list[LegendItem]
    grid: list[GridLine]
    anchors: list[AxisAnchor]
    ticks: list[Tick]
    events: list[EventMark]
    series: list[SeriesDrawing]
    font_size: int = FONT_SIZE
    event_font_size: int = EVENT_FONT_SIZE


def _moment(when, zone) -> datetime.datetime:
    if isinstance(when, datetime.datetime):
        local = timezone.localtime(when, zone) if timezone.is_aware(when) else when
        return local.replace(tzinfo=None)
    return datetime.datetime.combine(when, datetime.time(12))


def short_number(value: float) -> str:
    """A number for the drawing itself (coordinates, sizes): one decimal at most, with a point."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def shown_number(value: float) -> str:
    """A number a person reads (4.5 in English, 4,5 in Spanish and French): one decimal at most."""
    return short_number(value).replace(".", get_format("DECIMAL_SEPARATOR"))


def _marker(shape: str, x: float, y: float) -> Marker:
    size = MARKER_SIZE
    if shape == "square":
        return Marker(
            shape,
            short_number(x),
            short_number(y),
            x=short_number(x - size),
            y=short_number(y - size),
            side=short_number(size * 2),
        )
    if shape == "diamond":
        big = size * 1.35
        corners = ((x, y - big), (x + big, y), (x, y + big), (x - big, y))
        points = " ".join(f"{short_number(cx)},{short_number(cy)}" for cx, cy in corners)
        return Marker(shape, short_number(x), short_number(y), points=points)
    return Marker("circle", short_number(x), short_number(y), r=short_number(size))


def _summary(label: str, values: list[float]) -> str:
    if not values:
        return _("%(series)s: none.") % {"series": label}
    if len(values) == 1:
        return _("%(series)s: one score, %(value)s.") % {
            "series": label,
            "value": shown_number(values[0]),
        }
    return ngettext(
        "%(series)s: %(count)d score, %(first)s at first and %(last)s most recently "
        "(lowest %(low)s, highest %(high)s).",
        "%(series)s: %(count)d scores, %(first)s at first and %(last)s most recently "
        "(lowest %(low)s, highest %(high)s).",
        len(values),
    ) % {
        "series": label,
        "count": len(values),
        "first": shown_number(values[0]),
        "last": shown_number(values[-1]),
        "low": shown_number(min(values)),
        "high": shown_number(max(values)),
    }


def time_chart(
    points: Iterable[ChartPoint | tuple],
    *,
    kinds: dict[str, SeriesStyle],
    start: datetime.date,
    end: datetime.date,
    title: str,
    value_label: str,
    y_min: int = 0,
    y_max: int = 10,
    y_step: int = 2,
    y_anchors: dict[int, str] | None = None,
    id_prefix: str = "chart",
    zone: datetime.tzinfo | None = None,
    width: int = WIDTH,
    tick_days: int = 7,
    summary: str = "",
    events: Iterable[ChartEvent] = (),
    event_label: str = "",
) -> Chart:
    """Points (when, value, kind) from `start` to `end` (whole days, inclusive) as a line
    chart: one line per kind that `connect`s, markers only for the others. Datetimes are placed
    by the local time in `zone` (the current time zone by default).

    `width` is the viewBox width (wider suits a desktop page), `tick_days` the days between time
    labels, `summary` a sentence put first in the description, and `events` moments drawn as
    dotted vertical lines named in the legend by `event_label` and listed in the description.
    `templates/includes/time_chart.html` draws it."""
    zone = zone or timezone.get_current_timezone()
    y_anchors = y_anchors or {}
    moments: dict = {}

    def moment(when) -> datetime.datetime:
        # Each time is converted once: a session's before and after share it, and a long
        # chart has hundreds of them.
        if when not in moments:
            moments[when] = _moment(when, zone)
        return moments[when]

    points = sorted(
        (point if isinstance(point, ChartPoint) else ChartPoint(*point) for point in points),
        key=lambda point: moment(point.when),
    )
    points = [point for point in points if point.kind in kinds]
    events = sorted(
        (event for event in events if start <= moment(event.when).date() <= end),
        key=lambda event: moment(event.when),
    )

    # Legend across the top, wrapping to more rows when the labels are long: the marker and
    # line of each kind, then its label. The plot starts below it.
    legend, legend_x, legend_y = [], LEFT, LEGEND_Y
    for style in kinds.values():
        item_width = 30 + int(len(str(style.label)) * CHAR_WIDTH)
        if legend_x > LEFT and legend_x + item_width > width - RIGHT:
            legend_x, legend_y = LEFT, legend_y + LEGEND_ROW
        legend.append(
            LegendItem(
                label=style.label,
                text_x=short_number(legend_x + 25),
                text_y=short_number(legend_y + 4),
                line=Line(
                    short_number(legend_x),
                    short_number(legend_y),
                    short_number(legend_x + 20),
                    short_number(legend_y),
                ),
                style=style,
                marker=_marker(style.marker, legend_x + 10, legend_y),
            )
        )
        legend_x += item_width
    if events and event_label:
        item_width = 30 + int(len(str(event_label)) * CHAR_WIDTH)
        if legend_x > LEFT and legend_x + item_width > width - RIGHT:
            legend_x, legend_y = LEFT, legend_y + LEGEND_ROW
        legend.append(
            LegendItem(
                label=event_label,
                text_x=short_number(legend_x + 25),
                text_y=short_number(legend_y + 4),
                line=Line(
                    short_number(legend_x + 10),
                    short_number(legend_y - 7),
                    short_number(legend_x + 10),
                    short_number(legend_y + 7),
                ),
            )
        )
    top = legend_y + ANCHOR_SPACE + 10
    height = top + PLOT_HEIGHT + BOTTOM
    plot_width = width - LEFT - RIGHT
    plot_height = PLOT_HEIGHT
    first = datetime.datetime.combine(start, datetime.time.min)
    span = (datetime.datetime.combine(end, datetime.time.min) - first).total_seconds() + 86400

    def x_of(when) -> float:
        seconds = (moment(when) - first).total_seconds()
        return LEFT + max(0.0, min(1.0, seconds / span)) * plot_width

    def y_of(value) -> float:
        share = (min(max(value, y_min), y_max) - y_min) / (y_max - y_min)
        return top + (1 - share) * plot_height

    date_range = _("%(start)s to %(end)s") % {
        "start": date_format(start, "j M"),
        "end": date_format(end, "j M Y"),
    }
    scale = _("%(label)s from %(low)s to %(high)s") % {
        "label": value_label,
        "low": f"{y_min} ({y_anchors[y_min]})" if y_min in y_anchors else y_min,
        "high": f"{y_max} ({y_anchors[y_max]})" if y_max in y_anchors else y_max,
    }
    sentences = [summary] if summary else []
    sentences.append(f"{scale}, {date_range}.")
    for kind, style in kinds.items():
        sentences.append(
            _summary(style.label, [point.value for point in points if point.kind == kind])
        )
    if events:
        sentences.append(
            _("%(label)s: %(events)s.")
            % {
                "label": event_label or _("Marked"),
                "events": "; ".join(event.description or str(event.label) for event in events),
            }
        )
    description = " ".join(sentences)

    # The value axis: grid lines, numbers, and the scale's anchors in words (above their grid
    # line).
    grid = []
    for value in range(y_min, y_max + 1, y_step):
        y = short_number(y_of(value))
        grid.append(
            GridLine(
                value=value,
                line=Line(short_number(LEFT), y, short_number(width - RIGHT), y),
                label_x=short_number(LEFT - 6),
                label_y=short_number(y_of(value) + 4),
            )
        )
    anchors = [
        AxisAnchor(label=anchor, x=short_number(LEFT + 4), y=short_number(y_of(value) - 5))
        for value, anchor in sorted(y_anchors.items())
    ]

    # The time axis: a tick every `tick_days` (a week by default), counted back from the last
    # day; a label near either edge is moved inwards so it is not cut off.
    bottom = top + plot_height
    ticks = []
    day = end
    while day >= start:
        x = x_of(day)
        label = date_format(day, "j M")
        half = len(label) * CHAR_WIDTH / 2
        ticks.append(
            Tick(
                label=label,
                line=Line(
                    short_number(x), short_number(bottom), short_number(x), short_number(bottom + 4)
                ),
                label_x=short_number(min(max(x, half + 1), width - half - 1)),
                label_y=short_number(bottom + 19),
            )
        )
        day -= datetime.timedelta(days=tick_days)

    # Events are drawn under the series, so they never hide a score.
    event_marks = []
    for event in events:
        x = x_of(event.when)
        anchor = "end" if x > LEFT + plot_width / 2 else "start"
        event_marks.append(
            EventMark(
                label=event.label,
                line=Line(
                    short_number(x), short_number(top - 4), short_number(x), short_number(bottom)
                ),
                label_x=short_number(x + (-3 if anchor == "end" else 3)),
                label_y=short_number(top + 8),
                text_anchor=anchor,
            )
        )

    series = []
    for kind, style in kinds.items():
        kind_points = [point for point in points if point.kind == kind]
        places = [(x_of(point.when), y_of(point.value)) for point in kind_points]
        line = ""
        if style.connect and len(places) > 1:
            line = " ".join(f"{short_number(x)},{short_number(y)}" for x, y in places)
        series.append(
            SeriesDrawing(
                style=style,
                points=line,
                markers=[_marker(style.marker, x, y) for x, y in places],
            )
        )

    rows = [
        ChartRow(when=point.when, label=kinds[point.kind].label, value=point.value)
        for point in points
    ]
    return Chart(
        title=title,
        description=description,
        rows=rows,
        title_id=f"{id_prefix}-title",
        desc_id=f"{id_prefix}-desc",
        width=width,
        height=height,
        legend=legend,
        grid=grid,
        anchors=anchors,
        ticks=ticks,
        events=event_marks,
        series=series,
    )


class HeatCell(NamedTuple):
    """One cell of a heat map: `css` classes give its colour, and the text says the same, so
    colour is never the only cue. An empty `css` is a blank cell. (A named tuple, so the
    template unpacks it in its loop: a year has 371 cells.)"""

    css: str = ""
    label: str = ""  # small text at the top, e.g. the day of the month (hidden from readers)
    mark: str = ""  # the value, e.g. "1/2" (hidden from readers)
    description: str = ""  # the whole cell in words, for screen readers


class HeatRow(NamedTuple):
    label: str
    cells: list[HeatCell]


@dataclass(frozen=True)
class HeatMap:
    """A heat map as a table, drawn by `templates/includes/heat_map.html`: a header row of
    `columns` as (short, full) names after the `corner`, then each row with its label and
    cells."""

    rows: list[HeatRow]
    columns: list[tuple[str, str]]
    corner: str
    caption: str
    css_class: str = "heat-map"


@dataclass(frozen=True)
class Column:
    """One column of a column chart: its label under it, its value's words above it, and the
    bar; a column with no value draws no bar, only a baseline tick."""

    label: str
    text: str
    description: str
    x: str
    label_x: str
    bar_y: str
    bar_height: str
    text_y: str
    width: str
    has_bar: bool


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    baseline_y: str
    label_y: str
    columns: list[Column]
    title: str
    id_prefix: str


COLUMN_PLOT_HEIGHT = 90
COLUMN_TOP = 22  # room for the value's words above a full bar
COLUMN_BOTTOM = 22  # room for the labels


def column_chart(
    values: Iterable[tuple[str, float | None, str, str]],
    *,
    title: str,
    id_prefix: str = "columns",
    width: int = WIDTH,
) -> ColumnChart:
    """(label, share from 0 to 1 or None, short text, description) as columns, oldest first:
    a share of 1 fills the plot's height, None leaves the column empty. The short text goes
    above each column and the description is what a screen reader hears of it.
    `templates/includes/column_chart.html` draws it."""
    values = list(values)
    slot = width / max(len(values), 1)
    bar_width = min(slot * 0.6, 36)
    baseline = COLUMN_TOP + COLUMN_PLOT_HEIGHT
    columns = []
    for index, (label, share, text, description) in enumerate(values):
        height = COLUMN_PLOT_HEIGHT * max(0.0, min(1.0, share)) if share is not None else 0
        # Even 0% shows a sliver, so a week with nothing done is seen, not mistaken for a gap.
        height = max(height, 2) if share is not None else 0
        left = index * slot + (slot - bar_width) / 2
        columns.append(
            Column(
                label=label,
                text=text,
                description=description,
                x=short_number(left),
                label_x=short_number(index * slot + slot / 2),
                bar_y=short_number(baseline - height),
                bar_height=short_number(height),
                text_y=short_number(baseline - height - 6),
                width=short_number(bar_width),
                has_bar=share is not None,
            )
        )
    return ColumnChart(
        width=width,
        height=baseline + COLUMN_BOTTOM,
        baseline_y=short_number(baseline),
        label_y=short_number(baseline + 16),
        columns=columns,
        title=title,
        id_prefix=id_prefix,
    )
