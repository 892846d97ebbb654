"""What the therapist's review of one patient reads: pain over time as a chart, adherence day by
day as a calendar, how each exercise went against its dose, the plan changes, and the patient's
sessions and pain reports, each listed once.

The charts cover a window of days: by default the span of the active plan (from its start to
today, or to its end when that has passed; at least two weeks), else the last 90 days; or the
last 30, 90 or 365 days on request. Everything is counted, averaged or grouped in SQL, and
what is drawn is bounded (a window of at most a year, a page of sessions or pain reports,
weekly averages on long charts), so the page runs a fixed number of queries and stays quick
however long the history is. Long lists carry their labels ready-made (see `Labels`), so the
template does little work per row.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lib import charts
from patients.adherence import WINDOWS, Adherence, PlanSchedule, adherence, window_start
from patients.models import Patient
from patients.pain import PAIN, PAIN_ANCHORS
from patients.selectors.adherence import done_counts_for_plans, schedules_for_patients
from prescriptions.models import PlanRevision, PlanStatus

from .calendar import Calendar, adherence_calendar
from .events import EventPage, pain_report_page, session_page
from .exercises import ExerciseReview, exercise_reviews
from .labels import Labels, local_midnight
from .pain import PainRow, PainSummary, chart_kinds, pain_course, pain_data, tick_days

WINDOW_CHOICES = (30, 90, 365)
DEFAULT_WINDOW = 90
PLAN_WINDOW = "plan"
# A plan's first days make a chart of a few points; two weeks still show a trend.
SHORTEST_PLAN_WINDOW = 14
LONGEST_WINDOW = max(WINDOW_CHOICES)


# Up to this many days the chart shows every session; beyond it, weekly averages, so a year of
# twice-daily sessions stays a readable line of about 52 points rather than 730.
EACH_SESSION_UP_TO_DAYS = 90


CHART_WIDTH = 480  # between the phone-sized 360 of the patient's chart and a desktop page


@dataclass(frozen=True)
class Window:
    """The days the charts cover, first and last included, and the choice that gave them:
    `PLAN_WINDOW` or one of `WINDOW_CHOICES` as text (the `?days=` value)."""

    start: datetime.date
    end: datetime.date
    choice: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_plan(self) -> bool:
        return self.choice == PLAN_WINDOW


def plan_window(*, plans, today: datetime.date) -> Window | None:
    """The span of the patient's active plans that have started: from the first start to
    today, or to the last end when every one of them has ended; at least
    `SHORTEST_PLAN_WINDOW` days and at most a year. None without an active plan."""
    running = [
        plan for plan in plans if plan.status == PlanStatus.ACTIVE and plan.start_date <= today
    ]
    if not running:
        return None
    start = min(plan.start_date for plan in running)
    ends = [plan.end_date for plan in running]
    end = today
    if all(ends) and max(ends) < today:
        end = max(ends)
    start = min(start, end - datetime.timedelta(days=SHORTEST_PLAN_WINDOW - 1))
    start = max(start, window_start(end, LONGEST_WINDOW))
    return Window(start=start, end=end, choice=PLAN_WINDOW)


@dataclass(frozen=True)
class Prescribed:
    """The patient's plans and their sessions counted per plan and day, from `start` to `end`
    (today): read once for the charts' window and the summary's 7 and 30 days."""

    schedules: list[PlanSchedule]
    done_counts: dict[tuple[int, datetime.date], int]
    start: datetime.date
    end: datetime.date

    def adherence_over(self, days: int) -> Adherence:
        """Adherence over the last `days` days, today included."""
        return adherence(
            self.schedules, self.done_counts, start=window_start(self.end, days), end=self.end
        )

    def within(self, window: Window) -> tuple[list[PlanSchedule], dict]:
        """The plans that overlap `window`, and their sessions per day."""
        schedules = [
            plan
            for plan in self.schedules
            if plan.start_date <= window.end
            and (plan.end_date is None or plan.end_date >= window.start)
        ]
        plan_ids = {plan.plan_id for plan in schedules}
        done = {key: count for key, count in self.done_counts.items() if key[0] in plan_ids}
        return schedules, done


def prescribed_for(*, patient: Patient, window: Window, today: datetime.date) -> Prescribed:
    """Two queries for the plans (and their pauses), one for the sessions per plan and day,
    over the charts' window and the last 30 days together."""
    start = min(window.start, window_start(today, max(WINDOWS)))
    schedules = schedules_for_patients(patient_ids=[patient.pk], start=start, end=today).get(
        patient.pk, []
    )
    done_counts = done_counts_for_plans(
        plan_ids=[plan.plan_id for plan in schedules], start=start, end=today
    )
    return Prescribed(schedules=schedules, done_counts=done_counts, start=start, end=today)


