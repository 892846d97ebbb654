"""One outcome measure over time above the patient's weekly adherence, on one time axis.

This works out where everything goes; `templates/outcomes/includes/outcome_chart.html` draws
it as inline SVG (no script, colours as presentation attributes for the Content-Security-
Policy). The SVG names itself with a sentence that says the same as the lines and bars, and
the section's table gives the scores again for anyone who cannot see the chart."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lib.charts import short_number, shown_number
from patients.adherence import WeekAdherence

from .progress import Point
from .scores import Scale

WIDTH = 360
LEFT = 34
RIGHT = 12
TOP = 12
PLOT_HEIGHT = 120
GAP = 26  # between the scores and the adherence bars
BAR_HEIGHT = 40
BOTTOM = 22
GRID_STEPS = 5


@dataclass(frozen=True)
class Mark:
    x: str
    y: str
    label: str


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    label: str


@dataclass(frozen=True)
class Grid:
    y: str
    label: str


@dataclass(frozen=True)
class OutcomeChart:
    id_prefix: str
    title: str
    description: str
    width: int
    height: int
    left: int
    right: int
    grid: list[Grid]
    line: str
    marks: list[Mark]
    bars: list[Bar]
    bars_top: str
    bars_bottom: str
    bars_label_y: str
    ticks: list[Mark]


def outcome_chart(
    *,
    scale: Scale,
    points: Sequence[Point],
    weeks: Sequence[WeekAdherence],
    start: datetime.date,
    end: datetime.date,
    id_prefix: str,
) -> OutcomeChart:
    """`points` (oldest first) of one measure on its scale above weekly adherence bars
    (0–100 %), days `start` to `end` across."""
    plot_width = WIDTH - LEFT - RIGHT
    span = max((end - start).days, 1)

    def x_of(day: datetime.date) -> float:
        return LEFT + min(max((day - start).days / span, 0.0), 1.0) * plot_width

    def y_of(value: float) -> float:
        share = (value - scale.minimum) / (scale.maximum - scale.minimum)
        return TOP + (1 - share) * PLOT_HEIGHT

    step = (scale.maximum - scale.minimum) / GRID_STEPS
    grid = [
        Grid(
            y=short_number(y_of(scale.minimum + step * index)),
            label=shown_number(scale.minimum + step * index),
        )
        for index in range(GRID_STEPS + 1)
    ]
    shown = [point for point in points if start <= point.on <= end]
    marks = [
        Mark(
            x=short_number(x_of(point.on)),
            y=short_number(y_of(point.value)),
            label=f"{date_format(point.on, 'j M')}: {shown_number(point.value)}",
        )
        for point in shown
    ]
    line = " ".join(f"{mark.x},{mark.y}" for mark in marks) if len(marks) > 1 else ""

    bars_top = TOP + PLOT_HEIGHT + GAP
    bars = []
    for week in weeks:
        adherence = week.adherence
        if adherence.start is None or adherence.end < start or adherence.start > end:
            continue
        left, right = x_of(max(adherence.start, start)), x_of(min(adherence.end, end))
        width = max(right - left, 3.0)
        percent = adherence.percent
        height = BAR_HEIGHT * (percent or 0) / 100
        bars.append(
            Bar(
                x=short_number(left),
                y=short_number(bars_top + BAR_HEIGHT - height),
                width=short_number(width - 1),
                height=short_number(height),
                label=(
                    _("Week of %(day)s: %(percent)d%% of sessions done")
                    % {"day": date_format(week.monday, "j M"), "percent": percent}
                    if percent is not None
                    else _("Week of %(day)s: nothing prescribed")
                    % {"day": date_format(week.monday, "j M")}
                ),
            )
        )
    bars_bottom = bars_top + BAR_HEIGHT
    ticks = [
        Mark(
            x=short_number(x_of(day)),
            y=short_number(bars_bottom + 16),
            label=date_format(day, "j M"),
        )
        for day in (start, start + (end - start) / 2, end)
    ]
    better = _("higher is better") if scale.higher_is_better else _("lower is better")
    if shown:
        values = ", ".join(mark.label for mark in marks)
        scores = _("%(name)s scores (%(better)s): %(values)s.") % {
            "name": scale.short_name,
            "better": better,
            "values": values,
        }
    else:
        scores = _("No %(name)s scores in these days.") % {"name": scale.short_name}
    done = [bar.label for bar in bars]
    description = " ".join(
        [scores, *([_("Adherence by week:") + " " + "; ".join(done) + "."] if done else [])]
    )
    return OutcomeChart(
        id_prefix=id_prefix,
        title=_("%(name)s and adherence, %(start)s to %(end)s")
        % {
            "name": scale.short_name,
            "start": date_format(start, "j M"),
            "end": date_format(end, "j M Y"),
        },
        description=description,
        width=WIDTH,
        height=bars_bottom + BOTTOM,
        left=LEFT,
        right=WIDTH - RIGHT,
        grid=grid,
        line=line,
        marks=marks,
        bars=bars,
        bars_top=short_number(bars_top),
        bars_bottom=short_number(bars_bottom),
        bars_label_y=short_number(bars_top - 6),
        ticks=ticks,
    )
