"""Small server-rendered SVG charts of scores over time, such as pain from 0 to 10.

The SVG is built here rather than by a charting script, so it works with JavaScript off and under
a Content-Security-Policy: colours are SVG presentation attributes, never inline styles. Each
chart names itself (`role="img"`, `<title>`, `<desc>`), and `Chart.rows` gives the same data for
a table next to it.
"""

import datetime
import html
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
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
CHAR_WIDTH = 6.5  # a generous average width of one character at FONT_SIZE
LEGEND_Y = 14
LEGEND_ROW = 20
ANCHOR_SPACE = 22  # room above the top grid line for the top anchor's words
MARKER_SIZE = 4.5
GRID_COLOUR = "#ced4da"
TEXT_COLOUR = "#495057"
EVENT_COLOUR = "#6c757d"  # 4.7:1 against white, above the 3:1 WCAG 1.4.11 asks of graphics


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
class Chart:
    svg: SafeString
    title: str
    description: str
    rows: list[ChartRow] = field(default_factory=list)


def _moment(when, zone) -> datetime.datetime:
    if isinstance(when, datetime.datetime):
        local = timezone.localtime(when, zone) if timezone.is_aware(when) else when
        return local.replace(tzinfo=None)
    return datetime.datetime.combine(when, datetime.time(12))


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    size = MARKER_SIZE
    if shape == "square":
        return (
            f'<rect x="{_number(x - size)}" y="{_number(y - size)}" width="{_number(size * 2)}" '
            f'height="{_number(size * 2)}" fill="{colour}"/>'
        )
    if shape == "diamond":
        big = size * 1.35
        corners = ((x, y - big), (x + big, y), (x, y + big), (x - big, y))
        points = " ".join(f"{_number(cx)},{_number(cy)}" for cx, cy in corners)
        return f'<polygon points="{points}" fill="#fff" stroke="{colour}" stroke-width="2"/>'
    return f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{_number(size)}" fill="{colour}"/>'


def _summary(label: str, values: list[float]) -> str:
    if not values:
        return _("%(series)s: none.") % {"series": label}
    if len(values) == 1:
        return _("%(series)s: one score, %(value)s.") % {
            "series": label,
            "value": _number(values[0]),
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
        "first": _number(values[0]),
        "last": _number(values[-1]),
        "low": _number(min(values)),
        "high": _number(max(values)),
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
    """Points (when, value, kind) from `start` to `end` (whole days, inclusive) as an SVG line
    chart: one line per kind that `connect`s, markers only for the others. Datetimes are placed
    by the local time in `zone` (the current time zone by default).

    `width` is the viewBox width (wider suits a desktop page), `tick_days` the days between time
    labels, `summary` a sentence put first in the description, and `events` moments drawn as
    dotted vertical lines named in the legend by `event_label` and listed in the description."""
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
        if style.connect:
            dash = ' stroke-dasharray="4 3"' if style.dashed else ""
            legend.append(
                f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 20}" y2="{legend_y}" '
                f'stroke="{style.colour}" stroke-width="2"{dash}/>'
            )
        legend.append(_marker(style.marker, legend_x + 10, legend_y, style.colour))
        legend.append(
            f'<text x="{legend_x + 25}" y="{legend_y + 4}" fill="{TEXT_COLOUR}">'
            f"{escape(style.label)}</text>"
        )
        legend_x += item_width
    if events and event_label:
        item_width = 30 + int(len(str(event_label)) * CHAR_WIDTH)
        if legend_x > LEFT and legend_x + item_width > width - RIGHT:
            legend_x, legend_y = LEFT, legend_y + LEGEND_ROW
        legend.append(
            f'<line x1="{legend_x + 10}" y1="{legend_y - 7}" x2="{legend_x + 10}" '
            f'y2="{legend_y + 7}" stroke="{EVENT_COLOUR}" stroke-width="2" '
            f'stroke-dasharray="2 2"/>'
        )
        legend.append(
            f'<text x="{legend_x + 25}" y="{legend_y + 4}" fill="{TEXT_COLOUR}">'
            f"{escape(event_label)}</text>"
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

    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
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

    parts = [
        f'<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} '
        f'{height}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'font-family="system-ui, sans-serif" font-size="{FONT_SIZE}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        *legend,
    ]

    # The value axis: grid lines, numbers, and the scale's anchors in words.
    for value in range(y_min, y_max + 1, y_step):
        y = _number(y_of(value))
        parts.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{width - RIGHT}" y2="{y}" stroke="{GRID_COLOUR}" '
            f'stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{_number(y_of(value) + 4)}" text-anchor="end" '
            f'fill="{TEXT_COLOUR}">{value}</text>'
        )
    for value, anchor in sorted(y_anchors.items()):
        # Words above their grid line; a white halo keeps them legible over the lines.
        parts.append(
            f'<text x="{LEFT + 4}" y="{_number(y_of(value) - 5)}" fill="{TEXT_COLOUR}" '
            f'font-style="italic" stroke="#fff" stroke-width="3" paint-order="stroke">'
            f"{escape(anchor)}</text>"
        )

    # The time axis: a tick every `tick_days` (a week by default), counted back from the last
    # day; a label near either edge is moved inwards so it is not cut off.
    bottom = top + plot_height
    day = end
    while day >= start:
        x = x_of(day)
        label = date_format(day, "j M")
        half = len(label) * CHAR_WIDTH / 2
        label_x = min(max(x, half + 1), width - half - 1)
        parts.append(
            f'<line x1="{_number(x)}" y1="{bottom}" x2="{_number(x)}" y2="{bottom + 4}" '
            f'stroke="{TEXT_COLOUR}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_number(label_x)}" y="{bottom + 19}" text-anchor="middle" '
            f'fill="{TEXT_COLOUR}">{escape(label)}</text>'
        )
        day -= datetime.timedelta(days=tick_days)

    # Events under the series, so they never hide a score: a dotted line across the plot with
    # its short label at the top, on a white halo.
    for event in events:
        x = x_of(event.when)
        parts.append(
            f'<line x1="{_number(x)}" y1="{top - 4}" x2="{_number(x)}" y2="{bottom}" '
            f'stroke="{EVENT_COLOUR}" stroke-width="1.5" stroke-dasharray="2 2"/>'
        )
        anchor = "end" if x > LEFT + plot_width / 2 else "start"
        shift = -3 if anchor == "end" else 3
        parts.append(
            f'<text x="{_number(x + shift)}" y="{top + 8}" text-anchor="{anchor}" '
            f'fill="{TEXT_COLOUR}" font-size="{FONT_SIZE - 2}" stroke="#fff" stroke-width="3" '
            f'paint-order="stroke">{escape(event.label)}</text>'
        )

    for kind, style in kinds.items():
        series = [point for point in points if point.kind == kind]
        if style.connect and len(series) > 1:
            line = " ".join(
                f"{_number(x_of(point.when))},{_number(y_of(point.value))}" for point in series
            )
            dash = ' stroke-dasharray="4 3"' if style.dashed else ""
            parts.append(
                f'<polyline points="{line}" fill="none" stroke="{style.colour}" '
                f'stroke-width="2" stroke-linejoin="round"{dash}/>'
            )
        for point in series:
            parts.append(_marker(style.marker, x_of(point.when), y_of(point.value), style.colour))
    parts.append("</svg>")

    rows = [
        ChartRow(when=point.when, label=kinds[point.kind].label, value=point.value)
        for point in points
    ]
    # Every piece of text above went through escape(); the rest is numbers and fixed markup.
    return Chart(svg=mark_safe("".join(parts)), title=title, description=description, rows=rows)


