"""What the therapist's review of one patient reads: pain over time as a chart, adherence day by
day as a calendar, how each exercise went against its dose, and one timeline of sessions, pain
reports and plan changes; and the patient's logs as CSV rows.

Everything is counted, averaged or grouped in SQL, and what is drawn is bounded (a window of
30, 90 or 365 days, a page of the timeline, weekly averages on the year chart), so the page runs
a fixed number of queries and stays quick however long the history is. Long lists carry their
labels ready-made (see `Labels`), so the template does little work per row.
"""

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Avg, Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import dates, timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from lib import charts
from patients.models import (
    EntryStatus,
    PainReport,
    Patient,
    SessionLog,
    SessionLogEntry,
    SessionLogRevision,
    SkipReason,
)
from patients.pain import PAIN, PAIN_AFTER, PAIN_ANCHORS, PAIN_BEFORE, PAIN_REPORT, pain_chart_kinds
from prescriptions.models import PlanItem, PlanRevision
from prescriptions.schedule import WEEKDAY_NAMES, WEEKDAY_SHORT_NAMES

from . import trends
from .adherence import (
    Adherence,
    PlanSchedule,
    adherence,
    done_counts_for_plans,
    schedules_for_patients,
    window_start,
)

WINDOW_CHOICES = (30, 90, 365)
DEFAULT_WINDOW = 90
# Up to this many days the chart shows every session; beyond it, weekly averages, so a year of
# twice-daily sessions stays a readable line of about 52 points rather than 730.
EACH_SESSION_UP_TO_DAYS = 90
TIMELINE_PAGE_SIZE = 50
CHART_WIDTH = 480  # between the phone-sized 360 of the patient's chart and a desktop page

SESSION, PAIN_REPORT_ENTRY, REVISION = "session", "pain", "revision"


def window_from(value) -> int:
    """The `?days=` choice, or the default for anything that is not one of the choices."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_WINDOW
    return days if days in WINDOW_CHOICES else DEFAULT_WINDOW


def cursor_from(value) -> datetime.datetime | None:
    """The timeline's `?before=` moment (ISO 8601), or None for the newest page."""
    if not value:
        return None
    try:
        # A "+" in an offset arrives as a space when the link did not encode it.
        moment = parse_datetime(str(value).replace(" ", "+"))
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment


def _midnight(day: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    """The moment `day` begins in the clinic's time zone. Filtering on it as well as on the day
    column lets the database read the window through the (patient, time) index rather than
    the patient's whole history; the two say the same, as the day is the time's local date."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), zone)


class Labels:
    """Day and time labels for the page's long lists (up to a year of calendar days, hundreds of
    pain scores). The translated day and month names are looked up once per page; a full
    `date_format` per row would cost more than every query on the page together."""

    def __init__(self, zone: datetime.tzinfo):
        self.zone = zone
        self.weekdays = [str(dates.WEEKDAYS[day]) for day in range(7)]
        self.weekdays_short = [str(dates.WEEKDAYS_ABBR[day]) for day in range(7)]
        self.months = [""] + [str(dates.MONTHS[month]) for month in range(1, 13)]
        self.months_short = [""] + [str(dates.MONTHS_3[month]).title() for month in range(1, 13)]

    def local(self, when: datetime.datetime) -> datetime.datetime:
        return timezone.localtime(when, self.zone)

    def day_long(self, day: datetime.date) -> str:
        """Tuesday 4 March"""
        return f"{self.weekdays[day.weekday()]} {day.day} {self.months[day.month]}"

    def day(self, day: datetime.date) -> str:
        """Tue 4 Mar 2025"""
        return (
            f"{self.weekdays_short[day.weekday()]} {day.day} "
            f"{self.months_short[day.month]} {day.year}"
        )

    def moment(self, when: datetime.datetime) -> str:
        """Tue 4 Mar 2025, 08:05, in the clinic's time zone"""
        local = self.local(when)
        return f"{self.day(local)}, {local:%H:%M}"

    def iso(self, when: datetime.datetime) -> str:
        return self.local(when).isoformat()


