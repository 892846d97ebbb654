"""The charts' geometry (lib.charts) and the partials that draw it."""

import datetime
import re

from django.template.loader import render_to_string

from lib import charts

START = datetime.date(2026, 3, 1)
END = datetime.date(2026, 3, 28)
KINDS = {
    "before": charts.SeriesStyle("Before", "#0b6e4f", "circle"),
    "after": charts.SeriesStyle("After", "#1d4ed8", "square", dashed=True),
    "report": charts.SeriesStyle("Report", "#9a3412", "diamond", connect=False),
}


def chart(points=(), **options):
    options = {
        "kinds": KINDS,
        "start": START,
        "end": END,
        "title": "Pain",
        "value_label": "Pain",
        "zone": datetime.UTC,
        **options,
    }
    return charts.time_chart(points, **options)


def drawn(chart) -> str:
    return render_to_string("includes/time_chart.html", {"chart": chart})


def grid_y(chart, value) -> str:
    return next(line.line.y1 for line in chart.grid if line.value == value)


def series(chart, kind) -> charts.SeriesDrawing:
    return next(drawing for drawing in chart.series if drawing.style == KINDS[kind])


def test_a_score_at_the_top_of_the_scale_sits_on_the_top_grid_line_and_zero_on_the_bottom():
    drawing = chart(
        [(datetime.date(2026, 3, 10), 10, "before"), (datetime.date(2026, 3, 11), 0, "before")]
    )
    top, bottom = series(drawing, "before").markers
    assert top.cy == grid_y(drawing, 10) and bottom.cy == grid_y(drawing, 0)
    assert float(top.cy) < float(bottom.cy)  # SVG counts y downwards
    assert series(drawing, "before").points == f"{top.cx},{top.cy} {bottom.cx},{bottom.cy}"
    # Beyond the scale, a score is drawn at its edge rather than off the plot.
    beyond = chart([(datetime.date(2026, 3, 10), 14, "before")])
    assert series(beyond, "before").markers[0].cy == grid_y(beyond, 10)


def test_grid_lines_every_step_with_the_anchors_in_words_above_theirs():
    drawing = chart(y_anchors={0: "No pain", 10: "Worst"})
    assert [line.value for line in drawing.grid] == [0, 2, 4, 6, 8, 10]
    assert all(line.line.y1 == line.line.y2 for line in drawing.grid)
    assert {line.line.x1 for line in drawing.grid} == {"30"}
    assert {line.line.x2 for line in drawing.grid} == {str(charts.WIDTH - charts.RIGHT)}
    for line in drawing.grid:
        assert float(line.label_y) == float(line.line.y1) + 4
    assert [(anchor.label, float(anchor.y)) for anchor in drawing.anchors] == [
        ("No pain", float(grid_y(drawing, 0)) - 5),
        ("Worst", float(grid_y(drawing, 10)) - 5),
    ]


def test_points_are_placed_by_time_across_the_window():
    midday_first = chart([(START, 3, "before")])
    noon_last = chart([(datetime.datetime(2026, 3, 28, 12, tzinfo=datetime.UTC), 3, "before")])
    plot = charts.WIDTH - charts.LEFT - charts.RIGHT
    days = (END - START).days + 1
    assert float(series(midday_first, "before").markers[0].cx) == round(
        charts.LEFT + 0.5 / days * plot, 1
    )
    assert float(series(noon_last, "before").markers[0].cx) == round(
        charts.LEFT + (days - 0.5) / days * plot, 1
    )
    # A datetime is placed by its local time in the chart's zone.
    zone = datetime.timezone(datetime.timedelta(hours=-5))
    late = datetime.datetime(2026, 3, 11, 2, tzinfo=datetime.UTC)  # 21:00 on the 10th there
    on_the_tenth = chart([(datetime.datetime(2026, 3, 10, 21), 3, "before")], zone=zone)
    assert (
        series(chart([(late, 3, "before")], zone=zone), "before").markers
        == series(on_the_tenth, "before").markers
    )


def test_ticks_every_seven_days_back_from_the_last_day():
    drawing = chart()
    assert [tick.label for tick in drawing.ticks] == ["28 Mar", "21 Mar", "14 Mar", "7 Mar"]
    xs = [float(tick.line.x1) for tick in drawing.ticks]
    assert xs == sorted(xs, reverse=True)
    assert all(tick.line.x1 == tick.line.x2 for tick in drawing.ticks)
    fortnightly = chart(tick_days=14)
    assert [tick.label for tick in fortnightly.ticks] == ["28 Mar", "14 Mar"]


def test_a_tick_label_near_an_edge_is_moved_inwards():
    drawing = chart(start=datetime.date(2025, 12, 29), end=END, tick_days=30)  # 90 days
    last = drawing.ticks[0]
    half = len(last.label) * charts.CHAR_WIDTH / 2
    assert float(last.line.x1) + half > charts.WIDTH  # centred on its tick, it would be cut off
    assert float(last.label_x) == round(charts.WIDTH - half - 1, 1)


def test_events_inside_the_window_only_each_labelled_towards_the_middle():
    drawing = chart(
        events=[
            charts.ChartEvent(datetime.date(2026, 2, 27), "v1", "before the window"),
            charts.ChartEvent(datetime.date(2026, 3, 3), "v2", "version 2"),
            charts.ChartEvent(datetime.date(2026, 3, 25), "v3", "version 3"),
            charts.ChartEvent(datetime.date(2026, 3, 29), "v4", "after the window"),
        ],
        event_label="Plan change",
    )
    assert [(event.label, event.text_anchor) for event in drawing.events] == [
        ("v2", "start"),
        ("v3", "end"),
    ]
    early, late = drawing.events
    assert float(early.label_x) == float(early.line.x1) + 3
    assert float(late.label_x) == float(late.line.x1) - 3
    assert drawing.description.endswith("Plan change: version 2; version 3.")
    assert drawing.legend[-1].label == "Plan change" and drawing.legend[-1].style is None
    # The events' legend entry only comes with events to show.
    assert [item.label for item in chart(event_label="Plan change").legend] == [
        "Before",
        "After",
        "Report",
    ]


