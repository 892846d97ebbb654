"""What the patient's own history reads: their sessions and pain reports, and the pain chart,
in a fixed number of queries however much they have logged."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lib import charts

from ..adherence import Adherence
from ..models import EntryStatus, PainReport, Patient, SessionLog, SessionLogRevision
from ..pain import PAIN, PAIN_AFTER, PAIN_ANCHORS, PAIN_BEFORE, PAIN_REPORT, pain_chart_kinds
from ..trends import BASELINE_DAYS, Direction, PainTrend
from .pain import pain_course_trend
from .progress import progress_for_patient

# A page of the history is eight calendar weeks, Monday to Sunday, the latest ending today.
HISTORY_WEEKS = 8
ONE_WEEK = datetime.timedelta(days=7)


@dataclass(frozen=True)
class HistoryItem:
    at: datetime.datetime
    session: SessionLog | None = None
    pain_report: PainReport | None = None


@dataclass
class HistoryDay:
    date: datetime.date
    items: list[HistoryItem] = field(default_factory=list)


@dataclass
class HistoryWeek:
    monday: datetime.date
    adherence: Adherence | None  # None for a week with nothing prescribed
    days: list[HistoryDay] = field(default_factory=list)

    @property
    def sunday(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=6)

    @property
    def session_count(self) -> int:
        return sum(1 for day in self.days for item in day.items if item.session)


@dataclass(frozen=True)
class PainCourse:
    """The patient's pain since they started, in their words: a sentence and its direction."""

    sentence: str
    direction: str = ""


@dataclass
class History:
    today: datetime.date
    start: datetime.date
    end: datetime.date
    weeks: list[HistoryWeek]  # newest first
    week_chart: charts.ColumnChart
    chart: charts.Chart | None
    has_earlier: bool
    streak: int
    streak_may_be_longer: bool
    pain: PainCourse

    @property
    def shown_weeks(self) -> list[HistoryWeek]:
        """The weeks with something prescribed or logged; the others are only columns."""
        return [week for week in self.weeks if week.adherence or week.days]

    @property
    def is_latest(self) -> bool:
        return self.end >= self.today

    @property
    def earlier_before(self) -> datetime.date:
        """The `?before=` value of the page before this one."""
        return self.start

    @property
    def later_before(self) -> datetime.date | None:
        """The `?before=` value of the page after this one; None when that is the latest."""
        later = self.end + datetime.timedelta(days=1) + HISTORY_WEEKS * ONE_WEEK
        return None if later > self.today else later