def window_from(value, *, today: datetime.date, plan_span: Window | None = None) -> Window:
    """The window `?days=` asks for: one of the choices, else the active plan's span
    (`plan_window`), else the last `DEFAULT_WINDOW` days."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = None
    if days in WINDOW_CHOICES:
        return Window(start=window_start(today, days), end=today, choice=str(days))
    return plan_span or Window(
        start=window_start(today, DEFAULT_WINDOW), end=today, choice=str(DEFAULT_WINDOW)
    )


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


@dataclass
class Review:
    window: Window
    today: datetime.date
    chart: charts.Chart | None
    chart_is_weekly: bool
    pain_rows: list[PainRow]
    pain: PainSummary
    calendar: Calendar
    exercises: list[ExerciseReview]
    # Plan changes in the window, newest first (also marked on the pain chart).
    revisions: list[PlanRevision]
    sessions: EventPage
    pain_reports: EventPage
    # The active plan's span, offered as a choice beside the fixed windows.
    plan_span: Window | None = None
    window_choices: tuple[int, ...] = WINDOW_CHOICES

    @property
    def days(self) -> int:
        return self.window.days

    @property
    def start(self) -> datetime.date:
        return self.window.start

    @property
    def end(self) -> datetime.date:
        return self.window.end


def patient_review(
    *,
    patient: Patient,
    window: Window,
    sessions_before: datetime.datetime | None = None,
    pain_before: datetime.datetime | None = None,
    plan_span: Window | None = None,
    prescribed: Prescribed | None = None,
) -> Review:
    """Everything the review part of the therapist's patient page shows: the charts for the
    `window`'s days in the clinic's calendar, and a page each of sessions and pain reports
    (from the newest, or from before the cursors), in a fixed number of queries whatever the
    length of the history (fewer when there are no plans, pain scores or sessions to read
    more about).

    `patient` should come with its clinic loaded (as `patient_page` gives it), and
    `prescribed` covering the window (as `patient_page` gives it; read here when not given)."""
    clinic = patient.clinic
    zone = clinic.zone
    labels = Labels(zone)
    today = clinic.today()
    start, end = window.start, window.end
    weekly = window.days > EACH_SESSION_UP_TO_DAYS

    if prescribed is None:
        prescribed = prescribed_for(patient=patient, window=window, today=today)
    schedules, done_counts = prescribed.within(window)
    plan_ids = [plan.plan_id for plan in schedules]
    calendar = adherence_calendar(
        schedules=schedules,
        done_counts=done_counts,
        start=start,
        end=end,
        today=today,
        labels=labels,
    )

    window_began = local_midnight(start, zone)
    window_ended = local_midnight(end + datetime.timedelta(days=1), zone)
    revisions = list(
        PlanRevision.objects.filter(
            plan__patient=patient, changed_at__gte=window_began, changed_at__lt=window_ended
        )
        .select_related("plan", "changed_by")
        .order_by("-changed_at", "-id")
    )

    summary = pain_course(patient=patient, today=today)
    points, pain_rows = pain_data(
        patient=patient, start=start, end=end, weekly=weekly, labels=labels
    )
    chart = None
    if points:
        chart = charts.time_chart(
            points,
            kinds=chart_kinds(weekly),
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
            tick_days=tick_days(window.days),
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

    return Review(
        window=window,
        today=today,
        chart=chart,
        chart_is_weekly=weekly,
        pain_rows=pain_rows,
        pain=summary,
        calendar=calendar,
        exercises=exercise_reviews(patient=patient, start=start, end=end, plan_ids=plan_ids),
        revisions=revisions,
        sessions=session_page(patient=patient, before=sessions_before, labels=labels),
        pain_reports=pain_report_page(patient=patient, before=pain_before, labels=labels),
        plan_span=plan_span,
    )