def test_the_legend_wraps_and_pushes_the_plot_down():
    short = chart()
    assert {item.text_y for item in short.legend} == {"18"}
    long_kinds = {
        kind: charts.SeriesStyle(f"{style.label}, weekly average", style.colour, style.marker)
        for kind, style in KINDS.items()
    }
    long = chart(kinds=long_kinds)
    rows = sorted({float(item.text_y) for item in long.legend})
    assert len(rows) > 1 and rows[1] - rows[0] == charts.LEGEND_ROW
    assert long.height - short.height == (len(rows) - 1) * charts.LEGEND_ROW
    assert float(grid_y(long, 10)) - float(grid_y(short, 10)) == (len(rows) - 1) * charts.LEGEND_ROW


def test_each_series_has_its_marker_shape_and_only_connecting_ones_a_line():
    day = datetime.date(2026, 3, 14)
    drawing = chart([(day, 5, "before"), (day, 4, "after"), (day, 6, "report")])
    circle, square, diamond = (series(drawing, kind).markers[0] for kind in KINDS)
    assert (circle.shape, circle.r) == ("circle", "4.5")
    assert square.shape == "square" and square.side == "9"
    assert float(square.x) == round(float(square.cx) - 4.5, 1)
    assert diamond.shape == "diamond" and len(diamond.points.split()) == 4
    # One point makes no line; a kind that does not connect never has one.
    assert all(drawing.points == "" for drawing in drawing.series)
    two = chart([(day, 6, "report"), (END, 5, "report")])
    assert series(two, "report").points == "" and len(series(two, "report").markers) == 2
    # Points of kinds the chart does not show are left out.
    assert chart([(day, 5, "elsewhere")]).rows == []


def test_the_partial_draws_the_whole_chart_with_its_names_and_no_inline_style():
    drawing = chart(
        [(datetime.date(2026, 3, 10), 6, "before"), (datetime.date(2026, 3, 20), 4, "before")],
        events=[charts.ChartEvent(datetime.date(2026, 3, 15), "v2")],
        event_label="Plan change",
        id_prefix="test-chart",
        y_anchors={0: "No pain"},
    )
    svg = drawn(drawing)
    assert svg.count("<svg ") == 1 and svg.strip().endswith("</svg>")
    assert f'viewBox="0 0 360 {drawing.height}"' in svg
    assert 'role="img" aria-labelledby="test-chart-title test-chart-desc"' in svg
    assert '<title id="test-chart-title">Pain</title>' in svg
    assert f'<desc id="test-chart-desc">{drawing.description}</desc>' in svg
    marker = series(drawing, "before").markers[-1]
    assert f'<circle cx="{marker.cx}" cy="{marker.cy}" r="4.5" fill="#0b6e4f"/>' in svg
    assert f'<polyline points="{series(drawing, "before").points}" fill="none"' in svg
    assert 'stroke-dasharray="4 3"' in svg  # the legend's dashed "After" line
    assert ">v2</text>" in svg and ">Plan change</text>" in svg and ">No pain</text>" in svg
    assert ">28 Mar</text>" in svg and ">10</text>" in svg
    assert svg.count("<rect ") == 1 and svg.count("<polygon ") == 1  # the legend's markers
    assert not re.search(r"\sstyle=", svg)


def test_every_text_is_escaped_in_the_partial():
    attack = "<script>alert(1)</script>"
    drawing = chart(
        [(datetime.date(2026, 3, 10), 6, "x")],
        kinds={"x": charts.SeriesStyle(f"Series {attack}", "#000")},
        title=f"Title {attack}",
        y_anchors={10: f"Anchor {attack}"},
        events=[charts.ChartEvent(datetime.date(2026, 3, 12), f"Event {attack}")],
        event_label=f"Events {attack}",
    )
    svg = drawn(drawing)
    assert "<script>" not in svg
    for text in ("Series", "Title", "Anchor", "Event", "Events"):
        assert f"{text} &lt;script&gt;alert(1)&lt;/script&gt;" in svg


def test_the_heat_map_partial_draws_cells_blanks_and_escapes():
    heat_map = charts.HeatMap(
        rows=[
            charts.HeatRow(
                "2 Mar",
                [
                    charts.HeatCell(),
                    charts.HeatCell("adh adh-all", "3", "2/2", "Tuesday: <b>done</b>"),
                ],
            )
        ],
        columns=[("Mo", "Monday"), ("Tu", "Tuesday & more")],
        corner="Week of",
        caption="Days <i>done</i>",
        css_class="adherence-calendar",
    )
    table = render_to_string("includes/heat_map.html", {"heat_map": heat_map})
    assert '<table class="adherence-calendar">' in table
    assert '<caption class="small text-body-secondary">Days &lt;i&gt;' in table
    assert '<th scope="col">Week of</th>' in table
    assert '<th scope="col"><abbr title="Tuesday &amp; more">Tu</abbr></th>' in table
    assert (
        '<tr><th scope="row">2 Mar</th><td></td><td class="adh adh-all">'
        '<span class="heat-label" aria-hidden="true">3</span>'
        '<span class="heat-mark" aria-hidden="true">2/2</span>'
        '<span class="visually-hidden">Tuesday: &lt;b&gt;done&lt;/b&gt;</span></td></tr>'
    ) in table
    assert "<b>" not in table and "<i>" not in table
