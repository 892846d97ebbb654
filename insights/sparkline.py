"""A word-sized pain chart for a table row: the last 30 days of pain on the 0–10 scale.

`charts.time_chart` draws a full chart with a legend and axes, too big for one row of the
caseload. This lays out only the line, in the same way, and `templates/includes/sparkline.html`
draws it: server-rendered SVG coloured by the stylesheet (no inline styles, so it passes the
Content-Security-Policy) that works with JavaScript off. The template writes the scale (0 at
the foot, 10 at the top) and the latest score beside the line, so it reads without a tooltip.
The SVG is named by a sentence
(`role="img"`, `aria-label`) that says what the line shows, and that sentence is also the `text`
for a table cell or a tooltip.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lib.charts import Line, Marker, short_number, shown_number
from patients.pain import PAIN

WIDTH = 120
HEIGHT = 32
PAD = 3
DOT_RADIUS = 2.5  # the colours are in static/css/rehabit.css


@dataclass(frozen=True)
class Sparkline:
    text: str
    base: Line  # the line of no pain
    points: str = ""  # the polyline through the scores; empty for fewer than two
    dot: Marker | None = None  # the latest score
    last: str = ""  # the latest score as written beside the line; empty without scores
    width: int = WIDTH
    height: int = HEIGHT


def describe(points: list[tuple[datetime.date, int | float]], *, days: int) -> str:
    if not points:
        return ngettext(
            "No pain scores in the last %(days)d day.",
            "No pain scores in the last %(days)d days.",
            days,
        ) % {"days": days}
    values = [value for _day, value in points]
    if len(values) == 1:
        return _("Pain over the last %(days)d days: one score, %(value)s on %(day)s.") % {
            "days": days,
            "value": shown_number(values[0]),
            "day": date_format(points[0][0], "j M"),
        }
    return ngettext(
        "Pain over the last %(days)d days: %(count)d score, from %(first)s to %(last)s "
        "(lowest %(low)s, highest %(high)s).",
        "Pain over the last %(days)d days: %(count)d scores, from %(first)s to %(last)s "
        "(lowest %(low)s, highest %(high)s).",
        len(values),
    ) % {
        "days": days,
        "count": len(values),
        "first": shown_number(values[0]),
        "last": shown_number(values[-1]),
        "low": shown_number(min(values)),
        "high": shown_number(max(values)),
    }


def pain_sparkline(
    points: Iterable[tuple[datetime.date, int | float]],
    *,
    end: datetime.date,
    days: int = 30,
) -> Sparkline:
    """(day, pain) points, oldest first, over the `days` days ending `end`, as a small line: one
    step per day across, 0 (no pain) at the bottom and 10 at the top; the latest score is a dot.
    Points outside the window are left out. `templates/includes/sparkline.html` draws it."""
    start = end - datetime.timedelta(days=days - 1)
    points = [(day, value) for day, value in points if start <= day <= end]
    text = describe(points, days=days)
    span = max(days - 1, 1)
    low, high = PAIN.minimum, PAIN.maximum

    def x_of(day: datetime.date) -> float:
        return PAD + (day - start).days / span * (WIDTH - 2 * PAD)

    def y_of(value: float) -> float:
        share = (min(max(value, low), high) - low) / (high - low)
        return PAD + (1 - share) * (HEIGHT - 2 * PAD)

    base_y = short_number(y_of(low))
    line = ""
    if len(points) > 1:
        line = " ".join(
            f"{short_number(x_of(day))},{short_number(y_of(value))}" for day, value in points
        )
    dot = None
    if points:
        day, value = points[-1]
        dot = Marker(
            "circle", short_number(x_of(day)), short_number(y_of(value)), r=short_number(DOT_RADIUS)
        )
    return Sparkline(
        text=text,
        base=Line(short_number(PAD), base_y, short_number(WIDTH - PAD), base_y),
        points=line,
        dot=dot,
        last=shown_number(points[-1][1]) if points else "",
    )