# The adherence calendar


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
    table: str = ""  # the weeks as an accessible HTML table (charts.heat_map_table)
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
    table = charts.heat_map_table(
        [
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
        columns=zip(WEEKDAY_SHORT_NAMES, WEEKDAY_NAMES, strict=True),
        corner=_("Week of"),
        caption=_(
            "Sessions done out of sessions prescribed, day by day; a week to a row, Monday "
            "first. Extra sessions beyond the prescription are shown with a plus and do not "
            "count."
        ),
        css_class="adherence-calendar",
    )
    return Calendar(
        weeks=weeks, adherence=result, legend=legend, table=table, shown_from=shown_from
    )


# Each exercise against its dose


def _average(value) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class ExerciseReview:
    exercise_id: int
    name: str
    logged: int = 0
    completed: int = 0
    partial: int = 0
    skipped: int = 0
    skip_reasons: tuple[tuple[str, int], ...] = ()
    # Averages over the sessions where the exercise was done (completed or partly): what the
    # patient did against what was prescribed at the time.
    sets_done: float | None = None
    sets_prescribed: float | None = None
    repetitions_done: float | None = None
    repetitions_prescribed: float | None = None
    hold_done: float | None = None
    hold_prescribed: float | None = None
    # Totals over every logged session, skipped ones included: seconds held for a stretch,
    # repetitions for a moving exercise.
    dose_done: int = 0
    dose_prescribed: int = 0
    is_timed: bool = False

    @property
    def dose_percent(self) -> int | None:
        if not self.dose_prescribed:
            return None
        return round(100 * self.dose_done / self.dose_prescribed)

    @property
    def skip_reason_text(self) -> str:
        return ", ".join(f"{label.lower()} {count}" for label, count in self.skip_reasons)


def exercise_reviews(
    *, patient: Patient, start: datetime.date, end: datetime.date, plan_ids: list[int]
) -> list[ExerciseReview]:
    """Each exercise logged in the window, and each exercise of a plan running in it that was
    never logged: two queries, one row per exercise, counted and averaged in SQL."""
    done = ~Q(status=EntryStatus.SKIPPED)
    skipped = Q(status=EntryStatus.SKIPPED)
    reasons = [reason for reason in SkipReason if reason.value]
    reason_counts = {
        f"skipped_{reason.value}": Count("id", filter=skipped & Q(skip_reason=reason.value))
        for reason in reasons
    }
    rows = (
        SessionLogEntry.objects.filter(
            session__patient=patient,
            session__performed_at__gte=_midnight(start, patient.clinic.zone),
            session__performed_on__range=(start, end),
        )
        .order_by()
        .values("exercise_id", "exercise__name")
        .annotate(
            logged=Count("id"),
            completed=Count("id", filter=Q(status=EntryStatus.COMPLETED)),
            partial=Count("id", filter=Q(status=EntryStatus.PARTIAL)),
            skipped=Count("id", filter=skipped),
            **reason_counts,
            avg_sets_done=Avg("sets_done", filter=done),
            avg_sets_prescribed=Avg("prescribed_sets", filter=done),
            avg_repetitions_done=Avg("repetitions_done", filter=done),
            avg_repetitions_prescribed=Avg("prescribed_repetitions", filter=done),
            avg_hold_done=Avg("hold_seconds_done", filter=done),
            avg_hold_prescribed=Avg("prescribed_hold_seconds", filter=done),
            hold_total_done=Sum(
                F("sets_done") * F("repetitions_done") * F("hold_seconds_done"),
                output_field=IntegerField(),
            ),
            hold_total_prescribed=Sum(
                F("prescribed_sets") * F("prescribed_repetitions") * F("prescribed_hold_seconds"),
                output_field=IntegerField(),
            ),
            repetitions_total_done=Sum(
                F("sets_done") * F("repetitions_done"), output_field=IntegerField()
            ),
            repetitions_total_prescribed=Sum(
                F("prescribed_sets") * F("prescribed_repetitions"), output_field=IntegerField()
            ),
        )
    )
    reviews = {}
    for row in rows:
        is_timed = bool(row["hold_total_prescribed"])
        reviews[row["exercise_id"]] = ExerciseReview(
            exercise_id=row["exercise_id"],
            name=row["exercise__name"],
            logged=row["logged"],
            completed=row["completed"],
            partial=row["partial"],
            skipped=row["skipped"],
            skip_reasons=tuple(
                (str(reason.label), row[f"skipped_{reason.value}"])
                for reason in reasons
                if row[f"skipped_{reason.value}"]
            ),
            sets_done=_average(row["avg_sets_done"]),
            sets_prescribed=_average(row["avg_sets_prescribed"]),
            repetitions_done=_average(row["avg_repetitions_done"]),
            repetitions_prescribed=_average(row["avg_repetitions_prescribed"]),
            hold_done=_average(row["avg_hold_done"]),
            hold_prescribed=_average(row["avg_hold_prescribed"]),
            dose_done=(row["hold_total_done"] if is_timed else row["repetitions_total_done"]) or 0,
            dose_prescribed=(
                row["hold_total_prescribed"] if is_timed else row["repetitions_total_prescribed"]
            )
            or 0,
            is_timed=is_timed,
        )
    order: list[int] = []
    if plan_ids:
        for exercise_id, name in (
            PlanItem.objects.filter(plan_id__in=plan_ids)
            .order_by("-plan__start_date", "plan_id", "position", "id")
            .values_list("exercise_id", "exercise__name")
        ):
            if exercise_id not in order:
                order.append(exercise_id)
            reviews.setdefault(exercise_id, ExerciseReview(exercise_id=exercise_id, name=name))
    rest = sorted(
        (exercise_id for exercise_id in reviews if exercise_id not in order),
        key=lambda exercise_id: reviews[exercise_id].name.lower(),
    )
    return [reviews[exercise_id] for exercise_id in [*order, *rest]]


# Pain over time
# Pain over time


@dataclass(frozen=True)
class PainSummary:
    sentence: str
    direction: str = ""


def _span_text(days: int) -> str:
    if days < 14:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    weeks = round(days / 7)
    return ngettext("%(count)d week", "%(count)d weeks", weeks) % {"count": weeks}


def _score(value) -> str:
    return charts._number(float(value))


def _pain_values(patient: Patient, today: datetime.date):
    """The patient's pain values as patients.trends defines them: a session's pain after, else
    its pain before; a pain report's score; nothing dated after today."""
    sessions = (
        SessionLog.objects.filter(patient=patient, performed_on__lte=today)
        .annotate(pain=Coalesce("pain_after", "pain_before"))
        .filter(pain__isnull=False)
        .order_by()
    )
    reports = (
        PainReport.objects.filter(patient=patient, recorded_on__lte=today)
        .annotate(pain=F("score"))
        .order_by()
    )
    return sessions, reports


def pain_course(*, patient: Patient, today: datetime.date) -> PainSummary:
    """One sentence on how pain moved from the patient's first week (the baseline) to their
    latest score, and whether that is a clinically important change, by the rules of
    patients.trends (`pain_trend`). Two small queries feed it: the first day and the latest
    value, then the first week's values. (`pain_trends_for_patients` gives the same numbers
    but is built for a caseload and costs more for one patient.)"""
    sessions, reports = _pain_values(patient, today)
    edges = {}
    for name, rows, at, on in (
        ("session", sessions, "performed_at", "performed_on"),
        ("report", reports, "recorded_at", "recorded_on"),
    ):
        edges[f"{name}_first_on"] = rows.order_by(at, "pk").values(on)[:1]
        latest = rows.order_by(f"-{at}", "-pk")
        edges[f"{name}_last_at"] = latest.values(at)[:1]
        edges[f"{name}_last_value"] = latest.values("pain")[:1]
    row = (
        Patient.objects.filter(pk=patient.pk)
        .values(**{name: Subquery(query) for name, query in edges.items()})
        .get()
    )
    firsts = [row[f"{name}_first_on"] for name in ("session", "report")]
    firsts = [day for day in firsts if day is not None]
    if not firsts:
        return PainSummary(_("No pain scores yet."))
    baseline_from = min(firsts)
    first_week = (baseline_from, baseline_from + datetime.timedelta(days=trends.BASELINE_DAYS - 1))
    points = list(
        sessions.filter(performed_on__range=first_week)
        .values_list("performed_at", "pain")
        .union(
            reports.filter(recorded_on__range=first_week).values_list("recorded_at", "pain"),
            all=True,
        )
        .order_by()  # SessionLog's default ordering would otherwise reach the union
    )
    points += [
        (row[f"{name}_last_at"], row[f"{name}_last_value"])
        for name in ("session", "report")
        if row[f"{name}_last_at"] is not None
    ]
    zone = patient.clinic.zone
    trend = trends.pain_trend(
        [(timezone.localtime(at, zone), value) for at, value in points], today=today, days=1
    )
    values = {"from": _score(trend.baseline), "to": _score(trend.latest)}
    days = (trend.latest_on - trend.baseline_from).days
    if days < 1:
        return PainSummary(_("Pain was %(to)s.") % values)
    values["span"] = _span_text(days)
    if trend.latest < trend.baseline:
        sentence = _("Pain fell from %(from)s to %(to)s over %(span)s") % values
    elif trend.latest > trend.baseline:
        sentence = _("Pain rose from %(from)s to %(to)s over %(span)s") % values
    else:
        sentence = _("Pain stayed at %(to)s over %(span)s") % values
    meaning = {
        trends.Direction.IMPROVING: _("a clinically important improvement"),
        trends.Direction.WORSENING: _("a clinically important worsening"),
        trends.Direction.STEADY: _("not a clinically important change"),
    }[trend.direction]
    note = _("from the first week's average to the latest score")
    return PainSummary(f"{sentence} ({note}): {meaning}.", str(trend.direction))


@dataclass(frozen=True)
class PainRow:
    """One row of the table that stands in for the chart: a session's pain before and after,
    a pain report, or on the year chart a week's averages. Values are ready-made text."""

    when: str
    iso: str
    before: str = ""
    after: str = ""
    report: str = ""


def _text(value) -> str:
    return "" if value is None else charts._number(float(value))


def _pain_data(
    *, patient: Patient, start: datetime.date, end: datetime.date, weekly: bool, labels: Labels
) -> tuple[list[charts.ChartPoint], list[PainRow]]:
    """The chart's points and the table's rows: pain before and after each session and each
    pain report in the window (two queries), or for a long window their weekly averages from
    daily sums and counts worked out in SQL."""
    since = _midnight(start, patient.clinic.zone)
    sessions = SessionLog.objects.filter(
        patient=patient, performed_at__gte=since, performed_on__range=(start, end)
    )
    reports = PainReport.objects.filter(
        patient=patient, recorded_at__gte=since, recorded_on__range=(start, end)
    )
    points, rows = [], []
    if not weekly:
        for performed_at, before, after in sessions.filter(
            Q(pain_before__isnull=False) | Q(pain_after__isnull=False)
        ).values_list("performed_at", "pain_before", "pain_after"):
            if before is not None:
                points.append(charts.ChartPoint(performed_at, before, PAIN_BEFORE))
            if after is not None:
                points.append(charts.ChartPoint(performed_at, after, PAIN_AFTER))
            rows.append((performed_at, _text(before), _text(after), ""))
        for recorded_at, score in reports.values_list("recorded_at", "score"):
            points.append(charts.ChartPoint(recorded_at, score, PAIN_REPORT))
            rows.append((recorded_at, "", "", _text(score)))
        rows.sort(key=lambda row: row[0])
        return points, [
            PainRow(labels.moment(at), labels.iso(at), before, after, report)
            for at, before, after, report in rows
        ]

    def middle(monday: datetime.date) -> datetime.date:
        # Drawn mid-week, kept inside the window for the first and the current week.
        return min(max(monday + datetime.timedelta(days=3), start), end)

    # Summed per day in SQL (a plain GROUP BY on the day column), then per week here: at most
    # 365 rows, where truncating each row's date to its week in SQL costs a function call per
    # session on SQLite.
    weeks: dict[datetime.date, dict[str, list[int]]] = {}

    def add(day: datetime.date, kind: str, total, count: int) -> None:
        if count:
            monday = day - datetime.timedelta(days=day.weekday())
            sums = weeks.setdefault(monday, {}).setdefault(kind, [0, 0])
            sums[0] += total
            sums[1] += count

    for day, before, before_count, after, after_count in (
        sessions.order_by()
        .values("performed_on")
        .annotate(
            before=Sum("pain_before"),
            before_count=Count("pain_before"),
            after=Sum("pain_after"),
            after_count=Count("pain_after"),
        )
        .values_list("performed_on", "before", "before_count", "after", "after_count")
    ):
        add(day, PAIN_BEFORE, before, before_count)
        add(day, PAIN_AFTER, after, after_count)
    for day, score, count in (
        reports.order_by()
        .values("recorded_on")
        .annotate(total=Sum("score"), number=Count("score"))
        .values_list("recorded_on", "total", "number")
    ):
        add(day, PAIN_REPORT, score, count)
    for monday, kinds in sorted(weeks.items()):
        averages = {kind: round(total / count, 1) for kind, (total, count) in kinds.items()}
        for kind, value in averages.items():
            points.append(charts.ChartPoint(middle(monday), value, kind))
        first = max(monday, start)
        rows.append(
            PainRow(
                _("Week of %(day)s") % {"day": labels.day(first)},
                first.isoformat(),
                before=_text(averages.get(PAIN_BEFORE)),
                after=_text(averages.get(PAIN_AFTER)),
                report=_text(averages.get(PAIN_REPORT)),
            )
        )
    return points, rows


def _tick_days(days: int) -> int:
    # About five date labels whatever the window, on whole weeks.
    return 7 * max(1, -(-days // 35))


def _chart_kinds(weekly: bool) -> dict[str, charts.SeriesStyle]:
    kinds = pain_chart_kinds()
    if not weekly:
        return kinds
    return {
        kind: charts.SeriesStyle(
            _("%(series)s, weekly average") % {"series": style.label},
            style.colour,
            style.marker,
            connect=style.connect,
            dashed=style.dashed,
        )
        for kind, style in kinds.items()
    }


# The timeline


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str
    item: object
    when: str = ""  # the moment as shown, in the clinic's time zone
    iso: str = ""
    # Ready-made words, so the template's loop does no translating: the plan version of a
    # session, the score of a pain report, the version and author of a plan change; a
    # session's exercise counts and its correction.
    title: str = ""
    detail: str = ""
    corrected: str = ""
    notes: tuple[str, ...] = ()  # each exercise of a session not done as prescribed, or noted


def _dose_text(sets: int, repetitions: int, hold_seconds: int, timed: bool) -> str:
    return f"{sets} × {repetitions} × {hold_seconds} s" if timed else f"{sets} × {repetitions}"


def _exercise_note(entry: SessionLogEntry, words: dict[str, str]) -> str:
    exercise = entry.exercise.name
    if entry.status == EntryStatus.PARTIAL:
        timed = bool(entry.prescribed_hold_seconds)
        text = words["partial"] % {
            "exercise": exercise,
            "done": _dose_text(
                entry.sets_done, entry.repetitions_done, entry.hold_seconds_done, timed
            ),
            "prescribed": _dose_text(
                entry.prescribed_sets,
                entry.prescribed_repetitions,
                entry.prescribed_hold_seconds,
                timed,
            ),
        }
    elif entry.status == EntryStatus.SKIPPED:
        reason = entry.get_skip_reason_display()
        text = words["skipped"] % {"exercise": exercise, "reason": str(reason).lower()}
    else:
        text = words["completed"] % {"exercise": exercise}
    return f"{text}: “{entry.note}”" if entry.note else text


@dataclass
class Review:
    days: int
    start: datetime.date
    end: datetime.date
    today: datetime.date
    chart: charts.Chart | None
    chart_is_weekly: bool
    pain_rows: list[PainRow]
    pain: PainSummary
    calendar: Calendar
    exercises: list[ExerciseReview]
    timeline: list[TimelineEntry]
    before: datetime.datetime | None
    earlier_before: datetime.datetime | None
    window_choices: tuple[int, ...] = WINDOW_CHOICES

    @property
    def is_latest(self) -> bool:
        return self.before is None


def _timeline(
    *,
    patient: Patient,
    start: datetime.date,
    revisions: list[PlanRevision],
    before: datetime.datetime | None,
    labels: Labels,
) -> tuple[list[TimelineEntry], datetime.datetime | None]:
    """A page of the window's sessions, pain reports and plan revisions, newest first (three
    queries: sessions, the exercises in them not done as prescribed or with a note, pain
    reports; the revisions are already read). Each source is read one row past the page, so
    the page is right whichever source its entries come from; the second value is where the
    next page starts (None when this is the last)."""
    since = _midnight(start, patient.clinic.zone)
    sessions = SessionLog.objects.filter(
        patient=patient, performed_at__gte=since, performed_on__gte=start
    )
    reports = PainReport.objects.filter(
        patient=patient, recorded_at__gte=since, recorded_on__gte=start
    )
    if before is not None:
        sessions = sessions.filter(performed_at__lt=before)
        reports = reports.filter(recorded_at__lt=before)
        revisions = [revision for revision in revisions if revision.changed_at < before]
    corrections = SessionLogRevision.objects.filter(session=OuterRef("pk")).order_by("-revised_at")
    size = TIMELINE_PAGE_SIZE
    # The page's sessions are picked first, through the (patient, time) index, so the counts
    # below are worked out for them alone rather than for every session in the window.
    page_ids = sessions.order_by("-performed_at", "-id").values("pk")[: size + 1]
    sessions = list(
        SessionLog.objects.filter(pk__in=Subquery(page_ids))
        .select_related("plan")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=SessionLogEntry.objects.filter(
                    ~Q(status=EntryStatus.COMPLETED) | ~Q(note="")
                )
                .select_related("exercise")
                .order_by("position", "id"),
                to_attr="off_dose_entries",
            )
        )
        .annotate(
            entry_count=Count("entries"),
            completed_count=Count("entries", filter=Q(entries__status=EntryStatus.COMPLETED)),
            partial_count=Count("entries", filter=Q(entries__status=EntryStatus.PARTIAL)),
            skipped_count=Count("entries", filter=Q(entries__status=EntryStatus.SKIPPED)),
            last_corrected_at=Subquery(corrections.values("revised_at")[:1]),
        )
        .order_by("-performed_at", "-id")
    )
    reports = list(reports.order_by("-recorded_at", "-id")[: size + 1])
    entries = [
        *((session.performed_at, SESSION, session) for session in sessions),
        *((report.recorded_at, PAIN_REPORT_ENTRY, report) for report in reports),
        *((revision.changed_at, REVISION, revision) for revision in revisions),
    ]
    entries.sort(key=lambda entry: entry[0], reverse=True)
    earlier = None
    if len(entries) > size:
        page = entries[:size]
        if entries[size][0] == page[-1][0]:
            # Never end a page inside a run of entries at the same moment: the next page
            # starts strictly before the last one shown, and would skip the rest of the run.
            page = [entry for entry in page if entry[0] != entries[size][0]] or page
        entries, earlier = page, page[-1][0]
    words = {
        "partial": _("%(exercise)s: partly done, %(done)s of %(prescribed)s"),
        "skipped": _("%(exercise)s: skipped (%(reason)s)"),
        "completed": _("%(exercise)s: completed"),
        SESSION: _("(version %(version)d)"),
        PAIN_REPORT_ENTRY: _("pain %(score)d out of 10"),
        REVISION: _("version %(number)d, by %(who)s"),
        "exercises": _("%(done)d completed, %(partly)d partly done, %(skipped)d skipped"),
        "corrected": _("Corrected %(when)s"),
    }
    page = []
    for at, kind, item in entries:
        detail = corrected = ""
        notes = ()
        if kind == SESSION:
            title = words[SESSION] % {"version": item.plan_version}
            detail = words["exercises"] % {
                "done": item.completed_count,
                "partly": item.partial_count,
                "skipped": item.skipped_count,
            }
            if item.last_corrected_at:
                corrected = words["corrected"] % {"when": labels.moment(item.last_corrected_at)}
            notes = tuple(_exercise_note(entry, words) for entry in item.off_dose_entries)
        elif kind == PAIN_REPORT_ENTRY:
            title = words[PAIN_REPORT_ENTRY] % {"score": item.score}
        else:
            title = words[REVISION] % {"number": item.number, "who": item.changed_by.full_name}
        page.append(
            TimelineEntry(
                at, kind, item, labels.moment(at), labels.iso(at), title, detail, corrected, notes
            )
        )
    return page, earlier


def patient_review(
    *, patient: Patient, days: int = DEFAULT_WINDOW, before: datetime.datetime | None = None
) -> Review:
    """Everything the review part of the therapist's patient page shows, for the `days` days
    up to today in the clinic's calendar, in at most thirteen queries whatever the length of
    the history (fewer when there are no plans, pain scores or sessions to read more about).

    `patient` should come with its clinic loaded (as `patient_page` gives it)."""
    clinic = patient.clinic
    zone = clinic.zone
    labels = Labels(zone)
    today = clinic.today()
    end = today
    start = window_start(today, days)
    weekly = days > EACH_SESSION_UP_TO_DAYS

    schedules = schedules_for_patients(patient_ids=[patient.pk], start=start, end=end).get(
        patient.pk, []
    )
    plan_ids = [plan.plan_id for plan in schedules]
    calendar = adherence_calendar(
        schedules=schedules,
        done_counts=done_counts_for_plans(plan_ids=plan_ids, start=start, end=end),
        start=start,
        end=end,
        today=today,
        labels=labels,
    )

    window_began = _midnight(start, zone)
    revisions = list(
        PlanRevision.objects.filter(plan__patient=patient, changed_at__gte=window_began)
        .select_related("plan", "changed_by")
        .order_by("-changed_at", "-id")
    )

    summary = pain_course(patient=patient, today=today)
    points, pain_rows = _pain_data(
        patient=patient, start=start, end=end, weekly=weekly, labels=labels
    )
    chart = None
    if points:
        chart = charts.time_chart(
            points,
            kinds=_chart_kinds(weekly),
            start=start,
            end=end,
            title=_("Pain, %(start)s to %(end)s")
            % {"start": date_format(start, "j M"), "end": date_format(end, "j M Y")},
            value_label=_("Pain"),
            y_min=PAIN.minimum,
            y_max=PAIN.maximum,
            y_anchors={score: str(anchor) for score, anchor in PAIN_ANCHORS.items()},
            id_prefix="review-pain-chart",
            zone=zone,
            width=CHART_WIDTH,
            tick_days=_tick_days(days),
            summary=summary.sentence,
            events=[
                charts.ChartEvent(
                    revision.changed_at,
                    f"v{revision.number}",
                    _("version %(number)d of %(plan)s on %(day)s")
                    % {
                        "number": revision.number,
                        "plan": revision.plan.title,
                        "day": date_format(labels.local(revision.changed_at), "j M"),
                    },
                )
                for revision in revisions
            ],
            event_label=_("Plan change"),
        )

    timeline, earlier_before = _timeline(
        patient=patient, start=start, revisions=revisions, before=before, labels=labels
    )
    return Review(
        days=days,
        start=start,
        end=end,
        today=today,
        chart=chart,
        chart_is_weekly=weekly,
        pain_rows=pain_rows,
        pain=summary,
        calendar=calendar,
        exercises=exercise_reviews(patient=patient, start=start, end=end, plan_ids=plan_ids),
        timeline=timeline,
        before=before,
        earlier_before=earlier_before,
    )


# The CSV export

SESSION_COLUMNS = [
    "session id",
    "performed at",
    "plan",
    "plan version",
    "exercise",
    "prescribed sets",
    "prescribed repetitions",
    "prescribed hold seconds",
    "prescribed rest seconds",
    "side",
    "sets done",
    "repetitions done",
    "hold seconds done",
    "status",
    "skip reason",
    "exercise note",
    "pain before",
    "pain after",
    "difficulty",
    "flagged",
    "flag reason",
    "session note",
]
PAIN_REPORT_COLUMNS = [
    "pain report id",
    "recorded at",
    "pain",
    "where",
    "red flag severity",
    "red flags",
    "note",
]
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> object:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; numbers and
    empty cells pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def patient_log_rows(*, patient: Patient) -> Iterator[list]:
    """The patient's whole log as CSV rows: a header and one row per exercise of each session,
    oldest first; then a blank row, a header and one row per pain report. Times are ISO 8601
    in the clinic's time zone. Two queries, read in chunks."""
    zone = patient.clinic.zone
    yield SESSION_COLUMNS
    entries = (
        SessionLogEntry.objects.filter(session__patient=patient)
        .select_related("session__plan", "exercise")
        .order_by("session__performed_at", "session_id", "position", "id")
    )
    for entry in entries.iterator(chunk_size=500):
        session = entry.session
        yield [
            csv_safe(value)
            for value in (
                session.pk,
                timezone.localtime(session.performed_at, zone).isoformat(),
                session.plan.title,
                session.plan_version,
                entry.exercise.name,
                entry.prescribed_sets,
                entry.prescribed_repetitions,
                entry.prescribed_hold_seconds,
                entry.prescribed_rest_seconds,
                entry.side,
                entry.sets_done,
                entry.repetitions_done,
                entry.hold_seconds_done,
                entry.status,
                entry.skip_reason,
                entry.note,
                "" if session.pain_before is None else session.pain_before,
                "" if session.pain_after is None else session.pain_after,
                session.difficulty,
                "yes" if session.is_flagged else "no",
                session.flag_reason,
                session.note,
            )
        ]
    yield []
    yield PAIN_REPORT_COLUMNS
    reports = PainReport.objects.filter(patient=patient).order_by("recorded_at", "id")
    for report in reports.iterator(chunk_size=500):
        yield [
            csv_safe(value)
            for value in (
                report.pk,
                timezone.localtime(report.recorded_at, zone).isoformat(),
                report.score,
                report.body_location,
                report.red_flag_severity,
                " ".join(report.red_flags or []),
                report.note,
            )
        ]