def history_span(
    today: datetime.date, before: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the page of weeks that ends just before `before` (the latest
    page, ending today, without it)."""
    end = today if before is None or before > today else before - datetime.timedelta(days=1)
    start = end - datetime.timedelta(days=end.weekday()) - (HISTORY_WEEKS - 1) * ONE_WEEK
    return start, end


def pain_course_words(trend: PainTrend | None) -> PainCourse:
    """How the patient's pain has gone since their first week, by the same rule of clinically
    important change the therapist sees, said to the patient."""
    if trend is None:
        return PainCourse(_("Your pain scores will show here once you give them."))
    values = {"from": charts.shown_number(trend.baseline), "to": charts.shown_number(trend.latest)}
    if (
        trend.latest_on == trend.baseline_from
        or (trend.latest_on - trend.baseline_from).days < BASELINE_DAYS
    ):
        return PainCourse(
            _("You started at %(from)s. Keep giving your pain score to see how it changes.")
            % values
        )
    if trend.direction == Direction.IMPROVING:
        sentence = _("Your pain has eased from %(from)s to %(to)s since you started.")
    elif trend.direction == Direction.WORSENING:
        sentence = _(
            "Your pain is higher than when you started: %(from)s then, %(to)s now. If it keeps "
            "rising, tell your therapist."
        )
    elif trend.latest < trend.baseline:
        sentence = _(
            "Your pain is a little lower than when you started: %(from)s then, %(to)s now."
        )
    elif trend.latest > trend.baseline:
        sentence = _(
            "Your pain is a little higher than when you started: %(from)s then, %(to)s now."
        )
    else:
        sentence = _("Your pain is the same as when you started: %(to)s.")
    return PainCourse(sentence % values, str(trend.direction))


def _week_chart(weeks: list[HistoryWeek]) -> charts.ColumnChart:
    columns = []
    month = None
    for week in reversed(weeks):
        # The month once, where it changes: "12 Oct", "19", "26", "2 Nov", …
        label = date_format(week.monday, "j" if week.monday.month == month else "j M")
        month = week.monday.month
        adherence = week.adherence
        if adherence is None:
            columns.append(
                (label, None, "", _("Week of %(day)s: nothing prescribed.") % {"day": label})
            )
            continue
        words = {"done": adherence.done, "total": adherence.prescribed, "day": label}
        columns.append(
            (
                label,
                adherence.ratio,
                f"{adherence.done}/{adherence.prescribed}",
                ngettext(
                    "Week of %(day)s: %(done)d of %(total)d session done.",
                    "Week of %(day)s: %(done)d of %(total)d sessions done.",
                    adherence.prescribed,
                )
                % words,
            )
        )
    return charts.column_chart(columns, title=_("Sessions done each week"), id_prefix="week-chart")


def patient_history(*, patient: Patient, before: datetime.date | None = None) -> History:
    """The patient's weeks before `before` (up to today when it is not given), newest first:
    each week's sessions done against those prescribed, its sessions and pain reports day by
    day, the pain chart for the same weeks, their streak and how their pain has gone since
    they started. Eight queries, however much they have logged."""
    today = patient.clinic.today()
    start, end = history_span(today, before)

    revisions = SessionLogRevision.objects.filter(session=OuterRef("pk")).order_by("-revised_at")
    sessions = list(
        SessionLog.objects.filter(patient=patient, performed_on__range=(start, end))
        .select_related("plan")
        .annotate(
            completed_count=Count("entries", filter=Q(entries__status=EntryStatus.COMPLETED)),
            partial_count=Count("entries", filter=Q(entries__status=EntryStatus.PARTIAL)),
            skipped_count=Count("entries", filter=Q(entries__status=EntryStatus.SKIPPED)),
            last_corrected_at=Subquery(revisions.values("revised_at")[:1]),
        )
        .order_by("-performed_at", "-id")
    )
    pain_reports = list(
        PainReport.objects.filter(patient=patient, recorded_on__range=(start, end)).order_by(
            "-recorded_at", "-id"
        )
    )
    has_earlier = (
        Patient.objects.filter(pk=patient.pk)
        .annotate(
            earlier=Exists(
                SessionLog.objects.filter(patient=OuterRef("pk"), performed_on__lt=start)
            )
            | Exists(PainReport.objects.filter(patient=OuterRef("pk"), recorded_on__lt=start))
        )
        .values_list("earlier", flat=True)
        .get()
    )
    progress = progress_for_patient(patient=patient, since=start)

    days: dict[datetime.date, HistoryDay] = {}
    for session in sessions:
        day = days.setdefault(session.performed_on, HistoryDay(session.performed_on))
        day.items.append(HistoryItem(at=session.performed_at, session=session))
    for report in pain_reports:
        day = days.setdefault(report.recorded_on, HistoryDay(report.recorded_on))
        day.items.append(HistoryItem(at=report.recorded_at, pain_report=report))
    for day in days.values():
        day.items.sort(key=lambda item: item.at, reverse=True)
    adherence_by_week = {
        week.monday: week.adherence
        for week in progress.weeks(start, end)
        if week.adherence.prescribed
    }
    weeks = []
    monday = end - datetime.timedelta(days=end.weekday())
    while monday >= start:
        week = HistoryWeek(monday=monday, adherence=adherence_by_week.get(monday))
        week.days = sorted(
            (day for day in days.values() if monday <= day.date <= week.sunday),
            key=lambda day: day.date,
            reverse=True,
        )
        weeks.append(week)
        monday -= ONE_WEEK

    return History(
        today=today,
        start=start,
        end=end,
        weeks=weeks,
        week_chart=_week_chart(weeks),
        chart=pain_chart(
            sessions=sessions,
            pain_reports=pain_reports,
            start=start,
            end=end,
            zone=patient.clinic.zone,
            tick_days=14,
        ),
        has_earlier=has_earlier,
        streak=progress.streak,
        streak_may_be_longer=progress.streak_may_be_longer,
        pain=pain_course_words(pain_course_trend(patient=patient, today=today)),
    )


def pain_chart(
    *,
    sessions: list[SessionLog],
    pain_reports: list[PainReport],
    start: datetime.date,
    end: datetime.date,
    zone: datetime.tzinfo,
    id_prefix: str = "pain-chart",
    tick_days: int = 7,
) -> charts.Chart | None:
    """Pain before and after each session as two lines, and pain reported on its own as
    separate markers; None when there is no score to draw."""
    points = []
    for session in sessions:
        if session.pain_before is not None:
            points.append(charts.ChartPoint(session.performed_at, session.pain_before, PAIN_BEFORE))
        if session.pain_after is not None:
            points.append(charts.ChartPoint(session.performed_at, session.pain_after, PAIN_AFTER))
    for report in pain_reports:
        points.append(charts.ChartPoint(report.recorded_at, report.score, PAIN_REPORT))
    if not points:
        return None
    return charts.time_chart(
        points,
        kinds=pain_chart_kinds(),
        start=start,
        end=end,
        title=_("Your pain, %(start)s to %(end)s")
        % {"start": date_format(start, "j M"), "end": date_format(end, "j M Y")},
        value_label=_("Pain"),
        y_min=PAIN.minimum,
        y_max=PAIN.maximum,
        y_anchors={score: str(anchor) for score, anchor in PAIN_ANCHORS.items()},
        id_prefix=id_prefix,
        zone=zone,
        tick_days=tick_days,
    )
