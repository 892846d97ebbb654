"""What the therapist's review of one patient reads: pain over time as a chart, adherence day by
day as a calendar, how each exercise went against its dose, and one timeline of sessions, pain
reports and plan changes.

Everything is counted, averaged or grouped in SQL, and what is drawn is bounded (a window of
30, 90 or 365 days, a page of the timeline, weekly averages on the year chart), so the page runs
a fixed number of queries and stays quick however long the history is. Long lists carry their
labels ready-made (see `Labels`), so the template does little work per row.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lib import charts
from patients.adherence import window_start
from patients.models import Patient
from patients.pain import PAIN, PAIN_ANCHORS
from patients.selectors.adherence import done_counts_for_plans, schedules_for_patients
from prescriptions.models import PlanRevision

from .calendar import Calendar, adherence_calendar
from .exercises import ExerciseReview, exercise_reviews
from .labels import Labels, local_midnight
from .pain import PainRow, PainSummary, chart_kinds, pain_course, pain_data, tick_days
from .timeline import TimelineEntry, timeline_page

WINDOW_CHOICES = (30, 90, 365)
DEFAULT_WINDOW = 90


# Up to this many days the chart shows every session; beyond it, weekly averages, so a year of
# twice-daily sessions stays a readable line of about 52 points rather than 730.
EACH_SESSION_UP_TO_DAYS = 90


CHART_WIDTH = 480  # between the phone-sized 360 of the patient's chart and a desktop page


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

    window_began = local_midnight(start, zone)
    revisions = list(
        PlanRevision.objects.filter(plan__patient=patient, changed_at__gte=window_began)
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
            tick_days=tick_days(days),
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

    timeline, earlier_before = timeline_page(
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
