"""The review's adherence calendar: each day of the window with what was prescribed and done,
week by week, with its words for screen readers."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from lib import charts
from patients.adherence import Adherence, PlanSchedule, adherence
from prescriptions.schedule import WEEKDAY_NAMES, WEEKDAY_SHORT_NAMES

from .labels import Labels


class DayState:
    ALL = "all"  # every prescribed session done
    SOME = "some"  # some of them
    NONE = "none"  # none of them
    REST = "rest"  # a plan runs, but this weekday is not scheduled
    PAUSED = "paused"  # the only plans running are paused
    NO_PLAN = "no-plan"  # no plan covers the day
    BLANK = "blank"  # before the window or after today: not part of the calendar


DAY_STATE_LABELS = {
    DayState.ALL: gettext_lazy("All done"),
    DayState.SOME: gettext_lazy("Some done"),
    DayState.NONE: gettext_lazy("None done"),
    DayState.REST: gettext_lazy("Rest day"),
    DayState.PAUSED: gettext_lazy("Plan paused"),
    DayState.NO_PLAN: gettext_lazy("No plan"),
}


@dataclass(frozen=True)
class CalendarDay:
    day: datetime.date
    state: str
    done: int = 0  # sessions that counted towards adherence (capped per plan and day)
    prescribed: int = 0
    extra: int = 0  # sessions logged beyond what counted: over the dose, or on a day off
    is_today: bool = False
    mark: str = ""  # the short text in the cell, so a day never relies on its colour alone
    description: str = ""  # the whole day in words, for screen readers

    @property
    def is_blank(self) -> bool:
        return self.state == DayState.BLANK


@dataclass(frozen=True)
class CalendarWeek:
    monday: datetime.date
    label: str
    days: list[CalendarDay]


@dataclass(frozen=True)
class Calendar:
    weeks: list[CalendarWeek]
    adherence: Adherence
    legend: list[tuple[str, str, str]]  # (state, sample mark, label)
    heat_map: charts.HeatMap  # the weeks as a table, drawn by templates/includes/heat_map.html
    # The window's first weeks without any plan or session are left out of the table (a
    # year's window for a patient of a month would be mostly empty rows); this is the first
    # day shown then.
    shown_from: datetime.date | None = None

    @property
    def days(self) -> list[CalendarDay]:
        return [day for week in self.weeks for day in week.days if not day.is_blank]

    def day(self, day: datetime.date) -> CalendarDay:
        return next(cell for cell in self.days if cell.day == day)


def _day_state(schedules: list[PlanSchedule], day: datetime.date, prescribed: int, done: int):
    if prescribed:
        if done >= prescribed:
            return DayState.ALL
        return DayState.SOME if done else DayState.NONE
    running = [
        plan
        for plan in schedules
        if plan.start_date <= day and (plan.end_date is None or day <= plan.end_date)
    ]
    if not running:
        return DayState.NO_PLAN
    if all(plan.is_paused_on(day) for plan in running):
        return DayState.PAUSED
    return DayState.REST


class _DayTexts:
    """The calendar's words, translated once per calendar rather than once per day (a year
    has 365 days, and a translation lookup costs more than everything else about a day)."""

    def __init__(self, labels: Labels, today: datetime.date):
        self.labels = labels
        self.today = today
        self.marks = {DayState.REST: _("rest"), DayState.PAUSED: _("paused"), DayState.NO_PLAN: "–"}
        self.states = {state: str(label) for state, label in DAY_STATE_LABELS.items()}
        self.today_format = _("%(day)s (today)")
        self._done: dict[int, str] = {}
        self._extra: dict[int, str] = {}

    def done_format(self, prescribed: int) -> str:
        if prescribed not in self._done:
            self._done[prescribed] = ngettext(
                "%(day)s: %(done)d of %(prescribed)d session done",
                "%(day)s: %(done)d of %(prescribed)d sessions done",
                prescribed,
            )
        return self._done[prescribed]

    def extra_format(self, extra: int) -> str:
        if extra not in self._extra:
            self._extra[extra] = ngettext(
                ", and %(count)d more session logged",
                ", and %(count)d more sessions logged",
                extra,
            )
        return self._extra[extra]

    def day(
        self, *, day: datetime.date, state: str, done: int, prescribed: int, logged: int
    ) -> CalendarDay:
        extra = max(logged - done, 0)
        name = self.labels.day_long(day)
        if day == self.today:
            name = self.today_format % {"day": name}
        if prescribed:
            text = self.done_format(prescribed) % {
                "day": name,
                "done": done,
                "prescribed": prescribed,
            }
        else:
            text = f"{name}: {self.states[state]}"
        if extra:
            text += self.extra_format(extra) % {"count": extra}
        return CalendarDay(
            day=day,
            state=state,
            done=done,
            prescribed=prescribed,
            extra=extra,
            is_today=day == self.today,
            mark=f"{done}/{prescribed}" if prescribed else self.marks[state],
            description=text + ".",
        )


def adherence_calendar(
    *,
    schedules: list[PlanSchedule],
    done_counts: dict[tuple[int, datetime.date], int],
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    labels: Labels,
) -> Calendar:
    """The window as weeks from Monday to Sunday, each day with the sessions that counted and
    the sessions prescribed (prescriptions.adherence decides both); days outside the window are
    blank cells."""
    result = adherence(schedules, done_counts, start=start, end=end)
    by_day = {day.day: day for day in result.days}
    logged_per_day: Counter = Counter()
    for (_plan_id, day), count in done_counts.items():
        logged_per_day[day] += count
    texts = _DayTexts(labels, today)
    weeks = []
    monday = start - datetime.timedelta(days=start.weekday())
    while monday <= end:
        cells = []
        for offset in range(7):
            day = monday + datetime.timedelta(days=offset)
            counted = by_day.get(day)
            if counted is None:
                cells.append(CalendarDay(day=day, state=DayState.BLANK))
                continue
            cells.append(
                texts.day(
                    day=day,
                    state=_day_state(schedules, day, counted.prescribed, counted.done),
                    done=counted.done,
                    prescribed=counted.prescribed,
                    logged=logged_per_day[day],
                )
            )
        label = f"{monday.day} {labels.months_short[monday.month]}"
        weeks.append(CalendarWeek(monday=monday, label=label, days=cells))
        monday += datetime.timedelta(days=7)
    shown_from = None
    empty = {DayState.BLANK, DayState.NO_PLAN}
    while len(weeks) > 1 and all(day.state in empty and not day.extra for day in weeks[0].days):
        weeks.pop(0)
        shown_from = weeks[0].monday
    samples = {DayState.ALL: "2/2", DayState.SOME: "1/2", DayState.NONE: "0/2", **texts.marks}
    legend = [(state, samples[state], label) for state, label in texts.states.items()]
    heat_map = charts.HeatMap(
        rows=[
            charts.HeatRow(
                week.label,
                [
                    charts.HeatCell()
                    if day.is_blank
                    else charts.HeatCell(
                        f"adh adh-{day.state}{' adh-today' if day.is_today else ''}",
                        str(day.day.day),
                        f"{day.mark} +{day.extra}" if day.extra else day.mark,
                        day.description,
                    )
                    for day in week.days
                ],
            )
            for week in weeks
        ],
        columns=list(zip(WEEKDAY_SHORT_NAMES, WEEKDAY_NAMES, strict=True)),
        corner=_("Week of"),
        caption=_(
            "Sessions done out of sessions prescribed, day by day; a week to a row, Monday "
            "first. Extra sessions beyond the prescription are shown with a plus and do not "
            "count."
        ),
        css_class="adherence-calendar",
    )
    return Calendar(
        weeks=weeks, adherence=result, legend=legend, heat_map=heat_map, shown_from=shown_from
    )