@dataclass(frozen=True)
class HeatCell:
    """One cell of a heat map: `css` classes give its colour, and the text says the same, so
    colour is never the only cue. An empty `css` is a blank cell."""

    css: str = ""
    label: str = ""  # small text at the top, e.g. the day of the month (hidden from readers)
    mark: str = ""  # the value, e.g. "1/2" (hidden from readers)
    description: str = ""  # the whole cell in words, for screen readers


@dataclass(frozen=True)
class HeatRow:
    label: str
    cells: list[HeatCell]


def heat_map_table(
    rows: Iterable[HeatRow],
    *,
    columns: Iterable[tuple[str, str]],
    corner: str,
    caption: str,
    css_class: str = "heat-map",
) -> SafeString:
    """A heat map as an HTML table: a header row of (short, full) column names, then each row
    with its label and cells. Built here rather than in a template because a year is 53 rows
    of 7 cells, and a template loop over them costs more than the rest of a page."""

    def _escape(text) -> str:
        # The standard library's escape: the same five characters as Django's, without the
        # lazy-string handling that makes it several times slower over a thousand cells.
        return html.escape(str(text), quote=True)

    head = "".join(
        f'<th scope="col"><abbr title="{_escape(full)}">{_escape(short)}</abbr></th>'
        for short, full in columns
    )
    parts = [
        f'<table class="{_escape(css_class)}">',
        f'<caption class="small text-body-secondary">{_escape(caption)}</caption>',
        f'<thead><tr><th scope="col">{_escape(corner)}</th>{head}</tr></thead><tbody>',
    ]
    for row in rows:
        parts.append(f'<tr><th scope="row">{_escape(row.label)}</th>')
        for cell in row.cells:
            if not cell.css:
                parts.append("<td></td>")
                continue
            parts.append(
                f'<td class="{_escape(cell.css)}">'
                f'<span class="heat-label" aria-hidden="true">{_escape(cell.label)}</span>'
                f'<span class="heat-mark" aria-hidden="true">{_escape(cell.mark)}</span>'
                f'<span class="visually-hidden">{_escape(cell.description)}</span></td>'
            )
        parts.append("</tr>")
    parts.append("</tbody></table>")
    # Every piece of text above went through _escape().
    return mark_safe("".join(parts))
